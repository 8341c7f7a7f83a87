/**
 * A domain through the whole engine against the lab, over the IPC channels the UI uses: the web
 * app on uat is cloned into production with `shop-<pid>.prod.gantry-lab.test`; the plan routes it
 * through prod's plain Caddy and waits for Pebble's certificate; the migration log names it; an
 * HTTPS request from this machine through prod, trusting only Pebble's root, gets the app. A
 * promote of v2 leaves the route and the certificate as they were. A domain routed elsewhere
 * blocks in the pre-checks, one that does not resolve to prod warns, an invalid one is refused.
 * Production runs need an approved request: a second operator (bob, own app and key) approves each.
 * Run: flock /tmp/gantry-labtest.lock bash .ci/with-keyring.sh npx vitest run --project integration electron/domains/production-domain
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RequestChannel, RequestOf, ResponseOf } from '@shared/ipc/contract';
import { caddyAdminRoute } from '@shared/domains/proxy-routing';
import { createApp, type GantryApp } from '../app/create-app';
import { makeIdentities } from '../approvals/testing/test-identities';
import { createOsKeychain } from '../keychain/secret-store';
import { CaddyAdmin } from './caddy-admin';

const lab = inject('lab');
const dataDir = mkdtempSync(join(tmpdir(), 'gantry-proddomain-int-'));
const secretStore = createOsKeychain('Gantry-test-proddomain');
const base = lab.domains.servers.prod;
const shop = `shop-${process.pid}.${base}`;
const taken = `taken-${process.pid}.${base}`;
let app: GantryApp;
/** The second operator (approves production runs). */
let bob: GantryApp;
const bobDir = mkdtempSync(join(tmpdir(), 'gantry-proddomain-int-bob-'));
const bobSecrets = createOsKeychain('Gantry-test-proddomain-bob');
let bobProdServerId = '';
const who = makeIdentities(['alice', 'bob'] as const);
const serverIds: Record<string, string> = {};
const env: Record<string, string> = {};
let projectId = '';
let webId = '';
const routeIds: string[] = [];

async function call<C extends RequestChannel>(channel: C, req: RequestOf<C>): Promise<ResponseOf<C>> {
  const result = await app.router.dispatch(channel, req, { bridge: 'browser' });
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as ResponseOf<C>;
}

