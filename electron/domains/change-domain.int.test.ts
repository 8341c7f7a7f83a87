/**
 * "Change domain" through the engine against the lab, over the channels the UI uses. The web app
 * is cloned from uat into a staging environment on prod (no approval needed there), then: the
 * pre-checks refuse an invalid domain with its reason, block one Caddy already routes elsewhere,
 * and warn for one that does not resolve to prod; a change from no domain to A and from A to B
 * each serve over HTTPS with Pebble's certificate (the old one no longer answers); the rollback of
 * the change to B brings A back and takes B away.
 * Run: flock /tmp/gantry-labtest.lock bash .ci/with-keyring.sh npx vitest run --project integration electron/domains/change-domain
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { caddyAdminRoute, caddyRouteIdFor } from '@shared/domains/proxy-routing';
import type { RequestChannel, RequestOf, ResponseOf } from '@shared/ipc/contract';
import { createApp, type GantryApp } from '../app/create-app';
import { createOsKeychain } from '../keychain/secret-store';
import { CaddyAdmin } from './caddy-admin';

const lab = inject('lab');
const dataDir = mkdtempSync(join(tmpdir(), 'gantry-chdom-int-'));
const secretStore = createOsKeychain('Gantry-test-chdom');
const base = lab.domains.servers.prod;
const first = `first-${process.pid}.${base}`;
const second = `second-${process.pid}.${base}`;
const taken = `taken-${process.pid}.${base}`;
const routeId = caddyRouteIdFor('staging-chdomit-web');
let app: GantryApp;
const serverIds: Record<string, string> = {};
const env: Record<string, string> = {};
let webId = '';
let root = '';

async function call<C extends RequestChannel>(channel: C, req: RequestOf<C>): Promise<ResponseOf<C>> {
  const result = await app.router.dispatch(channel, req, { bridge: 'browser' });
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as ResponseOf<C>;
}

async function refused<C extends RequestChannel>(channel: C, req: RequestOf<C>): Promise<string> {
  const result = await app.router.dispatch(channel, req, { bridge: 'browser' });
  if (result.ok) throw new Error(`${channel} was expected to be refused`);
  return result.error.message;
}

async function sh(server: 'uat' | 'prod', command: string): Promise<string> {
  const result = await app.servers.connections.get(serverIds[server]!).exec(command);
  if (result.code !== 0) throw new Error(`${server}: ${command} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** GET https://<domain>/ from this machine through prod, trusting only Pebble's root. */
function httpsGet(domain: string): Promise<{ status: number; body: string; issuer: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: lab.servers.prod.host, port: 443, servername: domain, headers: { host: domain }, path: '/', agent: false, ca: root, timeout: 10_000 }, (res) => {
      const cert = (res.socket as TLSSocket).getPeerCertificate();
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, issuer: String(cert.issuer?.CN ?? '') }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

async function change(domain: string) {
  const { migrationId, jobId } = await call('domains:change', { environmentId: env.staging!, resourceId: webId, domain });
  await app.jobs.finished(jobId);
  return call('migrations:get', { migrationId });
}

const cleanup = `docker rm -fv $(docker ps -aq --filter name=chdomit) >/dev/null 2>&1; docker volume rm $(docker volume ls -q --filter name=chdomit) >/dev/null 2>&1; rm -rf /var/lib/gantry/approvals; true`;

