/**
 * Inventory against the lab: real sshd and dockerd on dev, uat and prod, reached through the
 * servers area's pooled connections. Containers are started by hand (docker run over SSH, as an
 * operator would), then discovered, adopted, shown with their status, and changed outside Gantry.
 * Run inside a real keychain: bash .ci/with-keyring.sh npx vitest run --project integration electron/inventory
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RequestOf, RequestChannel, ResponseOf } from '@shared/ipc/contract';
import type { InventoryGraph } from '@shared/inventory/model';
import { createApp, type GantryApp } from '../app/create-app';
import { createOsKeychain } from '../keychain/secret-store';
import { discoverServers, type InventoryHost } from './discovery';
import { loadSpecSealer } from './spec-hash';

const lab = inject('lab');

const PREFIX = 'inv-it-';
const dataDir = mkdtempSync(join(tmpdir(), 'gantry-inventory-int-'));
const secretStore = createOsKeychain('Gantry-test-inventory');
let app: GantryApp;
const serverIds: Record<string, string> = {};

async function call<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  const result = await app.router.dispatch(channel, request, { bridge: 'browser' });
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as ResponseOf<C>;
}

async function sh(server: 'dev' | 'uat' | 'prod', command: string): Promise<string> {
  const result = await app.servers.connections.get(serverIds[server]!).exec(command);
  if (result.code !== 0) throw new Error(`${server}: ${command} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** `docker run` of the lab web app as an operator would type it. */
function runWeb(name: string, options: { mode?: string; image?: string } = {}): string {
  return [
    `docker run -d --name ${PREFIX}${name} --init --restart unless-stopped`,
    `-e APP_MODE=${options.mode ?? 'dev'} -e 'DATABASE_URL=postgres://app:int-s3cret@db:5432/app' -e API_TOKEN=int-token`,
    `-l app.owner=team-a ${options.image ?? 'gantry-lab/webapp:1'}`,
  ].join(' ');
}

async function discover(projectId?: string): Promise<void> {
  const { jobId } = await call('inventory:discover', projectId ? { projectId } : {});
  const event = await app.jobs.finished(jobId);
  if (event.type !== 'done') throw new Error(`discovery ended with ${JSON.stringify(event)}`);
}

const cleanup = `docker rm -fv $(docker ps -aq --filter name=${PREFIX}) >/dev/null 2>&1; true`;

