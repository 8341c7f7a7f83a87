import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type GantryDatabase } from '../store/open-database';
import { servers } from '../store/schema';
import { InventoryStore } from './inventory-store';
import { SpecSealer } from './spec-hash';
import { defaultRuntime, type ResourceSpec } from '@shared/spec/resource-spec';

const open: GantryDatabase[] = [];
afterEach(() => open.splice(0).forEach((db) => db.$client.close()));

function fresh(): { db: GantryDatabase; store: InventoryStore } {
  const db = openDatabase(':memory:');
  open.push(db);
  return { db, store: new InventoryStore(db) };
}

function addServer(db: GantryDatabase, name: string): string {
  const id = `srv-${name}`;
  db.insert(servers).values({ id, name, host: '10.213.47.11', username: 'root', authMethod: 'agent', createdAt: 1, updatedAt: 1 }).run();
  return id;
}

const names = (store: InventoryStore, projectId: string) => store.environments(projectId).map((environment) => environment.name);

describe('InventoryStore chains', () => {
  it('creates a project with its chain in order and a network per environment', () => {
    const { store } = fresh();
    const project = store.createProject('Shop', [{ name: 'dev', production: false }, { name: 'uat', production: false }, { name: 'production', production: true }]);
    expect(project).toMatchObject({ name: 'Shop', environmentCount: 3, resourceCount: 0 });
    expect(names(store, project.id)).toEqual(['dev', 'uat', 'production']);
    expect(store.environments(project.id)[2]).toMatchObject({ production: true, network: 'gantry-shop-production', serverId: null });
    expect(store.listProjects().map((p) => p.name)).toEqual(['Shop']);
  });

  it('refuses a duplicate project, a duplicate environment and production before the end', () => {
    const { store } = fresh();
    store.createProject('Shop', []);
    expect(() => store.createProject('shop', [])).toThrow(/already exists/);
    expect(() => store.createProject('Other', [{ name: 'dev', production: false }, { name: 'dev', production: false }])).toThrow(/Two environments are named "dev"/);
    expect(() => store.createProject('Third', [{ name: 'production', production: true }, { name: 'dev', production: false }])).toThrow(/must be the last/);
    expect(store.listProjects().map((p) => p.name)).toEqual(['Shop']);
  });

  it('adds a non-production environment before production and refuses a second production', () => {
    const { store } = fresh();
    const project = store.createProject('Shop', [{ name: 'dev', production: false }, { name: 'production', production: true }]);
    store.addEnvironment({ projectId: project.id, name: 'uat', production: false, serverId: null, domain: 'uat.example.com' });
    expect(names(store, project.id)).toEqual(['dev', 'uat', 'production']);
    expect(() => store.addEnvironment({ projectId: project.id, name: 'prod2', production: true, serverId: null, domain: '' })).toThrow(/must be the last/);
    expect(() => store.addEnvironment({ projectId: project.id, name: 'uat', production: false, serverId: null, domain: '' })).toThrow(/Two environments are named "uat"/);
    expect(names(store, project.id)).toEqual(['dev', 'uat', 'production']);
  });

  it('reorders, and refuses a cycle, a missing environment and production in the middle without changing anything', () => {
    const { store } = fresh();
    const project = store.createProject('Shop', [{ name: 'uat', production: false }, { name: 'dev', production: false }, { name: 'production', production: true }]);
    const [uat, dev, production] = store.environments(project.id).map((environment) => environment.id) as [string, string, string];
    store.reorderEnvironments(project.id, [dev, uat, production]);
    expect(names(store, project.id)).toEqual(['dev', 'uat', 'production']);
    expect(() => store.reorderEnvironments(project.id, [dev, uat, dev, production])).toThrow(/appears twice/);
    expect(() => store.reorderEnvironments(project.id, [dev, production])).toThrow(/leaves out "uat"/);
    expect(() => store.reorderEnvironments(project.id, [dev, production, uat])).toThrow(/must be the last/);
    expect(names(store, project.id)).toEqual(['dev', 'uat', 'production']);
  });

  it('binds an environment to an existing server only, and unbinds it when the server is deleted', () => {
    const { db, store } = fresh();
    const project = store.createProject('Shop', [{ name: 'dev', production: false }, { name: 'uat', production: false }]);
    const [dev, uat] = store.environments(project.id);
    const serverId = addServer(db, 'lab-dev');
    expect(store.bindEnvironment({ environmentId: dev!.id, serverId, domain: 'dev.example.com' })).toMatchObject({ serverId, serverName: 'lab-dev', domain: 'dev.example.com' });
    expect(() => store.bindEnvironment({ environmentId: dev!.id, serverId: 'nope' })).toThrow(/no server with id nope/);
    expect(() => store.bindEnvironment({ environmentId: dev!.id, serverId, production: true })).toThrow(/must be the last/);
    expect(store.bindEnvironment({ environmentId: uat!.id, serverId: null, production: true }).production).toBe(true);
    db.delete(servers).run();
    expect(store.environment(dev!.id).serverId).toBeNull();
  });
});