beforeAll(async () => {
  app = createApp({ dataDir, version: 'test', secretStore });
  for (const name of ['uat', 'prod'] as const) {
    const server = lab.servers[name];
    const { server: saved } = await call('servers:save', {
      server: { name: `chdom-${name}`, host: server.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
      pin: { fingerprint: server.hostKey.fingerprint, algorithm: server.hostKey.publicKey.split(' ')[0]! },
    });
    serverIds[name] = saved.id;
    await sh(name, cleanup);
  }
  await new CaddyAdmin(app.servers.connections.get(serverIds.prod!)).removeRoute(routeId);
  await sh('uat', 'docker run -d --name uat-chdomit-web --init -p 18395:8080 gantry-lab/webapp:1 >/dev/null');
  const { project } = await call('projects:create', { name: 'Change domain test', environments: [{ name: 'uat' }, { name: 'staging' }] });
  const chain = (await call('inventory:graph', { projectId: project.id })).environments;
  await call('environments:bind', { environmentId: chain[0]!.id, serverId: serverIds.uat! });
  await call('environments:bind', { environmentId: chain[1]!.id, serverId: serverIds.prod!, domain: base });
  env.uat = chain[0]!.id;
  env.staging = chain[1]!.id;
  webId = (await call('resources:adopt', { environmentId: env.uat, container: 'uat-chdomit-web', resource: { name: 'web', kind: 'application' } })).resource.id;
  const planned = await call('migrations:plan', { projectId: project.id, sourceEnvId: env.uat, targetEnvId: env.staging, resourceIds: [webId] });
  expect(planned.plan.blocking, JSON.stringify(planned.plan.prechecks)).toBe(false);
  const { jobId } = await call('migrations:start', { planId: planned.planId, options: { waitForReady: true, healthTimeoutSec: 60 } });
  await app.jobs.finished(jobId);
  root = await sh('prod', `curl -sk ${lab.domains.proxy.pebbleRoots.replace(lab.servers.prod.host, '127.0.0.1')}`);
}, 180_000);

afterAll(async () => {
  const admin = new CaddyAdmin(app.servers.connections.get(serverIds.prod!));
  for (const id of [routeId, caddyRouteIdFor(`chdomit-other-${process.pid}`)]) await admin.removeRoute(id).catch(() => undefined);
  for (const name of Object.keys(serverIds) as ('uat' | 'prod')[]) await sh(name, cleanup).catch(() => undefined);
  secretStore.delete('inventory:spec-fingerprint-key');
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Change domain', () => {
  it('pre-checks: an invalid domain is refused with its reason, one routed elsewhere blocks, one not resolving to prod warns', async () => {
    const check = (domain: string) => call('domains:check', { environmentId: env.staging!, resourceId: webId, domain });
    const invalid = await check(`https://${first}/`);
    expect(invalid).toMatchObject({ current: null, domain: null, blocking: true, proxy: 'caddy-admin' });
    expect(invalid.prechecks[0]!.message).toMatch(/Leave out the scheme/);
    expect(await refused('domains:change', { environmentId: env.staging!, resourceId: webId, domain: `https://${first}/` })).toMatch(/was not changed: .*Leave out the scheme/);

    const admin = new CaddyAdmin(app.servers.connections.get(serverIds.prod!));
    const other = caddyAdminRoute({ containerName: `chdomit-other-${process.pid}`, domain: taken, dial: '127.0.0.1:9' });
    await admin.putRoute(other);
    const blocked = await check(taken);
    expect(blocked.blocking).toBe(true);
    expect(blocked.prechecks.find((each) => each.id.endsWith(':unique'))).toMatchObject({ severity: 'blocking', message: expect.stringContaining(`already routed to ${other['@id']}`) });
    await admin.removeRoute(other['@id']);

    const unresolved = await check(`nowhere-${process.pid}.nowhere.${lab.domains.base}`);
    expect(unresolved.blocking).toBe(false);
    expect(unresolved.prechecks.find((each) => each.id.endsWith(':dns'))).toMatchObject({ severity: 'warning', message: expect.stringMatching(/does not resolve \(asked from/) });
    expect(unresolved.confirmName).toBeNull();
  });

  let toSecond = '';
  it('from no domain to A, then A to B: each serves over HTTPS with Pebble’s certificate, the old one does not', async () => {
    const toFirst = await change(first);
    expect(toFirst.migration.status, toFirst.migration.message ?? '').toBe('completed');
    expect((await call('domains:check', { environmentId: env.staging!, resourceId: webId, domain: second })).current).toBe(first);
    expect(await httpsGet(first)).toMatchObject({ status: 200, issuer: expect.stringMatching(/^Pebble Intermediate CA/) });

    const moved = await change(second);
    toSecond = moved.migration.id;
    expect(moved.migration.status, moved.migration.message ?? '').toBe('completed');
    expect(moved.steps.map((step) => step.stepId.split(':')[0])).toEqual(['route-domain', 'check-certificate', 'record-resource']);
    expect(moved.log.map((line) => line.message)).toContainEqual(expect.stringMatching(new RegExp(`^certificate for ${second.replace(/\./g, '\\.')} issued by Pebble Intermediate CA`)));
    expect(moved.canRollBack).toBe(true);
    // Titled by how it was started ("Change domain of web in staging"), not as a migration staging → staging.
    expect(moved.migration.domainChange).toEqual({ resourceName: 'web', from: first, to: second, undo: false });
    const page = await httpsGet(second);
    expect(page).toMatchObject({ status: 200, issuer: expect.stringMatching(/^Pebble Intermediate CA/) });
    expect(JSON.parse(page.body)).toEqual({ app: 'gantry-lab-webapp', version: '1' });
    await expect(httpsGet(first)).rejects.toThrow();
  }, 300_000);

  it('the rollback of the change to B brings A back and takes B away', async () => {
    const { migrationId, jobId } = await call('migrations:rollback', { migrationId: toSecond, options: { waitForReady: true, healthTimeoutSec: 60 } });
    await app.jobs.finished(jobId);
    const undone = await call('migrations:get', { migrationId });
    expect(undone.migration.status, undone.migration.message ?? '').toBe('completed');
    expect((await httpsGet(first)).status).toBe(200);
    await expect(httpsGet(second)).rejects.toThrow();
    const original = await call('migrations:get', { migrationId: toSecond });
    expect(original.migration.status).toBe('rolled_back');
    expect(original.canRollBack).toBe(false);
    // History lists the undo next to the change, titled as the undo of a domain change; the first clone stays a migration.
    expect(undone.migration.domainChange).toEqual({ resourceName: 'web', from: first, to: second, undo: true });
    const { migrations: history } = await call('migrations:list', { projectId: original.migration.projectId!, limit: 200 });
    expect(history.map((run) => [run.rollbackOf, run.domainChange?.undo ?? null])).toEqual([
      [toSecond, true],
      [null, false],
      [null, false],
      [null, null],
    ]);
  }, 300_000);
});
