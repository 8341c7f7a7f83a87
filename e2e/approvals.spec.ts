/**
 * Four eyes on production through the UI: two engines (alice's and bob's Gantry, separate data
 * folders and keys) in two browser contexts against the lab. alice's wizard ends in "Request
 * approval", bob sees the request counted in his navigation and approves it, alice starts it and
 * production runs the new spec; both names and key fingerprints are on the record.
 *   bash .ci/with-keyring.sh npx playwright test e2e/approvals.spec.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { LabDetails } from '../lab/lab-client';
import { connectEngine } from './engine-client';
import { runOnLabServer } from './lab-servers';
import { test, expect, openApp, startEngine, stopEngine, type Engine } from './fixtures';
import { expectAccessible } from './pages/axe';
import { MigrationsPage } from './pages/migrations';
import { ShellPage } from './pages/shell';

const TAG = 'e2eapr';
const PROJECT = 'Shop (approvals e2e)';
let lab: LabDetails;
const keys = mkdtempSync(join(tmpdir(), 'gantry-e2e-keys-'));

function onServer(server: 'uat' | 'prod', command: string): string {
  return runOnLabServer(lab, server, command);
}
function keygen(name: string): { path: string; publicKey: string; fingerprint: string } {
  const path = join(keys, name);
  execFileSync('ssh-keygen', ['-t', 'ed25519', '-q', '-N', '', '-C', name, '-f', path]);
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${path}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
  return { path, publicKey: readFileSync(`${path}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' '), fingerprint };
}
async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `e2e/artifacts/${name}.png`, fullPage: true });
}
const cleanup = `docker rm -fv $(docker ps -aq --filter name=${TAG}) >/dev/null 2>&1; true`;

test.beforeAll(() => {
  lab = JSON.parse(execFileSync('bash', ['lab/lab.sh', 'env'], { encoding: 'utf8' })) as LabDetails;
  onServer('uat', cleanup);
  onServer('prod', cleanup);
  execFileSync('ssh', ['-i', lab.keys.plain, '-o', `UserKnownHostsFile=${lab.knownHostsFile}`, '-o', 'BatchMode=yes', `root@${lab.servers.prod.host}`, 'rm -rf /var/lib/gantry/approvals']);
  onServer('uat', `docker run -d --name uat-${TAG}-web --init -e APP_MODE=uat gantry-lab/webapp:2 >/dev/null`);
  onServer('prod', `docker run -d --name prod-${TAG}-web --init -e APP_MODE=production gantry-lab/webapp:1 >/dev/null`);
});
test.afterAll(() => {
  onServer('uat', cleanup);
  onServer('prod', cleanup);
  execFileSync('ssh', ['-i', lab.keys.plain, '-o', `UserKnownHostsFile=${lab.knownHostsFile}`, '-o', 'BatchMode=yes', `root@${lab.servers.prod.host}`, 'rm -rf /var/lib/gantry/approvals']);
});

test('alice requests uat → production, bob approves from his Gantry, alice starts it', async ({ page, browser }) => {
  test.setTimeout(300_000);
  const alice = { engine: null as Engine | null, key: keygen('alice') };
  const bob = { engine: await startEngine(), key: keygen('bob') };
  alice.engine = await startEngine();
  try {
    const client = await connectEngine(alice.engine);
    const bobClient = await connectEngine(bob.engine);
    const serverIds: Record<string, string> = {};
    for (const [who, each] of [['alice', client], ['bob', bobClient]] as const) {
      for (const server of ['uat', 'prod'] as const) {
        const { server: saved } = await each.invoke('servers:save', {
          server: { name: server, host: lab.servers[server].host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
          pin: { fingerprint: lab.servers[server].hostKey.fingerprint, algorithm: lab.servers[server].hostKey.publicKey.split(' ')[0]! },
        });
        if (who === 'alice') serverIds[server] = saved.id;
      }
    }
    const { project } = await client.invoke('projects:create', { name: PROJECT, environments: [{ name: 'uat' }, { name: 'production', production: true }] });
    const chain = (await client.invoke('inventory:graph', { projectId: project.id })).environments;
    await client.invoke('environments:bind', { environmentId: chain[0]!.id, serverId: serverIds.uat! });
    await client.invoke('environments:bind', { environmentId: chain[1]!.id, serverId: serverIds.prod! });
    const { resource } = await client.invoke('resources:adopt', { environmentId: chain[0]!.id, container: `uat-${TAG}-web`, resource: { name: 'web', kind: 'application' } });
    await client.invoke('resources:adopt', { environmentId: chain[1]!.id, container: `prod-${TAG}-web`, resource: { resourceId: resource.id } });
    await client.invoke('approvals:set-identity', { principal: 'alice', keyPath: alice.key.path });
    await bobClient.invoke('approvals:set-identity', { principal: 'bob', keyPath: bob.key.path });
    const roles = ['request', 'approve', 'deploy'] as ('request' | 'approve' | 'deploy')[];
    await client.invoke('approvals:setup-policy', { serverId: serverIds.prod!, members: [{ principal: 'alice', publicKey: alice.key.publicKey, roles }, { principal: 'bob', publicKey: bob.key.publicKey, roles }] });

    // An earlier request bob rejected: it stays listed in History with who rejected it and why.
    const earlier = await client.invoke('migrations:plan', { projectId: project.id, sourceEnvId: chain[0]!.id, targetEnvId: chain[1]!.id, resourceIds: [resource.id] });
    const { requestId: rejectedId } = await client.invoke('approvals:request', { planId: earlier.planId, options: { waitForReady: true, healthTimeoutSec: 120 } });
    const bobProd = (await bobClient.invoke('servers:list', {})).servers.find((server) => server.name === 'prod')!.id;
    await bobClient.invoke('approvals:pin-policy', { serverId: bobProd, digest: (await bobClient.invoke('approvals:policy', { serverId: bobProd })).digest! });
    await bobClient.invoke('approvals:decide', { serverId: bobProd, requestId: rejectedId, decision: 'reject', reason: 'not during the sale' });

    await openApp(page, alice.engine);
    const migrations = new MigrationsPage(page);
    await test.step('alice: the last step into production is "Request approval"', async () => {
      await migrations.open();
      await migrations.startNew(PROJECT, 'uat');
      await migrations.resource('web').getByRole('checkbox').check();
      await migrations.continue();
      await migrations.prechecksShown();
      for (const step of ['review', 'options', 'confirm'] as const) {
        await migrations.continue();
        await migrations.atStep(step);
      }
      await page.getByLabel('Type production to confirm').fill('production');
      await expect(migrations.mainButton()).toHaveText('Request approval');
      await migrations.continue();
      const card = page.getByTestId('approval-request').first();
      await expect(card).toHaveAttribute('data-state', 'pending_approval', { timeout: 30_000 });
      await expect(card).toContainText('Waiting for someone else to approve.');
      await expect(card.getByRole('button', { name: 'Approve' })).toHaveCount(0);
      await shot(page, 'approvals-requested');
    });

    const bobContext = await browser.newContext();
    const bobPage = await bobContext.newPage();
    await test.step('bob: prod’s policy is pinned, the request is counted and reviewed live', async () => {
      await openApp(bobPage, bob.engine);
      await new ShellPage(bobPage).goTo('Approvals');
      const policy = bobPage.locator('[data-testid="approval-policy"][data-server="prod"]');
      await expect(policy).toHaveAttribute('data-state', 'pinned');
      await bobPage.getByRole('button', { name: 'Refresh' }).click();
      await expect(bobPage.getByTestId('approvals-count')).toHaveText('1');
      const card = bobPage.getByTestId('approval-request').first();
      await expect(card).toContainText(`Requested by alice ${alice.key.fingerprint}`);
      await card.getByText(/^Changes/).click();
      await expect(card.getByTestId('spec-diff')).toContainText('gantry-lab/webapp:2');
      const live = card.getByTestId('approval-live');
      await expect(live).toHaveAttribute('data-checked', 'true');
      await expect(live).toContainText('production is as alice requested it.');
      await live.getByText(/^Pre-checks re-run now/).click();
      await expect(live.getByTestId('prechecks')).toContainText(/No other migration is running on /);
      await shot(bobPage, 'approvals-review');
      await expectAccessible(bobPage, 'approvals page with a pending request');
    });

    await test.step('bob: production changed by hand after the request: the live check warns; put back, it does not', async () => {
      const card = bobPage.getByTestId('approval-request').first();
      const live = card.getByTestId('approval-live');
      onServer('prod', `docker update --restart unless-stopped prod-${TAG}-web >/dev/null`);
      try {
        await live.getByRole('button', { name: 'Check again' }).click();
        await expect(live.getByTestId('live-target-warning')).toContainText(/^production changed since alice requested it \(web's spec is [0-9a-f]{12}, requested at [0-9a-f]{12}\)\. An approval of this request cannot be used: the run is refused at start\. Ask alice to request again\.$/);
        await shot(bobPage, 'approvals-live-warning');
        await expectAccessible(bobPage, 'approvals page with a live-target warning');
      } finally {
        onServer('prod', `docker update --restart no prod-${TAG}-web >/dev/null`);
      }
      await live.getByRole('button', { name: 'Check again' }).click();
      await expect(live).toHaveAttribute('data-checked', 'true');
      await expect(live.getByTestId('live-target-warning')).toHaveCount(0);
      await expect(live).toContainText('production is as alice requested it.');
    });

    await test.step('bob: approves', async () => {
      const card = bobPage.getByTestId('approval-request').first();
      await card.getByRole('button', { name: 'Approve' }).click();
      await expect(card).toHaveAttribute('data-state', 'approved');
      await expect(card).toContainText(`Approved by bob ${bob.key.fingerprint}`);
      await expect(bobPage.getByTestId('approvals-count')).toHaveCount(0);
      // bob's Gantry has no inventory of alice's project: it says where to start the run, and uses nothing.
      await card.getByRole('button', { name: 'Start migration' }).click();
      await expect(card.getByRole('alert').filter({ hasText: 'does not know the project' })).toContainText(`This Gantry does not know the project "${PROJECT}" this request was made in (its ids are those of alice's Gantry). Start it from alice's Gantry`);
      await expect(card).toHaveAttribute('data-state', 'approved');
    });

    await test.step('alice: starts the approved request; production runs v2 and the record names both', async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      const card = page.getByTestId('approval-request').first();
      await expect(card).toHaveAttribute('data-state', 'approved');
      await card.getByRole('button', { name: 'Start migration' }).click();
      await migrations.detailStatus(/^completed/);
      await expect(migrations.detail()).toContainText(`Requested by alice (${alice.key.fingerprint})`);
      await expect(migrations.detail()).toContainText(`Approved by bob (${bob.key.fingerprint})`);
      const trail = migrations.detail().getByTestId('approval-trail');
      await expect(trail.getByTestId('trail-request')).toHaveAttribute('data-state', 'used');
      await expect(trail).toContainText(`Requested by alice ${alice.key.fingerprint}`);
      await expect(trail).toContainText(`Approved by bob ${bob.key.fingerprint}`);
      await expect(trail).toContainText(/Started by \S+ on /);
      expect(onServer('prod', `docker inspect --format '{{.Config.Image}}' prod-${TAG}-web`)).toBe('gantry-lab/webapp:2');
      await shot(page, 'approvals-started');
    });

    await test.step('History: the trail lists the run and the rejected request, names and fingerprints', async () => {
      await new ShellPage(page).goTo('History');
      const trail = page.getByTestId('approval-trail');
      await expect(trail.locator('[data-testid="trail-request"][data-state="used"]')).toContainText(`Approved by bob ${bob.key.fingerprint}`);
      const rejected = trail.locator('[data-testid="trail-request"][data-state="rejected"]');
      await expect(rejected).toContainText(`Requested by alice ${alice.key.fingerprint}`);
      await expect(rejected).toContainText(`Rejected by bob ${bob.key.fingerprint}`);
      await expect(rejected).toContainText('not during the sale');
      await expectAccessible(page, 'history with the approval trail');
    });

    await test.step('alice: proposes a policy change with her own roles per member; one approver’s signature applies it, bob’s Gantry follows', async () => {
      await new ShellPage(page).goTo('Approvals');
      const policy = page.locator('[data-testid="approval-policy"][data-server="prod"]');
      await expect(policy).toHaveAttribute('data-state', 'pinned');
      await policy.getByRole('button', { name: 'Propose a change' }).click();
      const form = policy.getByRole('form', { name: 'Propose a policy change' });
      await expect(form.getByLabel('bob may deploy')).toBeChecked();
      await form.getByLabel('bob may deploy').uncheck();
      await form.getByLabel('Rollback').check();
      await expectAccessible(page, 'policy change form');
      await form.getByRole('button', { name: 'Sign and propose the change' }).click();
      await expect(policy).toContainText('v2, 1 approval needed');
      await expect(policy).toContainText(`bob (request, approve) ${bob.key.fingerprint}`);
      await expect(policy).toContainText('refuses rollback without an approval');
      const seen = await bobClient.invoke('approvals:policy', { serverId: bobProd });
      expect(seen).toMatchObject({ state: 'pinned', version: 2, maintenanceRefused: ['rollback'] });
    });
    await bobContext.close();
    client.close();
    bobClient.close();
  } finally {
    if (alice.engine) await stopEngine(alice.engine);
    await stopEngine(bob.engine);
  }
});