describe('InventoryStore resources and history', () => {
  const spec: ResourceSpec = {
    image: { ref: 'gantry-lab/postgres:15', id: 'sha256:1', digest: null },
    entrypoint: null,
    command: ['postgres'],
    workingDir: '',
    user: '',
    env: { POSTGRES_PASSWORD: 'very-secret-pw', POSTGRES_DB: 'shop' },
    mounts: [],
    ports: [],
    labels: {},
    healthcheck: null,
    restartPolicy: { name: 'no', maximumRetryCount: 0 },
    limits: { memoryBytes: 0, nanoCpus: 0, pidsLimit: null },
    networks: [],
    runtime: defaultRuntime,
  };

  it('checks the database type, names and links of a resource', () => {
    const { store } = fresh();
    const project = store.createProject('Shop', []);
    const base = { tags: [], links: [], scheduledTasks: [] };
    expect(() => store.createResource(project.id, { ...base, name: 'db', kind: 'database', databaseType: null })).toThrow(/needs its database type/);
    expect(() => store.createResource(project.id, { ...base, name: 'web', kind: 'application', databaseType: 'redis' })).toThrow(/Only a database/);
    const db = store.createResource(project.id, { ...base, name: 'db', kind: 'database', databaseType: 'postgresql', tags: ['core', 'core'] });
    const web = store.createResource(project.id, { ...base, name: 'web', kind: 'application', databaseType: null, links: [db.id], scheduledTasks: [{ name: 'cleanup', schedule: '0 3 * * *', command: 'app cleanup', enabled: true }] });
    expect(web).toMatchObject({ links: [db.id], scheduledTasks: [{ name: 'cleanup' }] });
    expect(db.tags).toEqual(['core']);
    expect(() => store.createResource(project.id, { ...base, name: 'web', kind: 'application', databaseType: null })).toThrow(/already has a resource named "web"/);
    expect(() => store.createResource(project.id, { ...base, name: 'api', kind: 'application', databaseType: null, links: ['ghost'] })).toThrow(/links to ghost/);
  });

  it('edits tags, links and scheduled tasks after adoption, refusing cycles, foreign links and unreadable schedules without writing anything', () => {
    const { store } = fresh();
    const project = store.createProject('Shop', []);
    const other = store.createProject('Other', []);
    const base = { tags: [], links: [], scheduledTasks: [], databaseType: null, kind: 'application' as const };
    const db = store.createResource(project.id, { ...base, name: 'db', kind: 'database', databaseType: 'postgresql' });
    const api = store.createResource(project.id, { ...base, name: 'api', links: [db.id] });
    const web = store.createResource(project.id, { ...base, name: 'web' });
    const stranger = store.createResource(other.id, { ...base, name: 'stranger' });

    const task = { name: 'cleanup', schedule: ' */5 * * * * ', command: 'app cleanup --older-than 30%', enabled: true };
    const edited = store.updateResource(web.id, { tags: ['frontend', 'frontend', 'critical'], links: [api.id, db.id, db.id], scheduledTasks: [task] });
    expect(edited).toMatchObject({ tags: ['critical', 'frontend'], links: expect.arrayContaining([api.id, db.id]), scheduledTasks: [{ name: 'cleanup', schedule: '*/5 * * * *', command: task.command }] });
    expect(edited.links).toHaveLength(2);

    const before = store.resources(project.id);
    expect(() => store.updateResource(db.id, { tags: [], links: [web.id], scheduledTasks: [] })).toThrow(/Links cannot go round in a circle \(db → web → (api → )?db\)/);
    expect(() => store.updateResource(web.id, { tags: [], links: [web.id], scheduledTasks: [] })).toThrow(/cannot use itself/);
    expect(() => store.updateResource(web.id, { tags: [], links: [stranger.id], scheduledTasks: [] })).toThrow(/not a resource of this project/);
    expect(() => store.updateResource(web.id, { tags: [], links: [], scheduledTasks: [{ ...task, schedule: 'every day' }] })).toThrow(/cron cannot read/);
    expect(() => store.updateResource(web.id, { tags: [], links: [], scheduledTasks: [{ ...task, command: 'a\nb' }] })).toThrow(/spans several lines/);
    expect(() => store.updateResource(web.id, { tags: [], links: [], scheduledTasks: [task, task] })).toThrow(/two scheduled tasks named "cleanup"/);
    expect(() => store.updateResource('ghost', { tags: [], links: [], scheduledTasks: [] })).toThrow(/no resource with id ghost/);
    expect(store.resources(project.id)).toEqual(before);

    expect(store.updateResource(web.id, { tags: [], links: [], scheduledTasks: [] })).toMatchObject({ tags: [], links: [], scheduledTasks: [] });

    // The operator's choice of engine where detection was unsure (e.g. MYSQL_* on a MariaDB image).
    expect(store.updateResource(db.id, { tags: [], links: [], scheduledTasks: [], databaseType: 'mysql' }).databaseType).toBe('mysql');
    expect(store.updateResource(db.id, { tags: [], links: [], scheduledTasks: [] }).databaseType).toBe('mysql');
    expect(() => store.updateResource(web.id, { tags: [], links: [], scheduledTasks: [], databaseType: 'redis' })).toThrow(/"web" is an application, not a database/);
  });

  it('records instances with a sealed spec: no secret in SQLite, and the hash follows the secret', () => {
    const { db, store } = fresh();
    const project = store.createProject('Shop', [{ name: 'dev', production: false }]);
    const [dev] = store.environments(project.id);
    const resource = store.createResource(project.id, { name: 'db', kind: 'database', databaseType: 'postgresql', tags: [], links: [], scheduledTasks: [] });
    const sealer = new SpecSealer(Buffer.alloc(32, 7));
    const first = sealer.seal(spec);
    store.recordInstance({ resourceId: resource.id, environmentId: dev!.id, serverId: null, containerName: 'shop-db', containerId: 'c1', sealed: first, event: 'adopted' });
    const second = sealer.seal({ ...spec, env: { ...spec.env, POSTGRES_PASSWORD: 'rotated-pw' } });
    store.recordInstance({ resourceId: resource.id, environmentId: dev!.id, serverId: null, containerName: 'shop-db', containerId: 'c1', sealed: second, event: 'accepted_drift' });

    expect(second.hash).not.toBe(first.hash);
    expect(store.instances(project.id)).toEqual([expect.objectContaining({ recordedHash: second.hash, containerName: 'shop-db' })]);
    expect(store.history(resource.id, dev!.id).map((row) => row.event)).toEqual(['accepted_drift', 'adopted']);
    const dump = JSON.stringify(db.$client.prepare('SELECT * FROM spec_history').all()) + JSON.stringify(db.$client.prepare('SELECT * FROM instances').all());
    expect(dump).not.toContain('very-secret-pw');
    expect(dump).not.toContain('rotated-pw');
    expect(dump).toContain('shop');
  });
});
