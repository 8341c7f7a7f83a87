/**
 * The road to production through the UI, against the lab: an app and its PostgreSQL on uat are
 * cloned into production (four eyes: bob, a second engine, approves through its API). The
 * migration page names the new credentials (revealed on demand) and the webhook reminder, whose
 * "Register GitHub webhook" first says a token is missing, then, with the token saved in Settings,
 * reaches the FAKE GitHub API on loopback (GitHub cannot be reached here), which receives a hook
 * creation with a secret. A promote takes a verified backup; History lists it, "Restore this
 * backup" (production: its name typed) brings the data back; "Rotate credentials…" on the
 * database's page gives it a new password the app keeps working with, and the old one is refused.
 * axe checks the new dialogs and the Settings page.
 *   flock /tmp/gantry-labtest.lock bash .ci/with-keyring.sh npx playwright test e2e/production-safety.spec.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { LabDetails } from '../lab/lab-client';
import { removeTaggedCommand } from '../lab/tagged-cleanup';
import { startFakeGithubApi, type FakeGithubApi } from '../electron/webhooks/testing/fake-github-api';
import { connectEngine, type EngineClient } from './engine-client';
import { test, expect, openApp, startEngine, stopEngine, type Engine } from './fixtures';
import { runOnLabServer } from './lab-servers';
import { expectAccessible } from './pages/axe';
import { EnvironmentsPage } from './pages/environments';
import { HistoryPage } from './pages/history';
import { MigrationsPage } from './pages/migrations';
import { ShellPage } from './pages/shell';

const TAG = 'e2eps';
const PROJECT = 'Shop (production safety e2e)';
const UAT_PW = `uat-pw-${TAG}-${Date.now().toString(36)}`;
const GITHUB_TOKEN = `ghp_${TAG}faketoken0123456789`;
const HOOK_URL = `https://shop-${TAG}.prod.example/hooks/github`;
let lab: LabDetails;
let github: FakeGithubApi;
let keepBefore = '';
const keys = mkdtempSync(join(tmpdir(), 'gantry-e2e-ps-keys-'));

function onServer(server: 'uat' | 'prod', command: string): string {
  return runOnLabServer(lab, server, command);
}
function sshProd(command: string): string {
  return execFileSync('ssh', ['-i', lab.keys.plain, '-o', `UserKnownHostsFile=${lab.knownHostsFile}`, '-o', 'BatchMode=yes', `root@${lab.servers.prod.host}`, command], { encoding: 'utf8' }).trim();
}
function keygen(name: string): { path: string; publicKey: string } {
  const path = join(keys, name);
  execFileSync('ssh-keygen', ['-t', 'ed25519', '-q', '-N', '', '-C', name, '-f', path]);
  return { path, publicKey: readFileSync(`${path}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ') };
}
function envOf(container: string): Record<string, string> {
  const lines = JSON.parse(onServer('prod', `docker inspect --format '{{json .Config.Env}}' ${container}`)) as string[];
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}
/** Production's data as a user compares it: the rows of the app's table. */
const rows = () => onServer('prod', `for i in $(seq 1 60); do docker exec production-${TAG}-db pg_isready -q -U app -d app && break; sleep 1; done; docker exec production-${TAG}-db psql -U app -d app -tA -c 'SELECT count(*), coalesce(sum(n), 0) FROM items'`);
/** Whether PostgreSQL on prod lets `password` in (over TCP, so the password is checked). */
const login = (password: string) => onServer('prod', `docker exec -e PGPASSWORD=${password} production-${TAG}-db psql -h 127.0.0.1 -U app -d app -tA -c 'SELECT 1' 2>&1 || true`);
const appHealth = () => onServer('prod', `docker exec production-${TAG}-web python3 -c "import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:8080/health').read().decode())"`);
async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `e2e/artifacts/${name}.png`, fullPage: true });
}

const uatDbRun = (rev: number) =>
  `docker rm -fv uat-${TAG}-db >/dev/null 2>&1; docker run -d --name uat-${TAG}-db --init --network ${TAG}-uat -l ${TAG}.rev=${rev} -e POSTGRES_USER=app -e POSTGRES_PASSWORD=${UAT_PW} -e POSTGRES_DB=app -v uat-${TAG}-db-data:/var/lib/postgresql/data --health-cmd 'pg_isready -U app -d app' --health-interval 2s --health-retries 30 gantry-lab/postgres:15 >/dev/null`;
