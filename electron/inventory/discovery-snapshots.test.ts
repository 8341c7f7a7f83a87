import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { specWith } from '@shared/migration/test-fixtures';
import { eq } from 'drizzle-orm';
import { openDatabase, type GantryDatabase } from '../store/open-database';
import { servers } from '../store/schema';
import type { DiscoveredContainer } from './discovery';
import { DiscoverySnapshots } from './discovery-snapshots';
import { buildInventoryGraph } from './inventory-graph';
import { InventoryStore } from './inventory-store';
import { SpecSealer } from './spec-hash';

const SECRET = 'snap-Pw-90417-clear';
const folders: string[] = [];
const open: GantryDatabase[] = [];
afterEach(() => {
  open.splice(0).forEach((db) => db.$client.close());
  folders.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

function openIn(dir: string): GantryDatabase {
  const db = openDatabase(join(dir, 'gantry.db'));
  open.push(db);
  return db;
}

/** A container as discovery keeps it, from a spec with a clear password (sealed the real way). */
function discovered(sealer: SpecSealer): DiscoveredContainer {
  const sealed = sealer.seal(specWith({ env: { DB_PASSWORD: SECRET, DATABASE_URL: `postgres://app:${SECRET}@db:5432/app`, MODE: 'dev' } }));
  return { containerId: 'c1', containerName: 'shop-web', imageRef: 'app:1', imageId: 'sha256:img', imageCreated: null, state: 'running', health: 'none', specHash: sealed.hash, spec: sealed.spec, gantryLabels: {} };
}

function seed(db: GantryDatabase) {
  db.insert(servers).values({ id: 's1', name: 'dev-server', host: '10.213.47.11', username: 'root', authMethod: 'agent', createdAt: 1, updatedAt: 1 }).run();
  const store = new InventoryStore(db);
  const project = store.createProject('Shop', [{ name: 'dev', production: false }]);
  const [dev] = store.environments(project.id);
  store.bindEnvironment({ environmentId: dev!.id, serverId: 's1' });
  const web = store.createResource(project.id, { name: 'web', kind: 'application', databaseType: null, tags: [], links: [], scheduledTasks: [] });
  return { store, project, dev: dev!, web };
}

describe('DiscoverySnapshots in the database', () => {
  it('after a restart the graph shows the last discovery with its time, counted as restored until refreshed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-snapshots-'));
    folders.push(dir);
    const sealer = new SpecSealer(randomBytes(32));
    const first = openIn(dir);
    const { store, project, dev, web } = seed(first);
    const container = discovered(sealer);
    store.recordInstance({ resourceId: web.id, environmentId: dev.id, serverId: 's1', containerName: 'shop-web', containerId: 'c1', sealed: { spec: container.spec, hash: container.specHash }, event: 'adopted' });
    new DiscoverySnapshots(first).set({ serverId: 's1', at: 1_795_000_000_000, reachable: true, error: null, containers: [container] });
    first.$client.close();
    open.splice(0);

    const second = openIn(dir);
    const snapshots = new DiscoverySnapshots(second);
    expect(snapshots.restoredServerIds()).toEqual(['s1']);
    const graph = buildInventoryGraph(new InventoryStore(second), snapshots, project.id);
    expect(graph.discovery[0]).toMatchObject({ discoveredAt: 1_795_000_000_000, reachable: true });
    expect(graph.cells[0]).toMatchObject({ status: 'in_sync', container: { containerId: 'c1', specHash: container.specHash } });
    expect(graph.cells[0]?.container?.spec.env.DB_PASSWORD).toBe('••••••');

    snapshots.set({ serverId: 's1', at: 1_795_000_060_000, reachable: false, error: 'connect ETIMEDOUT', containers: [] });
    expect(snapshots.restoredServerIds()).toEqual([]);
    expect(new DiscoverySnapshots(second).get('s1')).toMatchObject({ at: 1_795_000_060_000, reachable: false, error: 'connect ETIMEDOUT' });
  });

  it('keeps no clear secret value in gantry.db or its WAL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-snapshots-'));
    folders.push(dir);
    const db = openIn(dir);
    seed(db);
    const snapshots = new DiscoverySnapshots(db);
    const container = discovered(new SpecSealer(randomBytes(32)));
    snapshots.set({ serverId: 's1', at: 1, reachable: true, error: null, containers: [container] });
    snapshots.updateContainer('s1', { ...container, state: 'exited' });

    const files = readdirSync(dir);
    expect(files).toContain('gantry.db-wal');
    for (const file of files) expect(readFileSync(join(dir, file)).toString('latin1'), file).not.toContain(SECRET);
    expect(new DiscoverySnapshots(db).get('s1')?.containers).toEqual([{ ...container, state: 'exited' }]);
  });

  it('forgets the snapshot of a removed server, and a result for a server removed meanwhile is not an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-snapshots-'));
    folders.push(dir);
    const db = openIn(dir);
    seed(db);
    const snapshots = new DiscoverySnapshots(db);
    snapshots.set({ serverId: 's1', at: 1, reachable: true, error: null, containers: [] });
    db.delete(servers).where(eq(servers.id, 's1')).run();
    expect(new DiscoverySnapshots(db).get('s1')).toBeUndefined();
    expect(() => snapshots.set({ serverId: 's1', at: 2, reachable: true, error: null, containers: [] })).not.toThrow();
    expect(new DiscoverySnapshots(db).get('s1')).toBeUndefined();
  });
});
