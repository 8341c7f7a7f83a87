/**
 * A production domain through the UI against the lab: the wizard's domain field refuses an
 * invalid domain with its reason, takes `shop-<pid>.prod.gantry-lab.test`, the pre-checks show it
 * resolves to prod and nothing else routes it; production needs approval, so bob (a second
 * engine, through its API) approves and alice starts it from the Approvals page; the migration
 * page names the certificate Pebble issued; an HTTPS request from this machine through prod,
 * trusting only Pebble's root, gets the app's page.
 *   bash .ci/with-keyring.sh npx playwright test e2e/domains.spec.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabDetails } from '../lab/lab-client';
import { connectEngine } from './engine-client';
import { test, expect, openApp, startEngine, stopEngine, type Engine } from './fixtures';
import { MigrationsPage } from './pages/migrations';

const TAG = 'e2edom';
const PROJECT = 'Shop (domains e2e)';
let lab: LabDetails;
const keys = mkdtempSync(join(tmpdir(), 'gantry-e2e-dom-keys-'));

function onServer(server: 'uat' | 'prod', command: string): string {
  return execFileSync('sh', ['-c', command], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: lab.servers[server].dockerHost } }).trim();
}
function sshProd(command: string): string {
  return execFileSync('ssh', ['-i', lab.keys.plain, '-o', `UserKnownHostsFile=${lab.knownHostsFile}`, '-o', 'BatchMode=yes', `root@${lab.servers.prod.host}`, command], { encoding: 'utf8' });
}
function keygen(name: string): { path: string; publicKey: string } {
  const path = join(keys, name);
  execFileSync('ssh-keygen', ['-t', 'ed25519', '-q', '-N', '', '-C', name, '-f', path]);
  return { path, publicKey: readFileSync(`${path}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ') };
}
function httpsGet(domain: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: lab.servers.prod.host, port: 443, servername: domain, headers: { host: domain }, path: '/', agent: false, ca, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
const cleanup = `docker rm -fv $(docker ps -aq --filter name=${TAG}) >/dev/null 2>&1; docker volume rm $(docker volume ls -q --filter name=${TAG}) >/dev/null 2>&1; true`;
const routeCleanup = `curl -s -X DELETE http://localhost:2019/id/gantry-route-production-${TAG}-web >/dev/null; rm -rf /var/lib/gantry/approvals`;

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

test('a domain for the first clone into production: refused when invalid, certificate from Pebble, HTTPS gets the app', async ({ page }) => {
  test.setTimeout(300_000);
  const shop = `shop-${process.pid}.${lab.domains.servers.prod}`;
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
      const root = sshProd(`curl -sk ${lab.domains.proxy.pebbleRoots.replace(lab.servers.prod.host, '127.0.0.1')}`);
      const page2 = await httpsGet(shop, root);
      expect(page2.status).toBe(200);
      expect(JSON.parse(page2.body)).toEqual({ app: 'gantry-lab-webapp', version: '1' });
    });
    client.close();
    bobClient.close();
  } finally {
    if (alice.engine) await stopEngine(alice.engine);
    await stopEngine(bob.engine);
  }
});