const webRun = `docker run -d --name uat-${TAG}-web --init --network ${TAG}-uat -l org.opencontainers.image.source=https://github.com/acme/${TAG}-shop -e GIT_REPO=https://github.com/acme/${TAG}-gone.git -e DATABASE_URL=postgres://app:${UAT_PW}@uat-${TAG}-db:5432/app -p 18492:8080 --health-cmd "python3 -c \\"import urllib.request;urllib.request.urlopen('http://127.0.0.1:8080/health')\\"" --health-interval 2s --health-retries 20 gantry-lab/webapp:1 >/dev/null`;
const cleanup = removeTaggedCommand(TAG);

test.beforeAll(async () => {
  lab = JSON.parse(execFileSync('bash', ['lab/lab.sh', 'env'], { encoding: 'utf8' })) as LabDetails;
  github = await startFakeGithubApi({ token: GITHUB_TOKEN, repositories: [`acme/${TAG}-shop`] });
  onServer('uat', cleanup);
  onServer('prod', cleanup);
  sshProd('rm -rf /var/lib/gantry/approvals');
  keepBefore = sshProd('cat $HOME/.gantry/backups/keep 2>/dev/null || true');
  onServer('uat', `docker network create ${TAG}-uat >/dev/null`);
  onServer('uat', uatDbRun(1));
  onServer('uat', webRun);
  onServer('uat', `for i in $(seq 1 60); do [ "$(docker inspect --format '{{.State.Health.Status}}' uat-${TAG}-db)" = healthy ] && exit 0; sleep 1; done; exit 1`);
});
test.afterAll(async () => {
  onServer('uat', cleanup);
  onServer('prod', cleanup);
  sshProd(`rm -rf /var/lib/gantry/approvals; ${keepBefore ? `echo ${Number(keepBefore)} > $HOME/.gantry/backups/keep` : 'rm -f $HOME/.gantry/backups/keep'}`);
  await github?.close();
});

/** Waits until a run the test started through the API ends; returns its status. */
async function finished(client: EngineClient, migrationId: string): Promise<string> {
  for (let i = 0; i < 300; i += 1) {
    const { migration } = await client.invoke('migrations:get', { migrationId });
    if (!['pending', 'running', 'pending_approval', 'approved'].includes(migration.status)) return migration.status;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`migration ${migrationId} did not end`);
}

/** Runs a discovery of the project and waits for its job to end. */
async function discovered(client: EngineClient, projectId: string): Promise<void> {
  const { jobId } = await client.invoke('inventory:discover', { projectId });
  await expect.poll(async () => (await client.invoke('jobs:list', {})).jobs.find((job) => job.jobId === jobId)?.state ?? 'gone', { timeout: 60_000 }).not.toBe('running');
}

