/**
 * Domains against the lab's prod: its plain Caddy (admin API on prod's loopback, reached over
 * SSH) and Pebble issuing over HTTP-01, with names resolved by the lab DNS. A web app container
 * gets a route through the `route-domain` step, the `check-certificate` step waits for Pebble's
 * certificate, and an HTTPS request from this machine through prod, trusting only Pebble's root,
 * gets the app's page. A domain change replaces the route (the old name stops serving) and its
 * undo brings the old one back; undo of a first route removes it.
 * Run: flock /tmp/gantry-labtest.lock bash .ci/with-keyring.sh npx vitest run --project integration electron/domains
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// Each HTTPS request opens a fresh connection (no keep-alive agent), so a changed route shows at once.
import { caddyAdminRoute, caddyRouteIdFor } from '@shared/domains/proxy-routing';
import type { StepOf } from '@shared/migration/steps';
import { createApp, type GantryApp } from '../app/create-app';
import { createOsKeychain } from '../keychain/secret-store';
import { checkCertificateStep } from '../migrations/steps/check-certificate';
import { routeDomainStep } from '../migrations/steps/route-domain';
import type { ExecutionContext } from '../migrations/steps/step-context';
import type { RemoteHost } from '../servers/remote-host';
import { CaddyAdmin } from './caddy-admin';
import { checkServedCertificate } from './certificate-probe';

const lab = inject('lab');
const dataDir = mkdtempSync(join(tmpdir(), 'gantry-domains-int-'));
const secretStore = createOsKeychain('Gantry-test-domains');
const container = 'domit-web';
const hostPort = 18081;
const base = lab.domains.servers.prod;
const shop = `shop-${process.pid}.${base}`;
const store = `store-${process.pid}.${base}`;
const routeId = caddyRouteIdFor(container);
let app: GantryApp;
let prod: RemoteHost;
let prodId = '';

async function sh(command: string): Promise<string> {
  const result = await prod.exec(command, {});
  if (result.code !== 0) throw new Error(`prod: ${command.slice(0, 200)} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

function contextOf(): ExecutionContext {
  return { migrationId: 'domit', source: prod, target: prod, resources: new Map(), labelsFor: () => ({}), waitForReady: true, healthTimeoutMs: 60_000, httpCheckPath: null, warnings: [], local: {} as ExecutionContext['local'] };
}

function jobOf<T>(journaled: { value: Partial<T> | null }) {
  const controller = new AbortController();
  return { signal: controller.signal, log: () => {}, progress: () => {}, throwIfCancelled: () => {}, checkpoint: (partial: Partial<T>) => (journaled.value = { ...journaled.value, ...partial }) };
}

function routeStep(domain: string): StepOf<'route-domain'> {
  return { id: `route-domain:web`, kind: 'route-domain', title: `Route ${domain}`, undo: 'Put the previous route back', params: { containerName: container, domain, routeId, dial: `127.0.0.1:${hostPort}` } };
}

function certStep(domain: string, timeoutMs = 60_000): StepOf<'check-certificate'> {
  return { id: 'check-certificate:web', kind: 'check-certificate', title: `Check ${domain}`, undo: null, params: { domain, acmeIssuer: lab.domains.proxy.acmeDirectory, timeoutMs } };
}

/** GET over HTTPS from this machine to prod's address with the domain as SNI/Host, trusting only `ca`. */
function httpsGet(domain: string, ca: string | undefined): Promise<{ status: number; body: string; issuer: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: lab.servers.prod.host, port: 443, servername: domain, headers: { host: domain }, path: '/', agent: false, ca, rejectUnauthorized: ca !== undefined, timeout: 10_000 }, (res) => {
      let body = '';
      const issuer = String((res.socket as TLSSocket).getPeerCertificate().issuer?.CN ?? '');
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, issuer }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** Pebble's current root (it makes a new one at every start), from its management API on prod. */
async function pebbleRoot(): Promise<string> {
  return sh(`curl -sk ${lab.domains.proxy.pebbleRoots.replace(lab.servers.prod.host, '127.0.0.1')}`);
}

beforeAll(async () => {
  app = createApp({ dataDir, version: 'test', secretStore });
  const server = lab.servers.prod;
  const saved = await app.router.dispatch(
    'servers:save',
    { server: { name: 'domit-prod', host: server.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } }, pin: { fingerprint: server.hostKey.fingerprint, algorithm: server.hostKey.publicKey.split(' ')[0]! } },
    { bridge: 'browser' },
  );
  if (!saved.ok) throw new Error(saved.error.message);
  prodId = (saved.value as { server: { id: string } }).server.id;
  prod = app.servers.connections.get(prodId);
  await new CaddyAdmin(prod).removeRoute(routeId);
  await sh(`docker rm -fv ${container} >/dev/null 2>&1; docker run -d --init --name ${container} -p ${hostPort}:8080 gantry-lab/webapp:1 >/dev/null`);
});

