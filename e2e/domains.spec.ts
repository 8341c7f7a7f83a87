/**
 * A production domain through the UI against the lab: the wizard's domain field refuses an
 * invalid domain with its reason, takes `shop-<pid>.prod.gantry-lab.test`, the pre-checks show it
 * resolves to prod and nothing else routes it; production needs approval, so bob (a second
 * engine, through its API) approves and alice starts it from the Approvals page; the migration
 * page names the certificate Pebble issued; an HTTPS request from this machine through prod,
 * trusting only Pebble's root, gets the app's page. A promote of v2 keeps the domain and the
 * certificate. "Change domain…" on the resource's page: an invalid domain is refused with its
 * reason, one Caddy already routes elsewhere blocks and one that does not resolve to prod warns,
 * before anything runs; the change serves the new domain with Pebble's certificate and the old one
 * no longer answers; Roll back on its migration page brings the old one back.
 *   bash .ci/with-keyring.sh npx playwright test e2e/domains.spec.ts
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { Page } from '@playwright/test';
import type { LabDetails } from '../lab/lab-client';
import { connectEngine, type EngineClient } from './engine-client';
import { runOnLabServer } from './lab-servers';
import { test, expect, openApp, startEngine, stopEngine, type Engine } from './fixtures';
import { expectAccessible } from './pages/axe';
import { EnvironmentsPage } from './pages/environments';
import { MigrationsPage } from './pages/migrations';

const TAG = 'e2edom';
const PROJECT = 'Shop (domains e2e)';
let lab: LabDetails;
const keys = mkdtempSync(join(tmpdir(), 'gantry-e2e-dom-keys-'));

function onServer(server: 'uat' | 'prod', command: string): string {
  return runOnLabServer(lab, server, command);
}
function sshProd(command: string): string {
  return execFileSync('ssh', ['-i', lab.keys.plain, '-o', `UserKnownHostsFile=${lab.knownHostsFile}`, '-o', 'BatchMode=yes', `root@${lab.servers.prod.host}`, command], { encoding: 'utf8' });
}
function keygen(name: string): { path: string; publicKey: string } {
  const path = join(keys, name);
  execFileSync('ssh-keygen', ['-t', 'ed25519', '-q', '-N', '', '-C', name, '-f', path]);
  return { path, publicKey: readFileSync(`${path}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ') };
}
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
/** Starts the production run whose request is pending: bob approves it (through his engine), alice starts it from the Approvals page. */
async function approveAndStart(page: Page, bobClient: EngineClient, bobProd: string): Promise<void> {
  await expect(page.locator('[data-testid="approval-request"][data-state="pending_approval"]')).toHaveCount(1, { timeout: 30_000 });
  const { requests } = await bobClient.invoke('approvals:list', {});
  const pending = requests.find((each) => each.state === 'pending_approval' && each.serverId === bobProd)!;
  await bobClient.invoke('approvals:decide', { serverId: bobProd, requestId: pending.id, decision: 'approve' });
  await page.getByRole('button', { name: 'Refresh' }).click();
  const card = page.locator('[data-testid="approval-request"][data-state="approved"]');
  await expect(card).toHaveCount(1);
  await card.getByRole('button', { name: 'Start migration' }).click();
}
async function discovered(client: EngineClient, projectId: string): Promise<void> {
  const { jobId } = await client.invoke('inventory:discover', { projectId });
  await expect.poll(async () => (await client.invoke('jobs:list', {})).jobs.find((job) => job.jobId === jobId)?.state ?? 'gone', { timeout: 60_000 }).not.toBe('running');
}
const cleanup = `docker rm -fv $(docker ps -aq --filter name=${TAG}) >/dev/null 2>&1; docker volume rm $(docker volume ls -q --filter name=${TAG}) >/dev/null 2>&1; true`;
const TAKEN_ROUTE = `${TAG}-taken`;
const routeCleanup = `curl -s -X DELETE http://localhost:2019/id/gantry-route-production-${TAG}-web >/dev/null; curl -s -X DELETE http://localhost:2019/id/${TAKEN_ROUTE} >/dev/null; rm -rf /var/lib/gantry/approvals`;

