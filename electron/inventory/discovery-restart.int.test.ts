/**
 * Discovery across an engine restart, against the lab: the graph of a reopened data folder shows
 * the last discovery with its time before anything runs, a background job then refreshes it, and
 * the container's clear secret is in neither gantry.db nor its WAL.
 * Run inside a real keychain: bash .ci/with-keyring.sh npx vitest run --project integration electron/inventory/discovery-restart.int.test.ts
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RequestChannel, RequestOf, ResponseOf } from '@shared/ipc/contract';
import { createApp, type GantryApp } from '../app/create-app';
import { createOsKeychain } from '../keychain/secret-store';

const lab = inject('lab');
const NAME = 'inv-restart-web';
const SECRET = 'restart-Pw-66120-clear';
const dataDir = mkdtempSync(join(tmpdir(), 'gantry-discovery-restart-'));
const secretStore = createOsKeychain('Gantry-test-discovery-restart');
let app: GantryApp;
let serverId = '';

async function call<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  const result = await app.router.dispatch(channel, request, { bridge: 'browser' });
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as ResponseOf<C>;
}

async function sh(command: string): Promise<string> {
  const result = await app.servers.connections.get(serverId).exec(command);
  if (result.code !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  return result.stdout.trim();
}

beforeAll(async () => {
  app = createApp({ dataDir, version: 'test', secretStore });
  const dev = lab.servers.dev;
  const { server } = await call('servers:save', {
    server: { name: 'restart-dev', host: dev.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
    pin: { fingerprint: dev.hostKey.fingerprint, algorithm: dev.hostKey.publicKey.split(' ')[0]! },
  });
  serverId = server.id;
  await sh(`docker rm -fv ${NAME} >/dev/null 2>&1; docker run -d --name ${NAME} -e 'DB_PASSWORD=${SECRET}' gantry-lab/webapp:1`);
});

afterAll(async () => {
  await sh(`docker rm -fv ${NAME} >/dev/null 2>&1; true`).catch(() => undefined);
  secretStore.delete('inventory:spec-fingerprint-key');
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('discovery across an engine restart', () => {
  it('shows the last discovery with its time at once, then refreshes it in the background', async () => {
    const { project } = await call('projects:create', { name: 'Restart (discovery test)', environments: [{ name: 'dev' }] });
    const [dev] = (await call('inventory:graph', { projectId: project.id })).environments;
    await call('environments:bind', { environmentId: dev!.id, serverId });
    await call('resources:adopt', { environmentId: dev!.id, container: NAME, resource: { name: 'web', kind: 'application' } });
    const { jobId } = await call('inventory:discover', { projectId: project.id });
    expect((await app.jobs.finished(jobId)).type).toBe('done');
    const before = await call('inventory:graph', { projectId: project.id });
    const seenAt = before.discovery[0]!.discoveredAt!;
    expect(before.cells[0]).toMatchObject({ status: 'in_sync', container: { containerName: NAME } });

    await app.close();
    app = createApp({ dataDir, version: 'test', secretStore });
    const after = await call('inventory:graph', { projectId: project.id });
    expect(after.discovery[0]).toMatchObject({ discoveredAt: seenAt, reachable: true });
    expect(after.cells[0]).toMatchObject({ status: 'in_sync', container: { containerName: NAME, specHash: before.cells[0]!.container!.specHash } });
    expect(after.cells[0]!.container!.spec.env.DB_PASSWORD).toBe('••••••');

    const refresh = app.jobs.list().find((job) => job.kind === 'discovery');
    expect(refresh?.title).toMatch(/Refresh the last discovery of 1 server/);
    expect((await app.jobs.finished(refresh!.jobId)).type).toBe('done');
    const refreshed = await call('inventory:graph', { projectId: project.id });
    expect(refreshed.discovery[0]!.discoveredAt!).toBeGreaterThan(seenAt);
    expect(refreshed.cells[0]).toMatchObject({ status: 'in_sync' });

    const files = readdirSync(dataDir).filter((file) => file.startsWith('gantry.db'));
    expect(files).toContain('gantry.db-wal');
    for (const file of files) expect(readFileSync(join(dataDir, file)).toString('latin1'), file).not.toContain(SECRET);
  });
});
