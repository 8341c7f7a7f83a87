import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { openDatabase, type GantryDatabase } from '../store/open-database';
import { environments, migrations, projects, resources, specHistory } from '../store/schema';
import { storedRunFixture } from '../migrations/testing/stored-run-fixture';
import { shortenFingerprints, SpecTimeline } from './spec-timeline';

let db: GantryDatabase;

const spec = (image: string, password: string) =>
  JSON.stringify({ image: { ref: image, id: null, digest: null }, env: { APP_MODE: 'uat', DB_PASSWORD: `•••• ‹hmac:${password}›` }, labels: {}, mounts: [], ports: [], networks: [], entrypoint: null, command: null, workingDir: '', user: '', healthcheck: null, restartPolicy: { name: 'no', maximumRetryCount: 0 }, limits: { memoryBytes: 0, nanoCpus: 0, pidsLimit: null } });

function migration(id: string, kind: 'migrate' | 'rollback', status: string, startedAt: number, endedAt: number) {
  // As the engine writes them: created already running, so only createdAt marks the start.
  db.insert(migrations).values({ id, kind, projectId: 'p', sourceEnvironmentId: 'dev', targetEnvironmentId: 'uat', status, planJson: JSON.stringify(storedRunFixture(kind, ['web'])), createdAt: startedAt, startedAt: null, endedAt }).run();
}

beforeEach(() => {
  db = openDatabase(':memory:');
  db.insert(projects).values({ id: 'p', name: 'Shop', createdAt: 1 }).run();
  for (const [position, name] of ['dev', 'uat'].entries()) db.insert(environments).values({ id: name, projectId: 'p', name, position, network: name, createdAt: 1 }).run();
  db.insert(resources).values({ id: 'web', projectId: 'p', name: 'web', kind: 'application', createdAt: 1 }).run();
  // Cloned at 1000 by m1, promoted to v2 at 2000 by m2, rolled back at 3000 by r1 (m2 is now rolled back).
  migration('m1', 'migrate', 'completed', 900, 1100);
  migration('m2', 'migrate', 'rolled_back', 1900, 2100);
  migration('r1', 'rollback', 'completed', 2900, 3100);
  db.insert(specHistory).values({ resourceId: 'web', environmentId: 'uat', event: 'migrated', specJson: spec('webapp:1', 'aaaaaaaa11112222'), specHash: 'h1', at: 1000 }).run();
  db.insert(specHistory).values({ resourceId: 'web', environmentId: 'uat', event: 'migrated', specJson: spec('webapp:2', 'bbbbbbbb33334444'), specHash: 'h2', at: 2000 }).run();
  db.insert(specHistory).values({ resourceId: 'web', environmentId: 'uat', event: 'rolled_back', specJson: spec('webapp:1', 'aaaaaaaa11112222'), specHash: 'h1', at: 3000 }).run();
});

afterEach(() => db.$client.close());

describe('spec timeline', () => {
  it('names the migration that recorded each entry, newest first', () => {
    const entries = new SpecTimeline(db).timeline('web', 'uat');
    expect(entries.map((entry) => [entry.specHash, entry.event, entry.migrationId])).toEqual([
      ['h1', 'rolled_back', 'r1'],
      ['h2', 'migrated', 'm2'],
      ['h1', 'migrated', 'm1'],
    ]);
  });

  it('offers to restore a snapshot only through a completed migration that came right after it', () => {
    db.update(migrations).set({ status: 'completed' }).run();
    const entries = new SpecTimeline(db).timeline('web', 'uat');
    // The oldest entry is restored by rolling back m2 (which replaced it); the newest has nothing after it.
    expect(entries.map((entry) => entry.restoreByRollingBack)).toEqual([null, null, 'm2']);
  });

  it('offers to restore any older entry from the snapshot of the migration that replaced it, even one rolled back since', () => {
    const entries = new SpecTimeline(db).timeline('web', 'uat');
    // h2 was replaced by r1 (which snapshotted it); the oldest h1 by m2, rolled back since but its snapshot stays.
    expect(entries.map((entry) => entry.restoreFrom)).toEqual([null, { migrationId: 'r1', resourceId: 'web' }, { migrationId: 'm2', resourceId: 'web' }]);
    db.update(migrations).set({ status: 'failed' }).where(eq(migrations.id, 'm2')).run();
    expect(new SpecTimeline(db).timeline('web', 'uat').at(-1)?.restoreFrom).toBeNull();
  });

  it('diffs two entries with the older on the left and secrets shown only as short fingerprints', () => {
    const [rolledBack, promoted] = new SpecTimeline(db).timeline('web', 'uat');
    const diff = new SpecTimeline(db).diff(rolledBack!.id, promoted!.id);
    expect(diff.from.specHash).toBe('h2');
    expect(diff.to.specHash).toBe('h1');
    expect(diff.unified).toContain('-    "ref": "webapp:2"');
    expect(diff.unified).toContain('+    "ref": "webapp:1"');
    expect(diff.unified).not.toMatch(/hmac|33334444/);
  });

  it('says what to do when an entry or resource is gone', () => {
    expect(() => new SpecTimeline(db).diff(1, 99)).toThrow(/History entry 99 does not exist/);
    expect(() => new SpecTimeline(db).timeline('nope', 'uat')).toThrow(/There is no resource nope/);
  });

  it('shortens keyed fingerprints to a prefix', () => {
    expect(shortenFingerprints('"•••• ‹hmac:0123456789abcdef0123›"')).toBe('"•••• ‹secret 01234567›"');
  });
});
