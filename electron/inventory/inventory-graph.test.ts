import { afterEach, describe, expect, it } from 'vitest';
import { defaultRuntime, type ResourceSpec } from '@shared/spec/resource-spec';
import { openDatabase, type GantryDatabase } from '../store/open-database';
import { servers } from '../store/schema';
import type { DiscoveredContainer } from './discovery';
import { DiscoverySnapshots } from './discovery-snapshots';
import { buildInventoryGraph } from './inventory-graph';
import { InventoryStore } from './inventory-store';

const open: GantryDatabase[] = [];
afterEach(() => open.splice(0).forEach((db) => db.$client.close()));

const spec: ResourceSpec = {
  image: { ref: 'app:1', id: 'sha256:img', digest: null },
  entrypoint: null,
  command: null,
  workingDir: '',
  user: '',
  env: { DB_PASSWORD: '•••••• ‹hmac:00ff›', MODE: 'dev' },
  mounts: [],
  ports: [],
  labels: {},
  healthcheck: null,
  restartPolicy: { name: 'no', maximumRetryCount: 0 },
  limits: { memoryBytes: 0, nanoCpus: 0, pidsLimit: null },
  networks: [],
  runtime: defaultRuntime,
};

function container(name: string, id: string, hash: string, labels: Record<string, string> = {}): DiscoveredContainer {
  return { containerId: id, containerName: name, imageRef: 'app:1', imageId: 'sha256:img', imageCreated: null, state: 'running', health: 'none', specHash: hash, spec, gantryLabels: labels };
}

function setup() {
  const db = openDatabase(':memory:');
  open.push(db);
  db.insert(servers).values({ id: 's1', name: 'dev-server', host: '10.213.47.11', username: 'root', authMethod: 'agent', createdAt: 1, updatedAt: 1 }).run();
  const store = new InventoryStore(db);
  const project = store.createProject('Shop', [{ name: 'dev', production: false }, { name: 'uat', production: false }]);
  const [dev, uat] = store.environments(project.id);
  store.bindEnvironment({ environmentId: dev!.id, serverId: 's1' });
  const web = store.createResource(project.id, { name: 'web', kind: 'application', databaseType: null, tags: [], links: [], scheduledTasks: [] });
  store.recordInstance({ resourceId: web.id, environmentId: dev!.id, serverId: 's1', containerName: 'shop-web', containerId: 'old-id', sealed: { spec, hash: 'h1' }, event: 'adopted' });
  return { store, project, dev: dev!, uat: uat!, web };
}

describe('buildInventoryGraph', () => {
  it('says what is missing before discovery, and for an unbound environment', () => {
    const { store, project } = setup();
    const graph = buildInventoryGraph(store, new DiscoverySnapshots(), project.id);
    expect(graph.cells.map((cell) => [cell.status, cell.reason])).toEqual([
      [null, expect.stringMatching(/Not discovered yet/)],
      [null, expect.stringMatching(/not bound to a server/)],
    ]);
  });

  it('finds a container recreated under the same name, judges it by hash, and lists the rest as unadopted', () => {
    const { store, project, dev } = setup();
    const snapshots = new DiscoverySnapshots();
    snapshots.set({ serverId: 's1', at: 1, reachable: true, error: null, containers: [container('shop-web', 'new-id', 'h2'), container('other', 'o1', 'x')] });
    const graph = buildInventoryGraph(store, snapshots, project.id);
    const cell = graph.cells.find((item) => item.environmentId === dev.id);
    expect(cell).toMatchObject({ status: 'drifted', container: { containerId: 'new-id' } });
    expect(cell?.container?.spec.env.DB_PASSWORD).toBe('••••••');
    expect(graph.discovery.find((item) => item.environmentId === dev.id)?.unadopted.map((item) => item.containerName)).toEqual(['other']);
    // An unadopted container's env comes along for Adopt's link guess, masked.
    const other = graph.discovery.find((item) => item.environmentId === dev.id)?.unadopted[0];
    expect(other?.env.DB_PASSWORD).toBe('••••••');
    expect(JSON.stringify(graph.discovery)).not.toContain('hmac:00ff');
    // An application image is no database.
    expect(other?.databaseGuess).toBeNull();
  });

  it("tells Adopt which database engine an unadopted container runs, from the adapters' detection", () => {
    const { store, project, dev } = setup();
    const snapshots = new DiscoverySnapshots();
    const pg = { ...container('orders-db', 'p1', 'y'), spec: { ...spec, image: { ref: 'postgres:16', id: null, digest: null } } };
    // MYSQL_* on an image that names no engine: a guess, not a certainty.
    const unsure = { ...container('legacy-db', 'm1', 'z'), spec: { ...spec, image: { ref: 'acme/store:3', id: null, digest: null }, env: { MYSQL_DATABASE: 'store' } } };
    snapshots.set({ serverId: 's1', at: 1, reachable: true, error: null, containers: [pg, unsure] });
    const unadopted = buildInventoryGraph(store, snapshots, project.id).discovery.find((item) => item.environmentId === dev.id)?.unadopted ?? [];
    expect(unadopted.find((item) => item.containerName === 'orders-db')?.databaseGuess).toMatchObject({ type: 'postgresql', sure: true });
    expect(unadopted.find((item) => item.containerName === 'legacy-db')?.databaseGuess).toMatchObject({ sure: false });
  });

  it('recognises a container Gantry labelled for this resource and environment', () => {
    const { store, project, uat, web } = setup();
    store.bindEnvironment({ environmentId: uat.id, serverId: 's1' });
    const snapshots = new DiscoverySnapshots();
    snapshots.set({ serverId: 's1', at: 1, reachable: true, error: null, containers: [container('shop-web', 'old-id', 'h1'), container('shop-web-uat', 'u1', 'h9', { 'gantry.resource': web.id, 'gantry.environment': uat.name })] });
    const graph = buildInventoryGraph(store, snapshots, project.id);
    expect(graph.cells.map((cell) => cell.container?.containerName)).toEqual(['shop-web', 'shop-web-uat']);
    expect(graph.cells.map((cell) => cell.status)).toEqual(['in_sync', 'in_sync']);
  });

  it('marks every cell of an unreachable server', () => {
    const { store, project, dev } = setup();
    const snapshots = new DiscoverySnapshots();
    snapshots.set({ serverId: 's1', at: 1, reachable: false, error: 'connect EHOSTUNREACH', containers: [] });
    const graph = buildInventoryGraph(store, snapshots, project.id);
    expect(graph.cells.find((cell) => cell.environmentId === dev.id)?.status).toBe('unreachable');
    expect(graph.discovery.find((item) => item.environmentId === dev.id)).toMatchObject({ reachable: false, error: 'connect EHOSTUNREACH' });
  });
});
