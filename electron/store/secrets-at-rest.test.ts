import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { specWith } from '@shared/migration/test-fixtures';
import { MigrationJournal } from '../migrations/journal';
import { readStoredRun } from '../migrations/stored-run';
import { storedRunFixture } from '../migrations/testing/stored-run-fixture';
import { openDatabase } from './open-database';

const folders: string[] = [];
afterEach(() => folders.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const DSN_PASSWORD = 'g0-dsn-Pw-7731';
const LIBPQ_PASSWORD = 'lpq-Pw-5519';

describe('secrets at rest in the data folder', () => {
  it('a journaled run with a Go DSN and a libpq string keeps neither password in gantry.db or its WAL, and still reads back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-at-rest-'));
    folders.push(dir);
    const db = openDatabase(join(dir, 'gantry.db'));
    const run = storedRunFixture('migrate', ['web']);
    const web = run.plan.resources[0]!;
    web.desiredSpec = specWith({
      env: { ORDERS_DSN: `app:${DSN_PASSWORD}@tcp(mysql-uat:3306)/orders?parseTime=true`, PG_CONN: `host=pg-uat port=5432 dbname=app password=${LIBPQ_PASSWORD}` },
      command: ['worker', `--dsn=app:${DSN_PASSWORD}@(mysql-uat:3306)/orders`],
    });
    const journal = new MigrationJournal(db);
    journal.create({ id: 'm1', kind: 'migrate', projectId: null, sourceEnvironmentId: 'dev', targetEnvironmentId: 'uat', status: 'pending', planJson: JSON.stringify(run), optionsJson: '{}', rollbackOf: null, jobId: null, engineInstance: 'e1' });
    journal.log('m1', 'error', `connect failed: host=pg-uat password=${LIBPQ_PASSWORD} dbname=app`);

    const files = readdirSync(dir);
    expect(files).toContain('gantry.db-wal');
    for (const file of files) {
      const bytes = readFileSync(join(dir, file)).toString('latin1');
      expect(bytes, file).not.toContain(DSN_PASSWORD);
      expect(bytes, file).not.toContain(LIBPQ_PASSWORD);
    }
    const stored = readStoredRun(journal.get('m1')!.planJson, 'migrate').plan.resources[0]!.desiredSpec;
    expect(stored.env.ORDERS_DSN).toBe('app:••••••@tcp(mysql-uat:3306)/orders?parseTime=true');
    expect(stored.env.PG_CONN).toBe('host=pg-uat port=5432 dbname=app password=••••••');
    db.$client.close();
  });
});