test.beforeAll(() => {
  lab = JSON.parse(execFileSync('bash', ['lab/lab.sh', 'env'], { encoding: 'utf8' })) as LabDetails;
  onServer('uat', cleanup);
  onServer('prod', cleanup);
  sshProd(routeCleanup);
  onServer('uat', `docker run -d --name uat-${TAG}-web --init -p 18490:8080 gantry-lab/webapp:1 >/dev/null`);
});
test.afterAll(() => {
  onServer('uat', cleanup);
  onServer('prod', cleanup);
  sshProd(routeCleanup);
});

test('a domain for the first clone into production: refused when invalid, certificate from Pebble, HTTPS gets the app; a promote keeps it; Change domain and its rollback', async ({ page }) => {
  test.setTimeout(720_000);
  const shop = `shop-${process.pid}.${lab.domains.servers.prod}`;
  const store = `store-${process.pid}.${lab.domains.servers.prod}`;
  const taken = `taken-${process.pid}.${lab.domains.servers.prod}`;
  const nowhere = `shop-${process.pid}.nowhere.${lab.domains.base}`;
  let root = '';
  let fingerprint = '';
  const alice = { engine: null as Engine | null, key: keygen('alice') };
  const bob = { engine: await startEngine(), key: keygen('bob') };
  alice.engine = await startEngine();
  try {
    const client = await connectEngine(alice.engine);
    const bobClient = await connectEngine(bob.engine);
    const serverIds: Record<string, string> = {};
    let bobProd = '';
    for (const [who, each] of [['alice', client], ['bob', bobClient]] as const) {
      for (const server of ['uat', 'prod'] as const) {
        const { server: saved } = await each.invoke('servers:save', {
          server: { name: server, host: lab.servers[server].host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
          pin: { fingerprint: lab.servers[server].hostKey.fingerprint, algorithm: lab.servers[server].hostKey.publicKey.split(' ')[0]! },
        });
        if (who === 'alice') serverIds[server] = saved.id;
        else if (server === 'prod') bobProd = saved.id;
      }
    }
    const { project } = await client.invoke('projects:create', { name: PROJECT, environments: [{ name: 'uat' }, { name: 'production', production: true }] });
    const chain = (await client.invoke('inventory:graph', { projectId: project.id })).environments;
    await client.invoke('environments:bind', { environmentId: chain[0]!.id, serverId: serverIds.uat! });
    await client.invoke('environments:bind', { environmentId: chain[1]!.id, serverId: serverIds.prod!, domain: lab.domains.servers.prod });
    await client.invoke('resources:adopt', { environmentId: chain[0]!.id, container: `uat-${TAG}-web`, resource: { name: 'web', kind: 'application' } });
    await client.invoke('approvals:set-identity', { principal: 'alice', keyPath: alice.key.path });
    await bobClient.invoke('approvals:set-identity', { principal: 'bob', keyPath: bob.key.path });
    const roles = ['request', 'approve', 'deploy'] as ('request' | 'approve' | 'deploy')[];
    const policy = await client.invoke('approvals:setup-policy', { serverId: serverIds.prod!, members: [{ principal: 'alice', publicKey: alice.key.publicKey, roles }, { principal: 'bob', publicKey: bob.key.publicKey, roles }] });
    await bobClient.invoke('approvals:pin-policy', { serverId: bobProd, digest: policy.digest! });

    await openApp(page, alice.engine);
    const migrations = new MigrationsPage(page);
    await test.step('the domain field refuses an invalid domain with its reason and takes shop.<base>', async () => {
      await migrations.open();
      await migrations.startNew(PROJECT, 'uat');
      await migrations.resource('web').getByRole('checkbox').check();
      const field = page.getByTestId('domain-input-web');
      await expect(field).toHaveAttribute('placeholder', `web.${lab.domains.servers.prod}`);
      await field.fill(`https://${shop}/`);
      await expect(page.getByTestId('domain-note-web')).toContainText('Leave out the scheme');
      await field.fill(shop);
      await expect(page.getByTestId('domain-note-web')).toHaveText(`https://${shop}`);
      await page.screenshot({ path: 'e2e/artifacts/domains-wizard-field.png', fullPage: true });
      await migrations.continue();
      const checks = await migrations.prechecksShown();
      await expect(checks).toContainText(`${shop} resolves to prod`);
      await expect(checks).toContainText(`${shop} is not routed to anything else`);
      for (const step of ['review', 'options', 'confirm'] as const) {
        await migrations.continue();
        await migrations.atStep(step);
      }
      await page.getByLabel('Type production to confirm').fill('production');
      await migrations.continue();
      await expect(page.getByTestId('approval-request').first()).toHaveAttribute('data-state', 'pending_approval', { timeout: 30_000 });
    });

    await test.step('bob approves; alice starts it; the migration page names Pebble’s certificate', async () => {
      const { requests } = await bobClient.invoke('approvals:list', {});
      const pending = requests.find((each) => each.state === 'pending_approval' && each.serverId === bobProd)!;
      await bobClient.invoke('approvals:decide', { serverId: bobProd, requestId: pending.id, decision: 'approve' });
      await page.getByRole('button', { name: 'Refresh' }).click();
      const card = page.getByTestId('approval-request').first();
      await expect(card).toHaveAttribute('data-state', 'approved');
      await card.getByRole('button', { name: 'Start migration' }).click();
      await migrations.detailStatus(/^completed/);
      await expect(migrations.detail()).toContainText(new RegExp(`certificate for ${shop.replace(/\./g, '\\.')} issued by Pebble Intermediate CA`));
      await page.screenshot({ path: 'e2e/artifacts/domains-certificate.png', fullPage: true });
    });

    await test.step('HTTPS from this machine through prod, trusting Pebble’s root, gets the app', async () => {
      root = sshProd(`curl -sk ${lab.domains.proxy.pebbleRoots.replace(lab.servers.prod.host, '127.0.0.1')}`);
      const page2 = await httpsGet(shop, root);
      expect(page2.status).toBe(200);
      expect(JSON.parse(page2.body)).toEqual({ app: 'gantry-lab-webapp', version: '1' });
      fingerprint = page2.fingerprint;
    });

    await test.step('a promote of v2 keeps the domain and its certificate', async () => {
      onServer('uat', `docker rm -fv uat-${TAG}-web >/dev/null 2>&1; docker run -d --name uat-${TAG}-web --init -p 18490:8080 gantry-lab/webapp:2 >/dev/null`);
      await discovered(client, project.id);
      await migrations.open();
      await migrations.startNew(PROJECT, 'uat');
      await migrations.resource('web').getByRole('checkbox').check();
      await expect(page.getByTestId('domain-fields')).toHaveCount(0);
      await migrations.continue();
      await migrations.prechecksShown();
      for (const step of ['review', 'options', 'confirm'] as const) {
        await migrations.continue();
        await migrations.atStep(step);
      }
      await page.getByLabel('Type production to confirm').fill('production');
      await migrations.continue();
      await approveAndStart(page, bobClient, bobProd);
      await migrations.detailStatus(/^completed/);
      await expect(migrations.detail()).not.toContainText(`Route ${shop}`);
      const served = await httpsGet(shop, root);
      expect(JSON.parse(served.body)).toEqual({ app: 'gantry-lab-webapp', version: '2' });
      expect(served.fingerprint).toBe(fingerprint);
    });

    const environments = new EnvironmentsPage(page);
    const openChangeDomain = async () => {
      await environments.open();
      await page.getByRole('button', { name: 'Details of web in production' }).click();
      await environments.dialog('web in production').getByRole('button', { name: 'Change domain…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Change the domain of web in production' });
      await expect(dialog.getByTestId('change-domain-current')).toHaveText(`Now: https://${shop}`, { timeout: 30_000 });
      return dialog;
    };
    await test.step('Change domain…: an invalid domain is refused with its reason, one routed elsewhere blocks, one not resolving to prod warns — before anything runs', async () => {
      await discovered(client, project.id);
      const runsBefore = (await client.invoke('migrations:list', {})).migrations.length;
      const dialog = await openChangeDomain();
      const field = dialog.getByTestId('change-domain-input');
      const check = dialog.getByRole('button', { name: 'Check the domain' });
      await field.fill(`https://${store}/`);
      await expect(dialog.getByTestId('change-domain-note')).toContainText('Leave out the scheme');
      await expect(check).toBeDisabled();
      await field.fill('shop_1.example.com');
      await expect(dialog.getByTestId('change-domain-note')).toContainText('no underscores');

      // Another route in prod's Caddy (its HTTPS server is named "https" in the lab) already has `taken`.
      sshProd(`curl -sf -X POST -H 'Content-Type: application/json' -d '${JSON.stringify({ '@id': TAKEN_ROUTE, match: [{ host: [taken] }], handle: [{ handler: 'static_response', body: 'someone else' }], terminal: true })}' http://localhost:2019/config/apps/http/servers/https/routes`);
      await field.fill(taken);
      await check.click();
      await expect(dialog.locator('.precheck-blocking')).toContainText(`${taken} is already routed to ${TAKEN_ROUTE}`, { timeout: 30_000 });
      await expect(dialog.getByRole('button', { name: /^Change domain/ })).toBeDisabled();

      await field.fill(nowhere);
      await check.click();
      await expect(dialog.locator('.precheck-warning')).toContainText(`${nowhere} does not resolve (asked from prod)`, { timeout: 30_000 });
      await expect(dialog.getByRole('button', { name: 'Change domain despite the warning' })).toBeDisabled();
      expect((await client.invoke('migrations:list', {})).migrations.length).toBe(runsBefore);
      await page.screenshot({ path: 'e2e/artifacts/domains-change-warning.png', fullPage: true });
      await expectAccessible(page, 'Change domain dialog with a warning');
      await dialog.getByRole('button', { name: 'Keep the current domain' }).click();
      await expect(dialog).toBeHidden();
      await page.keyboard.press('Escape');
      await expect(environments.dialog('web in production')).toBeHidden();
      sshProd(`curl -s -X DELETE http://localhost:2019/id/${TAKEN_ROUTE}`);
    });

    let changeRun = '';
    await test.step('Change domain…: the new domain serves with Pebble’s certificate, the old one does not', async () => {
      const dialog = await openChangeDomain();
      await dialog.getByTestId('change-domain-input').fill(store);
      await dialog.getByRole('button', { name: 'Check the domain' }).click();
      await expect(dialog.getByTestId('prechecks')).toContainText(`${store} resolves to prod`, { timeout: 30_000 });
      await expect(dialog.locator('.precheck-blocking, .precheck-warning')).toHaveCount(0);
      const start = dialog.getByRole('button', { name: 'Change domain', exact: true });
      await expect(start).toBeDisabled();
      await dialog.getByLabel('Type production to confirm').fill('production');
      await start.click();
      await migrations.detailStatus(/^completed/);
      changeRun = [...(await client.invoke('migrations:list', {})).migrations].sort((a, b) => b.createdAt - a.createdAt)[0]!.id;
      await expect(migrations.detail()).toContainText(`Route ${store} to production-${TAG}-web through Caddy instead of ${shop}`);
      await expect(migrations.detail()).toContainText(new RegExp(`certificate for ${store.replace(/\./g, '\\.')} issued by Pebble Intermediate CA`));
      await page.screenshot({ path: 'e2e/artifacts/domains-changed.png', fullPage: true });
      const served = await httpsGet(store, root);
      expect(served).toMatchObject({ status: 200, issuer: expect.stringMatching(/^Pebble Intermediate CA/) });
      expect(JSON.parse(served.body)).toEqual({ app: 'gantry-lab-webapp', version: '2' });
      await expect(httpsGet(shop, root)).rejects.toThrow();
    });

    await test.step('Roll back on the change’s migration page brings the old domain back and takes the new one away', async () => {
      await page.getByRole('button', { name: 'Roll back' }).click();
      await page.getByRole('dialog', { name: 'Roll back this migration?' }).getByRole('button', { name: 'Roll back' }).click();
      await expect(migrations.detail()).toContainText(`Route ${shop} to production-${TAG}-web through Caddy again instead of ${store}`);
      await migrations.detailStatus(/^completed/);
      const served = await httpsGet(shop, root);
      expect(served).toMatchObject({ status: 200, issuer: expect.stringMatching(/^Pebble Intermediate CA/) });
      expect(JSON.parse(served.body)).toEqual({ app: 'gantry-lab-webapp', version: '2' });
      await expect(httpsGet(store, root)).rejects.toThrow();
      expect((await client.invoke('migrations:get', { migrationId: changeRun })).migration.status).toBe('rolled_back');
    });
    client.close();
    bobClient.close();
  } finally {
    if (alice.engine) await stopEngine(alice.engine);
    await stopEngine(bob.engine);
  }
});

