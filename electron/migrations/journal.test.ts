import { describe, expect, it } from 'vitest';
import { statusTransitions } from '@shared/migration/status';
import { openDatabase } from '../store/open-database';
import { MigrationJournal } from './journal';
import { storedRunFixture } from './testing/stored-run-fixture';
import { readStoredRun } from './stored-run';

function journalWith(status: string) {
  const journal = new MigrationJournal(openDatabase(':memory:'));
  journal.create({ id: 'm1', kind: 'migrate', projectId: null, sourceEnvironmentId: 'dev', targetEnvironmentId: 'uat', status, planJson: JSON.stringify(storedRunFixture('migrate', ['web'])), optionsJson: '{}', rollbackOf: null, jobId: null, engineInstance: 'e1' });
  return journal;
}

describe('the journal’s status transitions', () => {
  it('allows what the table allows and stamps the end of a terminal status', () => {
    const journal = journalWith('pending');
    journal.setStatus('m1', 'running');
    journal.setStatus('m1', 'completed', { message: 'Completed.' });
    expect(journal.get('m1')).toMatchObject({ status: 'completed', message: 'Completed.' });
    expect(journal.get('m1')?.endedAt).toEqual(expect.any(Number));
    journal.setStatus('m1', 'rolled_back');
    expect(journal.get('m1')?.status).toBe('rolled_back');
  });

  it('keeps the end of a run when a later rollback marks it rolled back (History says how long it ran, not until the rollback)', () => {
    let clock = 1_000;
    const journal = new MigrationJournal(openDatabase(':memory:'), () => clock);
    journal.create({ id: 'm1', kind: 'migrate', projectId: null, sourceEnvironmentId: 'dev', targetEnvironmentId: 'uat', status: 'pending', planJson: JSON.stringify(storedRunFixture('migrate', ['web'])), optionsJson: '{}', rollbackOf: null, jobId: null, engineInstance: 'e1' });
    journal.setStatus('m1', 'running');
    clock = 2_000;
    journal.setStatus('m1', 'completed');
    clock = 38_000;
    journal.setStatus('m1', 'rolled_back');
    expect(journal.get('m1')).toMatchObject({ status: 'rolled_back', startedAt: 1_000, endedAt: 2_000 });
  });

  it('refuses an illegal change with both statuses named, and leaves the record as it was', () => {
    const journal = journalWith('cancelled');
    expect(() => journal.setStatus('m1', 'completed')).toThrow('Migration m1 cannot go from cancelled to completed.');
    expect(journal.get('m1')?.status).toBe('cancelled');
    expect(() => journalWith('running').setStatus('m1', 'approved')).toThrow(/from running to approved/);
  });

  it('has room for approvals: pending_approval ends approved, rejected or expired', () => {
    expect(statusTransitions.pending_approval).toEqual(expect.arrayContaining(['approved', 'rejected', 'expired']));
    const journal = journalWith('pending_approval');
    journal.setStatus('m1', 'approved');
    journal.setStatus('m1', 'running');
    expect(journal.get('m1')?.status).toBe('running');
  });
});

describe('stored runs', () => {
  it('reads format 1 through its schema and says what is wrong with a malformed one', () => {
    const run = storedRunFixture('rollback', ['web']);
    expect(readStoredRun(JSON.stringify(run), 'rollback')).toEqual(run);
    expect(() => readStoredRun(JSON.stringify({ ...run, steps: [{ kind: 'teleport' }] }), 'rollback')).toThrow(/cannot be read/);
    expect(() => readStoredRun('{not json', 'migrate')).toThrow(/not valid JSON/);
  });

  it('upgrades a row written before formats existed (a rollback then journaled no steps of its own)', () => {
    const { plan } = storedRunFixture('migrate', ['web']);
    const legacy = readStoredRun(JSON.stringify({ ...plan, sourceServerId: 'server-dev', sourceHashes: { web: 'h1' } }), 'rollback');
    expect(legacy).toMatchObject({ format: 1, kind: 'rollback', steps: [], promotedFrom: { web: 'h1' }, event: 'rolled_back' });
  });
});