beforeAll(async () => {
  app = createApp({ dataDir, version: 'test', databaseFile: ':memory:', secretStore });
  for (const name of ['dev', 'uat', 'prod'] as const) {
    const server = lab.servers[name];
    const { server: saved } = await call('servers:save', {
      server: { name: `inv-${name}`, host: server.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
      pin: { fingerprint: server.hostKey.fingerprint, algorithm: server.hostKey.publicKey.split(' ')[0]! },
    });
    serverIds[name] = saved.id;
    await sh(name, cleanup);
  }
});

afterAll(async () => {
  for (const name of Object.keys(serverIds) as ('dev' | 'uat' | 'prod')[]) await sh(name, cleanup).catch(() => undefined);
  secretStore.delete('inventory:spec-fingerprint-key');
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('spec hash against a real dockerd', () => {
  it('is the same for a container recreated identically, and changes with its env', async () => {
    const sealer = loadSpecSealer(secretStore);
    const dev = app.servers.connections.get(serverIds.dev!);
    const hashOf = async (name: string) => {
      const [result] = await discoverServers([serverIds.dev!], () => dev, sealer);
      const found = result?.containers.find((container) => container.containerName === `${PREFIX}${name}`);
      if (!found) throw new Error(`discovery did not see ${PREFIX}${name}: ${result?.error}`);
      return found;
    };
    await sh('dev', runWeb('hash'));
    const first = await hashOf('hash');
    expect((await hashOf('hash')).specHash).toBe(first.specHash);

    await sh('dev', `docker rm -fv ${PREFIX}hash >/dev/null && ${runWeb('hash')}`);
    const recreated = await hashOf('hash');
    expect(recreated.containerId).not.toBe(first.containerId);
    expect(recreated.specHash).toBe(first.specHash);

    await sh('dev', `docker rm -fv ${PREFIX}hash >/dev/null && ${runWeb('hash', { mode: 'staging' })}`);
    expect((await hashOf('hash')).specHash).not.toBe(first.specHash);
    await sh('dev', `docker rm -fv ${PREFIX}hash`);
  });

  it('reads a server in one SSH exec, however many containers it runs', async () => {
    for (const n of [1, 2, 3, 4]) await sh('uat', runWeb(`count-${n}`));
    const uat = app.servers.connections.get(serverIds.uat!);
    let execs = 0;
    const counting: InventoryHost = { label: uat.label, exec: (command, options) => ((execs += 1), uat.exec(command, options)) };
    const [result] = await discoverServers([serverIds.uat!], () => counting, loadSpecSealer(secretStore));
    expect(result?.containers.filter((container) => container.containerName.startsWith(`${PREFIX}count-`))).toHaveLength(4);
    expect(execs).toBe(1);
    await sh('uat', `docker rm -fv ${[1, 2, 3, 4].map((n) => `${PREFIX}count-${n}`).join(' ')}`);
  });
});

describe('discovery, adoption and status across dev, uat and prod', () => {
  it('discovers hand-started containers, adopts them, shows them in sync, and turns a changed one drifted', async () => {
    await sh('dev', runWeb('shop-web', { mode: 'dev' }));
    await sh('uat', runWeb('shop-web', { mode: 'uat' }));
    await sh('prod', runWeb('shop-web', { mode: 'production' }));

    const { project } = await call('projects:create', {
      name: 'Shop (inventory test)',
      environments: [{ name: 'dev' }, { name: 'uat' }, { name: 'production', production: true }],
    });
    const chain = (await call('inventory:graph', { projectId: project.id })).environments;
    for (const [environment, server] of chain.map((e, i) => [e, (['dev', 'uat', 'prod'] as const)[i]!] as const)) {
      await call('environments:bind', { environmentId: environment.id, serverId: serverIds[server]! });
    }
    await discover(project.id);

    let graph: InventoryGraph = await call('inventory:graph', { projectId: project.id });
    for (const discovery of graph.discovery) {
      expect(discovery.reachable).toBe(true);
      expect(discovery.unadopted.map((container) => container.containerName)).toContain(`${PREFIX}shop-web`);
    }

    const { resource, container } = await call('resources:adopt', {
      environmentId: chain[0]!.id,
      container: `${PREFIX}shop-web`,
      resource: { name: 'web', kind: 'application', tags: ['frontend'] },
    });
    expect(container.spec.env.API_TOKEN).toBe('••••••');
    for (const environment of chain.slice(1)) {
      await call('resources:adopt', { environmentId: environment.id, container: `${PREFIX}shop-web`, resource: { resourceId: resource.id } });
    }

    graph = await call('inventory:graph', { projectId: project.id });
    expect(graph.cells.map((cell) => cell.status)).toEqual(['in_sync', 'in_sync', 'in_sync']);
    expect(graph.discovery.every((discovery) => !discovery.unadopted.some((c) => c.containerName === `${PREFIX}shop-web`))).toBe(true);
    expect(JSON.stringify(graph)).not.toMatch(/int-token|int-s3cret/);
    const stored = JSON.stringify(app.db.$client.prepare('SELECT * FROM spec_history').all()) + JSON.stringify(app.db.$client.prepare('SELECT * FROM instances').all());
    expect(stored).toContain('APP_MODE');
    expect(stored).not.toMatch(/int-token|int-s3cret/);

    // Someone changes uat by hand: same name, new env.
    await sh('uat', `docker rm -fv ${PREFIX}shop-web >/dev/null && ${runWeb('shop-web', { mode: 'uat-hotfix' })}`);
    await discover(project.id);
    graph = await call('inventory:graph', { projectId: project.id });
    const byEnvironment = Object.fromEntries(graph.cells.map((cell) => [chain.find((e) => e.id === cell.environmentId)!.name, cell]));
    expect(byEnvironment.uat).toMatchObject({ status: 'drifted', container: { containerName: `${PREFIX}shop-web` } });
    expect(byEnvironment.uat?.reason).toMatch(/outside Gantry/);
    expect(byEnvironment.dev?.status).toBe('in_sync');
    expect(byEnvironment.production?.status).toBe('in_sync');

    // The operator accepts the change: it becomes the new baseline, and history keeps both.
    await call('resources:accept-drift', { resourceId: resource.id, environmentId: chain[1]!.id });
    graph = await call('inventory:graph', { projectId: project.id });
    expect(graph.cells.find((cell) => cell.environmentId === chain[1]!.id)?.status).toBe('in_sync');
    expect(app.db.$client.prepare('SELECT event FROM spec_history WHERE environment_id = ? ORDER BY id').all(chain[1]!.id)).toEqual([{ event: 'adopted' }, { event: 'accepted_drift' }]);

    // Removed by hand: absent.
    await sh('prod', `docker rm -fv ${PREFIX}shop-web`);
    await discover(project.id);
    graph = await call('inventory:graph', { projectId: project.id });
    expect(graph.cells.find((cell) => cell.environmentId === chain[2]!.id)?.status).toBe('absent');
  });

  it('shows uat behind when dev runs a newer image', async () => {
    await sh('dev', runWeb('behind-web', { image: 'gantry-lab/webapp:2'}));
    await sh('uat', runWeb('behind-web', { image: 'gantry-lab/webapp:1'}));
    const { project } = await call('projects:create', { name: 'Behind (inventory test)', environments: [{ name: 'dev' }, { name: 'uat' }] });
    const chain = (await call('inventory:graph', { projectId: project.id })).environments;
    await call('environments:bind', { environmentId: chain[0]!.id, serverId: serverIds.dev! });
    await call('environments:bind', { environmentId: chain[1]!.id, serverId: serverIds.uat! });
    const { resource } = await call('resources:adopt', { environmentId: chain[0]!.id, container: `${PREFIX}behind-web`, resource: { name: 'web', kind: 'application' } });
    await call('resources:adopt', { environmentId: chain[1]!.id, container: `${PREFIX}behind-web`, resource: { resourceId: resource.id } });
    await discover(project.id);
    const graph = await call('inventory:graph', { projectId: project.id });
    expect(graph.cells.map((cell) => [cell.status, cell.reason])).toEqual([
      ['in_sync', expect.any(String)],
      ['behind', 'Upstream runs a newer image.'],
    ]);
  });

  it('shows an environment whose server cannot be reached as unreachable', async () => {
    // 10.213.47.250 is inside the lab subnet and has no machine behind it.
    const { server } = await call('servers:save', {
      server: { name: 'inv-nowhere', host: '10.213.47.250', port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
    });
    const { project } = await call('projects:create', { name: 'Unreachable (inventory test)', environments: [{ name: 'dev' }] });
    const [dev] = (await call('inventory:graph', { projectId: project.id })).environments;
    await call('environments:bind', { environmentId: dev!.id, serverId: server.id });
    await discover(project.id);
    const graph = await call('inventory:graph', { projectId: project.id });
    expect(graph.discovery[0]).toMatchObject({ reachable: false });
    expect(graph.discovery[0]?.error).toBeTruthy();
  });
});