afterAll(async () => {
  if (prod) {
    await new CaddyAdmin(prod).removeRoute(routeId).catch(() => undefined);
    await sh(`docker rm -fv ${container} >/dev/null 2>&1; true`).catch(() => undefined);
  }
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('plain Caddy through its admin API, certificates from Pebble', () => {
  it('the server probe names prod’s Caddy and its admin API', async () => {
    const started = await app.router.dispatch('servers:probe', { id: prodId }, { bridge: 'browser' });
    if (!started.ok) throw new Error(started.error.message);
    await app.jobs.finished((started.value as { jobId: string }).jobId);
    const listed = await app.router.dispatch('servers:list', {}, { bridge: 'browser' });
    if (!listed.ok) throw new Error(listed.error.message);
    const probe = (listed.value as { servers: { id: string; probe: { reverseProxy: string; reverseProxyDetail: string | null } | null }[] }).servers.find((each) => each.id === prodId)!.probe!;
    expect(probe.reverseProxy).toBe('caddy');
    expect(probe.reverseProxyDetail).toBe('container lab-caddy (gantry-lab/caddy:2) — admin API on localhost:2019: domains as Caddy routes');
  });

  it('the lab DNS resolves the domain to prod, asked from prod', async () => {
    expect((await sh(`getent ahostsv4 ${shop} | awk 'NR==1{print $1}'`)).trim()).toBe(lab.servers.prod.host);
  });

  it('before any route, the certificate check says nothing serves the domain', async () => {
    const report = await checkServedCertificate(prod, shop);
    expect(report.ok).toBe(false);
    expect(report.message).toMatch(/Nothing answers https|not for/);
  });

  it('routes the domain, idempotently; Pebble issues over HTTP-01; HTTPS from here trusting Pebble’s root gets the app', async () => {
    const journaled: { value: Partial<{ previous: unknown }> | null } = { value: null };
    const context = contextOf();
    const result = await routeDomainStep.run(routeStep(shop), context, jobOf(journaled));
    expect(result.previous).toBeNull();
    expect(journaled.value).toEqual({ previous: null });
    // Once more: still one route under that @id.
    await routeDomainStep.run(routeStep(shop), context, jobOf({ value: null }));
    const routes = await sh(`curl -s localhost:2019/config/apps/http/servers/https/routes`);
    expect(routes.split(`"@id":"${routeId}"`).length - 1).toBe(1);

    const checked = await checkCertificateStep.run(certStep(shop), context, jobOf({ value: null }));
    expect(checked).toMatchObject({ ok: true, message: expect.stringMatching(new RegExp(`^certificate for ${shop.replace(/\./g, '\\.')} issued by Pebble Intermediate CA`)), httpStatus: 200 });
    expect(new Date(checked.notAfter!).getTime()).toBeGreaterThan(Date.now());
    expect(context.warnings).toEqual([]);
    expect(await sh(`docker logs lab-caddy 2>&1 | grep -c '"challenge":"http-01"' || true`)).not.toBe('0\n');

    const page = await httpsGet(shop, await pebbleRoot());
    expect(page.status).toBe(200);
    expect(JSON.parse(page.body)).toEqual({ app: 'gantry-lab-webapp', version: '1' });
    expect(page.issuer).toMatch(/^Pebble Intermediate CA/);
    // Trusting another CA (the one Pebble's own TLS is from) instead, the same request is refused.
    await expect(httpsGet(shop, await sh('docker exec lab-pebble cat /etc/pebble/ca.pem'))).rejects.toThrow(/certificate/i);
  });

  it('a domain change serves the new name and not the old; its undo brings the old one back', async () => {
    const journaled: { value: Partial<{ previous: unknown }> | null } = { value: null };
    const context = contextOf();
    const step = routeStep(store);
    const result = await routeDomainStep.run(step, context, jobOf(journaled));
    expect(result.previous).toMatchObject(caddyAdminRoute({ containerName: container, domain: shop, dial: `127.0.0.1:${hostPort}` }));
    expect(await checkCertificateStep.run(certStep(store), context, jobOf({ value: null }))).toMatchObject({ ok: true, httpStatus: 200 });
    const root = await pebbleRoot();
    expect((await httpsGet(store, root)).status).toBe(200);
    await expect(httpsGet(shop, root)).rejects.toThrow();
    expect(await routeDomainStep.verify!(step, context, 'done')).toEqual([]);

    await routeDomainStep.undo!(step, context, result);
    expect(await routeDomainStep.verify!(step, context, 'undone')).toEqual([]);
    expect((await httpsGet(shop, root)).status).toBe(200);
    await expect(httpsGet(store, root)).rejects.toThrow();
  });

  it('undo of a first route removes it (and is safe to repeat); a route the step never wrote is left alone', async () => {
    const context = contextOf();
    const step = routeStep(shop);
    await routeDomainStep.undo!(step, context, null);
    expect(await new CaddyAdmin(prod).route(routeId)).not.toBeNull();
    await routeDomainStep.undo!(step, context, { previous: null });
    await routeDomainStep.undo!(step, context, { previous: null });
    expect(await new CaddyAdmin(prod).route(routeId)).toBeNull();
    expect(await routeDomainStep.verify!(step, context, 'undone')).toEqual([]);
  });

  it('a certificate that never comes completes with a warning that says why', async () => {
    const context = contextOf();
    const result = await checkCertificateStep.run(certStep(`nothing-${process.pid}.${base}`, 4000), context, jobOf({ value: null }));
    expect(result.ok).toBe(false);
    expect(context.warnings).toEqual([expect.stringMatching(/no valid certificate after 4 s — Nothing answers https/)]);
  });
});