async function bobCall<C extends RequestChannel>(channel: C, req: RequestOf<C>): Promise<ResponseOf<C>> {
  const result = await bob.router.dispatch(channel, req, { bridge: 'browser' });
  if (!result.ok) throw new Error(`bob: ${channel} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as ResponseOf<C>;
}

async function sh(server: 'uat' | 'prod', command: string): Promise<string> {
  const result = await app.servers.connections.get(serverIds[server]!).exec(command);
  if (result.code !== 0) throw new Error(`${server}: ${command} failed: ${result.stderr}`);
  return result.stdout.trim();
}

const cleanup = `docker rm -fv $(docker ps -aq --filter name=pdomit) >/dev/null 2>&1; docker volume rm $(docker volume ls -q --filter name=pdomit) >/dev/null 2>&1; rm -rf /var/lib/gantry/approvals; true`;

/** GET https://<domain>/ from this machine, connecting to prod's address, trusting only `ca`; with the served leaf's fingerprint. */
function httpsGet(domain: string, ca: string): Promise<{ status: number; body: string; issuer: string; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: lab.servers.prod.host, port: 443, servername: domain, headers: { host: domain }, path: '/', agent: false, ca, timeout: 10_000 }, (res) => {
      const cert = (res.socket as TLSSocket).getPeerCertificate();
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, issuer: String(cert.issuer?.CN ?? ''), fingerprint: createHash('sha256').update(cert.raw).digest('hex') }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

async function plan(domains: Record<string, string>) {
  return call('migrations:plan', { projectId, sourceEnvId: env.uat!, targetEnvId: env.production!, resourceIds: [webId], domains });
}

async function runPlan(planned: ResponseOf<'migrations:plan'>) {
  expect(planned.plan.blocking, JSON.stringify(planned.plan.prechecks)).toBe(false);
  const options = { waitForReady: true, healthTimeoutSec: 60 };
  const { requestId } = await call('approvals:request', { planId: planned.planId, options });
  await bobCall('approvals:decide', { serverId: bobProdServerId, requestId, decision: 'approve' });
  const { migrationId, jobId } = await call('approvals:start', { serverId: serverIds.prod!, requestId });
  await app.jobs.finished(jobId);
  return call('migrations:get', { migrationId });
}

function runUatWeb(version: 1 | 2): string {
  return `docker rm -fv uat-pdomit-web >/dev/null 2>&1; docker run -d --name uat-pdomit-web --init --restart unless-stopped -p 18390:8080 gantry-lab/webapp:${version} >/dev/null`;
}

beforeAll(async () => {
  app = createApp({ dataDir, version: 'test', secretStore });
  for (const name of ['uat', 'prod'] as const) {
    const server = lab.servers[name];
    const { server: saved } = await call('servers:save', {
      server: { name: `pdom-${name}`, host: server.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
      pin: { fingerprint: server.hostKey.fingerprint, algorithm: server.hostKey.publicKey.split(' ')[0]! },
    });
    serverIds[name] = saved.id;
    await sh(name, cleanup);
  }
  bob = createApp({ dataDir: bobDir, version: 'test', secretStore: bobSecrets });
  const prod = lab.servers.prod;
  bobProdServerId = (await bobCall('servers:save', {
    server: { name: 'pdom-prod', host: prod.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
    pin: { fingerprint: prod.hostKey.fingerprint, algorithm: prod.hostKey.publicKey.split(' ')[0]! },
  })).server.id;
  await call('approvals:set-identity', { principal: 'alice', keyPath: who.alice.keyPath });
  await bobCall('approvals:set-identity', { principal: 'bob', keyPath: who.bob.keyPath });
  const members = (['alice', 'bob'] as const).map((name) => ({ principal: name, publicKey: who[name].signer.publicKey, roles: ['request' as const, 'approve' as const, 'deploy' as const] }));
  const policy = await call('approvals:setup-policy', { serverId: serverIds.prod!, members, approvalsRequired: 1 });
  await bobCall('approvals:pin-policy', { serverId: bobProdServerId, digest: policy.digest! });
  await sh('uat', runUatWeb(1));
  const { project } = await call('projects:create', { name: 'Production domain test', environments: [{ name: 'uat' }, { name: 'production', production: true }] });
  projectId = project.id;
  const chain = (await call('inventory:graph', { projectId })).environments;
  await call('environments:bind', { environmentId: chain[0]!.id, serverId: serverIds.uat! });
  await call('environments:bind', { environmentId: chain[1]!.id, serverId: serverIds.prod!, domain: base });
  env.uat = chain[0]!.id;
  env.production = chain[1]!.id;
  webId = (await call('resources:adopt', { environmentId: env.uat, container: 'uat-pdomit-web', resource: { name: 'web', kind: 'application' } })).resource.id;
});

afterAll(async () => {
  const admin = new CaddyAdmin(app.servers.connections.get(serverIds.prod!));
  for (const id of routeIds) await admin.removeRoute(id).catch(() => undefined);
  for (const name of Object.keys(serverIds) as ('uat' | 'prod')[]) await sh(name, cleanup).catch(() => undefined);
  secretStore.delete('inventory:spec-fingerprint-key');
  bobSecrets.delete('inventory:spec-fingerprint-key');
  await bob?.close();
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(bobDir, { recursive: true, force: true });
});

describe('a domain for the first clone into production', () => {
  it('refuses an invalid domain with its reason; warns when it does not resolve to prod; blocks one routed elsewhere', async () => {
    const invalid = await plan({ [webId]: 'https://shop.example.com' });
    expect(invalid.plan.blocking).toBe(true);
    expect(invalid.plan.prechecks.find((check) => check.check === 'domain')?.message).toMatch(/Leave out the scheme/);

    const unresolved = await plan({ [webId]: `shop-${process.pid}.nowhere.${lab.domains.base}` });
    expect(unresolved.plan.prechecks.find((check) => check.id.endsWith(':dns'))).toMatchObject({ severity: 'warning', message: expect.stringMatching(/does not resolve \(asked from/) });
    expect(unresolved.plan.blocking).toBe(false);

    const admin = new CaddyAdmin(app.servers.connections.get(serverIds.prod!));
    const other = caddyAdminRoute({ containerName: `pdomit-other-${process.pid}`, domain: taken, dial: '127.0.0.1:9' });
    routeIds.push(other['@id']);
    await admin.putRoute(other);
    const blocked = await plan({ [webId]: taken });
    expect(blocked.plan.blocking).toBe(true);
    expect(blocked.plan.prechecks.find((check) => check.id.endsWith(':unique'))).toMatchObject({ severity: 'blocking', message: expect.stringContaining(`already routed to ${other['@id']}`) });
    await admin.removeRoute(other['@id']);
  });

  let fingerprint = '';
  let root = '';
  const runs: Record<'promote', string> = { promote: '' };
  it('clones into production with the domain: Caddy routes it, Pebble issues the certificate, the log names it, HTTPS gets the app', async () => {
    const planned = await plan({ [webId]: shop });
    const web = planned.plan.resources[0]!;
    expect(web.domain).toMatchObject({ domain: shop, proxy: 'caddy-admin', acmeIssuer: lab.domains.proxy.acmeDirectory });
    routeIds.push(web.domain!.routeId!);
    expect(planned.plan.prechecks.filter((check) => check.check === 'domain').map((check) => [check.id.split(':')[2], check.severity])).toEqual([
      ['proxy', 'ok'],
      ['ports', 'ok'],
      ['issuer', 'ok'],
      ['unique', 'ok'],
      ['dns', 'ok'],
    ]);
    const detail = await runPlan(planned);
    expect(detail.migration.status, detail.migration.message ?? '').toBe('completed');
    expect(detail.steps.map((step) => step.stepId.split(':')[0])).toEqual(expect.arrayContaining(['route-domain', 'check-certificate']));
    expect(detail.log.map((line) => line.message)).toContainEqual(expect.stringMatching(new RegExp(`^certificate for ${shop.replace(/\./g, '\\.')} issued by Pebble Intermediate CA \\w+, valid until \\d{4}-\\d\\d-\\d\\d`)));

    root = await sh('prod', `curl -sk ${lab.domains.proxy.pebbleRoots.replace(lab.servers.prod.host, '127.0.0.1')}`);
    const page = await httpsGet(shop, root);
    expect(page.status).toBe(200);
    expect(JSON.parse(page.body)).toEqual({ app: 'gantry-lab-webapp', version: '1' });
    expect(page.issuer).toMatch(/^Pebble Intermediate CA/);
    fingerprint = page.fingerprint;
  });

  it('a promote of v2 keeps the domain and the certificate', async () => {
    await sh('uat', runUatWeb(2));
    const { jobId } = await call('inventory:discover', { projectId });
    await app.jobs.finished(jobId);
    const planned = await plan({});
    expect(planned.plan.resources[0]!.mode).toBe('promote');
    expect(planned.plan.steps.map((step) => step.kind)).not.toContain('route-domain');
    const detail = await runPlan(planned);
    runs.promote = detail.migration.id;
    expect(detail.migration.status, detail.migration.message ?? '').toBe('completed');
    const page = await httpsGet(shop, root);
    expect(JSON.parse(page.body)).toEqual({ app: 'gantry-lab-webapp', version: '2' });
    expect(page.fingerprint).toBe(fingerprint);
  });

  it('rolling back the promote keeps the domain and serves v1 again', async () => {
    const { migrationId, jobId } = await call('migrations:rollback', { migrationId: runs.promote, options: { waitForReady: true, healthTimeoutSec: 60 } });
    await app.jobs.finished(jobId);
    expect((await call('migrations:get', { migrationId })).migration.status).toBe('completed');
    const page = await httpsGet(shop, root);
    expect(JSON.parse(page.body)).toEqual({ app: 'gantry-lab-webapp', version: '1' });
    expect(page.fingerprint).toBe(fingerprint);
  });

  it('rolling back a clone takes its route away', async () => {
    await sh('uat', 'docker rm -fv uat-pdomit-api >/dev/null 2>&1; docker run -d --name uat-pdomit-api --init -p 18391:8080 gantry-lab/webapp:1 >/dev/null');
    const apiId = (await call('resources:adopt', { environmentId: env.uat!, container: 'uat-pdomit-api', resource: { name: 'api', kind: 'application' } })).resource.id;
    const api = `api-${process.pid}.${base}`;
    const planned = await call('migrations:plan', { projectId, sourceEnvId: env.uat!, targetEnvId: env.production!, resourceIds: [apiId], domains: { [apiId]: api } });
    const routeId = planned.plan.resources[0]!.domain!.routeId!;
    routeIds.push(routeId);
    const cloned = await runPlan(planned);
    expect(cloned.migration.status, cloned.migration.message ?? '').toBe('completed');
    expect((await httpsGet(api, root)).status).toBe(200);

    const { migrationId, jobId } = await call('migrations:rollback', { migrationId: cloned.migration.id, options: { waitForReady: true, healthTimeoutSec: 60 } });
    await app.jobs.finished(jobId);
    const undone = await call('migrations:get', { migrationId });
    expect(undone.migration.status, undone.migration.message ?? '').toBe('completed');
    expect(undone.steps.map((step) => step.stepId)).toContain(`route-domain:${apiId}`);
    expect(await new CaddyAdmin(app.servers.connections.get(serverIds.prod!)).route(routeId)).toBeNull();
    await expect(httpsGet(api, root)).rejects.toThrow();
    // The other resource's domain is untouched.
    expect((await httpsGet(shop, root)).status).toBe(200);
  });
});
