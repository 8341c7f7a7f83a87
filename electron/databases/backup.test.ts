import { describe, expect, it } from 'vitest';
import { FakeRemoteHost } from '../migrations/testing/fake-remote-host';
import { takeBackup } from './backup';
import { backupsToPrune, pinnedMigrations, type BackupRecord } from './backup-manifest';
import { dumpToFileCommand, readabilityCheck } from './backup-commands';
import { postgresqlAdapter } from './postgresql';

function backup(resourceId: string, takenAt: number, migrationId = `m-${takenAt}`): BackupRecord {
  return {
    format: 1, id: `${resourceId}/${takenAt}`, resourceId, resourceName: resourceId, containerName: `production-${resourceId}`, databaseType: 'postgresql',
    file: `/var/lib/gantry/backups/${resourceId}/${takenAt}.pgdump`, sizeBytes: 10, sha256: 'a'.repeat(64), contentChecksum: 'b'.repeat(64), contentEntries: 1,
    verified: 'pg_restore --list read 3 entries', takenAt, migrationId,
  };
}

describe('retention', () => {
  const list = [backup('db', 1), backup('db', 2), backup('db', 3), backup('db', 4), backup('cache', 1)];

  it('keeps the newest N of each resource', () => {
    expect(backupsToPrune(list, 2, new Set()).map((each) => each.id)).toEqual(['db/2', 'db/1']);
  });

  it('never prunes a backup a completed migration still references for rollback', () => {
    expect(backupsToPrune(list, 2, new Set(['m-1'])).map((each) => each.id)).toEqual(['db/2']);
  });

  it('pins the backups of every completed migration that can still be rolled back, and the run that just completed', () => {
    const runs = [
      { id: 'm-1', kind: 'migrate', status: 'completed' },
      { id: 'm-2', kind: 'migrate', status: 'rolled_back' },
      { id: 'm-3', kind: 'migrate', status: 'failed' },
      { id: 'm-4', kind: 'rollback', status: 'completed' },
      { id: 'm-5', kind: 'migrate', status: 'completed_with_warning' },
    ];
    const pinned = pinnedMigrations(runs, 'm-9');
    expect([...pinned].sort()).toEqual(['m-1', 'm-5', 'm-9']);
    const many = [1, 2, 3, 4, 5, 9].map((at) => backup('db', at));
    expect(backupsToPrune(many, 2, pinned).map((each) => each.id)).toEqual(['db/4', 'db/3', 'db/2']);
  });

  it('always keeps at least the newest one', () => {
    expect(backupsToPrune(list, 0, new Set()).map((each) => each.id)).toEqual(['db/3', 'db/2', 'db/1']);
  });
});

describe('backup commands', () => {
  it('names the file only after the dump exited 0, and hashes the stream as it is written', () => {
    const command = dumpToFileCommand("docker exec 'db' pg_dump", "/b/db/x.pgdump");
    expect(command).toContain("tee '/b/db/x.pgdump.partial' | sha256sum");
    expect(command.indexOf('if [ "$code" != 0 ]')).toBeLessThan(command.indexOf("mv '/b/db/x.pgdump.partial' '/b/db/x.pgdump'"));
    expect(command).toMatch(/^umask 077/);
  });

  it('proves a PostgreSQL dump with pg_restore --list inside the database container, and counts its entries', () => {
    const check = readabilityCheck('pg-custom', 'production-db', '/b/db/x.pgdump');
    expect(check.command).toContain("docker exec -i 'production-db' pg_restore --list < '/b/db/x.pgdump'");
    expect(check.describe('14\n')).toBe('pg_restore --list read 14 entries');
  });

  it('refuses an SQL dump without its completion line', () => {
    expect(readabilityCheck('sql', 'c', '/f.sql').command).toContain("grep -q -- '-- Dump completed'");
  });
});

describe('a backup that is not sound (on a FAKE server: the lab cannot make a disk lie)', () => {
  it('fails as unverified when the file reads back with another SHA-256, and removes the file', async () => {
    const host = new FakeRemoteHost('fake-prod').on(
      { pattern: /^echo /, result: { stdout: '/root/.gantry/backups\n' } },
      { pattern: /tee .*sha256sum/, result: { stdout: `${'1'.repeat(64)}\n` } },
      { pattern: /psql/, result: { stdout: 'public.items|3|abc\n' } },
      { pattern: /^sha256sum /, result: { stdout: `${'2'.repeat(64)}\n1234\n` } },
    );
    const error = await takeBackup(host, {
      adapter: postgresqlAdapter,
      target: { container: 'production-db', spec: { image: { ref: 'postgres:15', id: null, digest: null }, env: { POSTGRES_PASSWORD: 'x' }, labels: {}, command: null, entrypoint: null } },
      resourceId: 'db',
      resourceName: 'db',
      migrationId: '12345678-aaaa',
    }).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'backup_unverified' });
    expect((error as Error).message).toMatch(/reads back with another SHA-256.*Nothing was changed/);
    expect(host.commands.at(-1)).toMatch(/^rm -f '\/root\/\.gantry\/backups\/db\/.+-12345678\.pgdump' '.+\.pgdump\.backup\.json'$/);
    expect(host.commands.some((command) => command.includes('pg_restore --list'))).toBe(false);
  });
});