test('production safety through the UI: new credentials, webhook reminder and GitHub hook, backups in History, Restore this backup, Rotate credentials', async ({ page }) => {
  test.setTimeout(600_000);
  const alice = { engine: null as Engine | null, key: keygen('alice') };
  const bob = { engine: await startEngine({ GANTRY_GITHUB_API: github.baseUrl }), key: keygen('bob') };
  alice.engine = await startEngine({ GANTRY_GITHUB_API: github.baseUrl });
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
    const [uat, production] = [chain[0]!, chain[1]!];
    await client.invoke('environments:bind', { environmentId: uat.id, serverId: serverIds.uat! });
    await client.invoke('environments:bind', { environmentId: production.id, serverId: serverIds.prod! });
    const db = (await client.invoke('resources:adopt', { environmentId: uat.id, container: `uat-${TAG}-db`, resource: { name: 'db', kind: 'database', databaseType: 'postgresql' } })).resource;
    await client.invoke('resources:adopt', { environmentId: uat.id, container: `uat-${TAG}-web`, resource: { name: 'web', kind: 'application', links: [db.id] } });
    await client.invoke('approvals:set-identity', { principal: 'alice', keyPath: alice.key.path });
    await bobClient.invoke('approvals:set-identity', { principal: 'bob', keyPath: bob.key.path });
    const roles = ['request', 'approve', 'deploy'] as ('request' | 'approve' | 'deploy')[];
    const policy = await client.invoke('approvals:setup-policy', { serverId: serverIds.prod!, members: [{ principal: 'alice', publicKey: alice.key.publicKey, roles }, { principal: 'bob', publicKey: bob.key.publicKey, roles }] });
    await bobClient.invoke('approvals:pin-policy', { serverId: bobProd, digest: policy.digest! });
    const approveLatest = async () => {
      const { requests } = await bobClient.invoke('approvals:list', {});
      const pending = requests.find((each) => each.state === 'pending_approval' && each.serverId === bobProd)!;
      await bobClient.invoke('approvals:decide', { serverId: bobProd, requestId: pending.id, decision: 'approve' });
      return pending.id;
    };

    await openApp(page, alice.engine);
    const migrations = new MigrationsPage(page);
    const shell = new ShellPage(page);
    let firstCloneUrl = '';

    await test.step('first clone uat → production: the page names the new credential and reveals it on demand', async () => {
      await migrations.open();
      await migrations.startNew(PROJECT, 'uat');
      await migrations.resource('web').getByRole('checkbox').check();
      await migrations.resource('db').getByRole('checkbox').check();
      await migrations.continue();
      await migrations.prechecksShown();
      for (const step of ['review', 'options', 'confirm'] as const) {
        await migrations.continue();
        await migrations.atStep(step);
      }
      await page.getByLabel('Type production to confirm').fill('production');
      await migrations.continue();
      await expect(page.getByTestId('approval-request').first()).toHaveAttribute('data-state', 'pending_approval', { timeout: 30_000 });
      await approveLatest();
      await page.getByRole('button', { name: 'Refresh' }).click();
      const card = page.getByTestId('approval-request').first();
      await expect(card).toHaveAttribute('data-state', 'approved');
      await card.getByRole('button', { name: 'Start migration' }).click();
      await migrations.detailStatus(/^completed/, 240_000);
      firstCloneUrl = page.url();

      const credentials = page.getByTestId('new-credentials');
      await expect(credentials).toContainText('db POSTGRES_PASSWORD');
      const prodPassword = envOf(`production-${TAG}-db`).POSTGRES_PASSWORD!;
      expect(prodPassword).not.toBe(UAT_PW);
      await expect(credentials).not.toContainText(prodPassword);
      await credentials.getByRole('button', { name: 'Reveal POSTGRES_PASSWORD of db' }).click();
      await expect(credentials.locator('[data-revealed="true"]')).toHaveText(prodPassword);
      await credentials.getByRole('button', { name: 'Hide POSTGRES_PASSWORD of db' }).click();
      await expect(credentials).not.toContainText(prodPassword);
      expect(appHealth()).toContain('"db": "reachable"');
      // Data for the backups below.
      onServer('prod', `docker exec production-${TAG}-db psql -U app -d app -c 'CREATE TABLE items (id serial PRIMARY KEY, n int NOT NULL)' -c 'INSERT INTO items (n) SELECT g FROM generate_series(1, 500) g' >/dev/null`);
      expect(rows()).toBe('500|125250');
    });

    await test.step('the webhook reminders: without a token the registration says so', async () => {
      const reminders = page.getByTestId('webhook-reminders');
      await expect(reminders.getByTestId('webhook-reminder')).toHaveCount(2);
      const source = reminders.locator('[data-testid="webhook-reminder"][data-key="org.opencontainers.image.source"]');
      await expect(source).toContainText(`https://github.com/acme/${TAG}-shop`);
      await expect(source).toContainText('Production has no domain for it yet');
      await expect(reminders.getByTestId('github-token-missing')).toBeVisible();
      await source.getByLabel(`Payload URL for acme/${TAG}-shop`).fill('not a url');
      await expect(source).toContainText('Not a URL');
      await expect(source.getByRole('button', { name: 'Register GitHub webhook' })).toBeDisabled();
      await source.getByLabel(`Payload URL for acme/${TAG}-shop`).fill(HOOK_URL);
      await source.getByRole('button', { name: 'Register GitHub webhook' }).click();
      await expect(source.getByTestId('hook-failed')).toContainText('Save a GitHub token first');
      expect(github.requests).toHaveLength(0);
      await shot(page, 'production-safety-reminders');
      await expectAccessible(page, 'migration page of a first production clone (credentials, reminders)');
    });

    await test.step('Settings: the GitHub token goes to the keychain and is never shown back; retention is set on prod', async () => {
      await shell.goTo('Settings');
      const token = page.getByRole('form', { name: 'GitHub token' });
      await expect(token.getByTestId('github-token-state')).toHaveAttribute('data-saved', 'false');
      await token.getByLabel('GitHub token').fill(GITHUB_TOKEN);
      await token.getByRole('button', { name: 'Save token' }).click();
      await expect(token.getByTestId('github-token-saved')).toBeVisible();
      await expect(token.getByTestId('github-token-state')).toHaveAttribute('data-saved', 'true');
      await expect(token.getByLabel('GitHub token')).toHaveValue('');
      const retention = page.getByRole('form', { name: 'Backup retention on prod' });
      await expect(retention.getByLabel('Backups kept per database on prod')).not.toHaveValue('');
      await retention.getByLabel('Backups kept per database on prod').fill('0');
      await expect(retention).toContainText('between 1 and 1000');
      await retention.getByLabel('Backups kept per database on prod').fill('4');
      await retention.getByRole('button', { name: 'Save retention' }).click();
      await expect(retention.getByTestId('retention-saved')).toBeVisible();
      expect(sshProd('cat $HOME/.gantry/backups/keep')).toBe('4');
      expect(await page.content()).not.toContain(GITHUB_TOKEN);
      await expectAccessible(page, 'Settings with production backups and the GitHub token');
    });

    await test.step('Register GitHub webhook: the FAKE GitHub API receives a hook creation with a secret; an unknown repository is refused clearly', async () => {
      await migrations.open();
      await page.getByTestId('migration-row').first().getByRole('button').first().click();
      await migrations.detailStatus(/^completed/);
      expect(page.url()).toBe(firstCloneUrl);
      const source = page.locator('[data-testid="webhook-reminder"][data-key="org.opencontainers.image.source"]');
      await source.getByLabel(`Payload URL for acme/${TAG}-shop`).fill(HOOK_URL);
      await source.getByRole('button', { name: 'Register GitHub webhook' }).click();
      await expect(source.getByTestId('hook-registered')).toContainText(`GitHub webhook 1 registered on acme/${TAG}-shop`);
      const [request] = github.requests;
      expect(request).toMatchObject({ method: 'POST', path: `/repos/acme/${TAG}-shop/hooks` });
      expect(request!.headers.authorization).toBe(`Bearer ${GITHUB_TOKEN}`);
      const body = request!.body as { name: string; active: boolean; events: string[]; config: { url: string; content_type: string; secret: string; insecure_ssl: string } };
      expect(body).toMatchObject({ name: 'web', active: true, events: ['push'], config: { url: HOOK_URL, content_type: 'json', insecure_ssl: '0' } });
      expect(body.config.secret).toMatch(/^[A-Za-z0-9]{40}$/);
      expect(await page.content()).not.toContain(body.config.secret);
      const gone = page.locator('[data-testid="webhook-reminder"][data-key="GIT_REPO"]');
      await gone.getByLabel(`Payload URL for acme/${TAG}-gone`).fill(HOOK_URL);
      await gone.getByRole('button', { name: 'Register GitHub webhook' }).click();
      await expect(gone.getByTestId('hook-failed')).toContainText(`GitHub refused the webhook for acme/${TAG}-gone: Not Found (HTTP 404)`);
      await expect(gone.getByTestId('hook-registered')).toHaveCount(0);
    });

    await test.step('a promote that changes the database takes a verified backup; History lists it', async () => {
      onServer('uat', uatDbRun(2));
      await discovered(client, project.id);
      const planned = await client.invoke('migrations:plan', { projectId: project.id, sourceEnvId: uat.id, targetEnvId: production.id, resourceIds: [db.id] });
      expect(planned.plan.steps[0]?.kind).toBe('backup-database');
      const { requestId } = await client.invoke('approvals:request', { planId: planned.planId, options: { waitForReady: true, healthTimeoutSec: 120 } });
      await bobClient.invoke('approvals:decide', { serverId: bobProd, requestId, decision: 'approve' });
      const { migrationId } = await client.invoke('approvals:start', { serverId: serverIds.prod!, requestId });
      expect(await finished(client, migrationId)).toMatch(/^completed/);

      const history = new HistoryPage(page);
      await history.open();
      await history.filter('Project', PROJECT);
      await history.filter('Environment', 'production');
      await history.filter('Resource', 'db');
      const backups = page.getByTestId('backup-row');
      await expect(backups).toHaveCount(1);
      const { backups: listed } = await client.invoke('backups:list', { environmentId: production.id, resourceId: db.id });
      const backup = listed[0]!;
      await expect(backups.first()).toContainText(backup.sha256.slice(0, 12));
      await expect(backups.first()).toContainText('pg_restore --list read');
      await expect(backups.first()).toContainText(/\d+(\.\d+)? (B|KB|kB|KiB|MB|MiB)/);
      await expect(backups.first()).toHaveAttribute('data-pinned', 'true');
      await expect(backups.first()).toContainText('pinned for rollback');
      expect(backup.migrationId).toBe(migrationId);
      await shot(page, 'production-safety-backups');
    });

    await test.step('Restore this backup: production asks for its name, the run completes, the data is back', async () => {
      onServer('prod', `docker exec production-${TAG}-db psql -U app -d app -c 'DELETE FROM items WHERE n > 100' >/dev/null`);
      expect(rows()).toBe('100|5050');
      await page.getByTestId('backup-row').first().getByRole('button', { name: 'Restore this backup' }).click();
      const dialog = page.getByRole('dialog', { name: 'Restore db in production from this backup?' });
      await expect(dialog).toContainText('fresh verified backup');
      const restore = dialog.getByRole('button', { name: 'Restore this backup' });
      await expect(restore).toBeDisabled();
      await expectAccessible(page, 'Restore this backup dialog');
      await dialog.getByLabel('Type production to confirm').fill('prod');
      await expect(restore).toBeDisabled();
      await dialog.getByLabel('Type production to confirm').fill('production');
      await restore.click();
      await migrations.detailStatus(/^completed/, 240_000);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Restore db in production from a backup');
      await expect(migrations.detail()).toContainText('Restore production-e2eps-db from its backup of');
      expect(rows()).toBe('500|125250');
    });

    await test.step('Rotate credentials… from the database’s page: the app keeps working, the old password is refused', async () => {
      const old = envOf(`production-${TAG}-db`).POSTGRES_PASSWORD!;
      await discovered(client, project.id);
      const environments = new EnvironmentsPage(page);
      await environments.open();
      await page.getByRole('button', { name: 'Details of db in production' }).click();
      const detail = environments.dialog('db in production');
      await expect(detail.getByTestId('detail-credentials')).toContainText('POSTGRES_PASSWORD');
      await expect(detail).not.toContainText(old);
      await detail.getByRole('button', { name: 'Rotate credentials…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Rotate the credentials of db in production?' });
      await expect(dialog.getByTestId('rotate-steps')).toContainText('changed in the database itself');
      await expect(dialog.getByTestId('rotate-steps')).toContainText('linked here: web');
      await expect(dialog.getByTestId('rotate-steps')).toContainText('refuses the old password');
      await expectAccessible(page, 'Rotate credentials dialog');
      const rotate = dialog.getByRole('button', { name: 'Rotate credentials' });
      await expect(rotate).toBeDisabled();
      await dialog.getByLabel('Type production to confirm').fill('production');
      await rotate.click();
      await migrations.detailStatus(/^completed/, 240_000);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rotate credentials of db in production');
      await expect(migrations.detail()).toContainText('Set a new password in production-e2eps-db');
      const rotated = envOf(`production-${TAG}-db`).POSTGRES_PASSWORD!;
      expect(rotated).not.toBe(old);
      const credentials = page.getByTestId('new-credentials');
      await credentials.getByRole('button', { name: 'Reveal POSTGRES_PASSWORD of db' }).click();
      await expect(credentials.locator('[data-revealed="true"]')).toHaveText(rotated);
      expect(envOf(`production-${TAG}-web`).DATABASE_URL).toBe(`postgres://app:${rotated}@production-${TAG}-db:5432/app`);
      expect(appHealth()).toContain('"db": "reachable"');
      expect(login(rotated)).toBe('1');
      expect(login(old)).toMatch(/password authentication failed/);
      await shot(page, 'production-safety-rotated');
    });
    client.close();
    bobClient.close();
  } finally {
    if (alice.engine) await stopEngine(alice.engine);
    await stopEngine(bob.engine);
  }
});
