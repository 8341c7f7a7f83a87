import { describe, expect, it } from 'vitest';
import { MASK } from '@shared/redact';
import { specWith } from '@shared/migration/test-fixtures';
import type { BackupRecord } from '@shared/migration/backups';
import { openDatabase } from '../store/open-database';
import { pinnedForRollback } from './backup-runs';
import { MigrationJournal } from './journal';
import { newCredentialsOf } from './new-credentials';
import type { StoredRun } from './stored-run';
import { storedRunFixture } from './testing/stored-run-fixture';

/** A journaled run into production whose `db` is a PostgreSQL (its password masked, as the journal keeps it). */
function productionRun(kind: StoredRun['kind'], mode: 'clone' | 'promote'): StoredRun {
  const run = storedRunFixture(kind, ['web', 'db']);
  const [web, db] = run.plan.resources;
  return {
    ...run,
    plan: {
      ...run.plan,
      target: { id: 'prod', name: 'production', production: true },
      resources: [
        { ...web!, mode, desiredSpec: specWith({ env: { DATABASE_URL: `postgres://app:${MASK}@db/app` } }) },
        { ...db!, kind: 'database', mode, desiredSpec: specWith({ image: { ref: 'postgres:15', id: 'sha256:bbb', digest: null }, env: { POSTGRES_USER: 'app', POSTGRES_PASSWORD: MASK, POSTGRES_DB: 'app' } }) },
      ],
    },
  };
}

function journalWith(id: string, run: StoredRun, status = 'completed') {
  const journal = new MigrationJournal(openDatabase(':memory:'));
  journal.create({ id, kind: run.kind, projectId: null, sourceEnvironmentId: 'uat', targetEnvironmentId: 'prod', status, planJson: JSON.stringify(run), optionsJson: '{}', rollbackOf: null, jobId: null, engineInstance: 'e1' });
  return journal;
}

describe('the credentials a run generated (named, never valued)', () => {
  it('a first clone into production names each password variable of the databases it created there', () => {
    expect(newCredentialsOf(journalWith('m1', productionRun('migrate', 'clone')), 'm1')).toEqual({ environmentId: 'prod', credentials: [{ resourceId: 'db', resourceName: 'db', variable: 'POSTGRES_PASSWORD' }] });
  });

  it('a promote into production generated none (production keeps its credentials)', () => {
    expect(newCredentialsOf(journalWith('m1', productionRun('migrate', 'promote')), 'm1').credentials).toEqual([]);
  });

  it('Rotate credentials names the variable its set-database-password step set', () => {
    const run = productionRun('restore', 'promote');
    const rotation: StoredRun = { ...run, steps: [{ id: 'set-database-password:db', kind: 'set-database-password', title: 'Set a new password in production-db', resourceId: 'db', undo: 'Set the previous password again', params: { containerName: 'production-db', resourceName: 'db', variable: 'POSTGRES_PASSWORD' } }] };
    expect(newCredentialsOf(journalWith('m1', rotation), 'm1').credentials).toEqual([{ resourceId: 'db', resourceName: 'db', variable: 'POSTGRES_PASSWORD' }]);
  });

  it('an unknown migration is refused by name', () => {
    expect(() => newCredentialsOf(journalWith('m1', productionRun('migrate', 'clone')), 'nope')).toThrow('There is no migration nope.');
  });
});

describe('backups pinned for rollback', () => {
  const backup = (id: string, migrationId: string) => ({ id, migrationId }) as BackupRecord;
  it('pins the backups of a completed migration that can still be rolled back, not those of a rolled-back one or of a restore', () => {
    const journal = journalWith('done', productionRun('migrate', 'promote'));
    journal.create({ id: 'undone', kind: 'migrate', projectId: null, sourceEnvironmentId: 'uat', targetEnvironmentId: 'prod', status: 'rolled_back', planJson: JSON.stringify(productionRun('migrate', 'promote')), optionsJson: '{}', rollbackOf: null, jobId: null, engineInstance: 'e1' });
    journal.create({ id: 'restore', kind: 'restore', projectId: null, sourceEnvironmentId: null, targetEnvironmentId: 'prod', status: 'completed', planJson: JSON.stringify(productionRun('restore', 'promote')), optionsJson: '{}', rollbackOf: null, jobId: null, engineInstance: 'e1' });
    expect(pinnedForRollback(journal, [backup('a', 'done'), backup('b', 'undone'), backup('c', 'restore'), backup('d', 'elsewhere')])).toEqual(['a']);
  });
});
