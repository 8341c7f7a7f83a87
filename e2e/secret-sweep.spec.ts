/**
 * The secret sweep: unique passwords seeded into a dev PostgreSQL and its app (the password inside
 * DATABASE_URL, a separate DB_PASSWORD, a secret-named SESSION_SECRET) travel the whole road
 * through the UI — clone dev → uat, promote, roll back, copy data, clone into production (bob
 * approves from his own Gantry), promote into production (its verified backup), Restore this
 * backup from History, Rotate credentials… from the database's page — and afterwards none of them, nor the production passwords the
 * database itself holds after the first clone and after the rotation, is in either engine's data
 * folder (gantry.db with its -wal/-shm, every log, the engine's output) or in the DOM of any page
 * either operator saw, in clear, URL-encoded, base64 or JSON-escaped. The same search covers the
 * DOM snapshots of every other e2e test of the run for the specs' and the lab's fixture secrets.
 *   flock /tmp/gantry-labtest.lock bash .ci/with-keyring.sh npx playwright test e2e/secret-sweep.spec.ts
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Page } from '@playwright/test';
import type { LabDetails } from '../lab/lab-client';
import { removeTaggedCommand } from '../lab/tagged-cleanup';
import { connectEngine } from './engine-client';
import { test, expect, startEngine, stopEngine, openApp, type Engine } from './fixtures';
import { runOnLabServer, waitForJob } from './lab-servers';
import { EnvironmentsPage } from './pages/environments';
import { HistoryPage } from './pages/history';
import { MigrationsPage } from './pages/migrations';
import { ShellPage } from './pages/shell';
import { describeFindings, domDumpFiles, filesUnder, findSecrets, fixtureSecretsStillSeeded, knownFixtureSecrets, type SweptSecret } from './secret-scan';

const TAG = 'e2eswp';
const PROJECT = 'Shop (secret sweep)';
const SERVERS = ['dev', 'uat', 'prod'] as const;
type LabServerName = (typeof SERVERS)[number];
const unique = () => randomBytes(9).toString('base64url').replace(/[-_]/g, 'x');
/** Seeded into dev: unique per run, so any hit is this run's leak. */
const SEEDS = {
  databasePassword: `swpdb${unique()}`,
  // Characters that URL-encoding and base64 change, to prove those forms are searched.
  sessionSecret: `swp/sess+${unique()}=`,
};
let lab: LabDetails;
const keys = mkdtempSync(join(tmpdir(), 'gantry-e2e-keys-'));
// A click that cannot happen fails within a minute instead of waiting out the whole road.
test.use({ actionTimeout: 60_000 });

function onServer(server: LabServerName, command: string): string {
  return runOnLabServer(lab, server, command);
}
function docker(server: LabServerName, args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: lab.servers[server].dockerHost } }).trim();
}
function sshProd(command: string): string {
  return execFileSync('ssh', ['-i', lab.keys.plain, '-o', `UserKnownHostsFile=${lab.knownHostsFile}`, '-o', 'BatchMode=yes', `root@${lab.servers.prod.host}`, command], { encoding: 'utf8' }).trim();
}
function keygen(name: string): { path: string; publicKey: string } {
  const path = join(keys, name);
  execFileSync('ssh-keygen', ['-t', 'ed25519', '-q', '-N', '', '-C', name, '-f', path]);
  return { path, publicKey: readFileSync(`${path}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ') };
}
const cleanup = removeTaggedCommand(TAG);
/** How long a discovery of the three servers may take here (three minutes, longer than lab-servers' default). */
const JOB_WAIT_MS = 180_000;

/** dev's database on its own volume; `rev` labels it so a later promote has a change to carry. */
function runDevDb(rev: number): void {
  onServer('dev', `docker rm -fv dev-${TAG}-db >/dev/null 2>&1; true`);
  docker('dev', ['run', '-d', '--name', `dev-${TAG}-db`, '--init', '--network', `${TAG}-dev`, '-l', `swp.rev=${rev}`, '-e', 'POSTGRES_USER=app', '-e', `POSTGRES_PASSWORD=${SEEDS.databasePassword}`, '-e', 'POSTGRES_DB=app', '-v', `dev-${TAG}-db-data:/var/lib/postgresql/data`, '--health-cmd', 'pg_isready -U app -d app', '--health-interval', '2s', '--health-retries', '30', 'gantry-lab/postgres:15']);
  onServer('dev', `for i in $(seq 1 60); do [ "$(docker inspect --format '{{.State.Health.Status}}' dev-${TAG}-db)" = healthy ] && exit 0; sleep 1; done; exit 1`);
}
/** dev's app: the password inside DATABASE_URL and again in DB_PASSWORD, plus a secret-named variable. */
function runDevWeb(version: 1 | 2): void {
  onServer('dev', `docker rm -fv dev-${TAG}-web >/dev/null 2>&1; true`);
  docker('dev', ['run', '-d', '--name', `dev-${TAG}-web`, '--init', '--network', `${TAG}-dev`, '-e', `DATABASE_URL=postgres://app:${SEEDS.databasePassword}@dev-${TAG}-db:5432/app`, '-e', `DB_PASSWORD=${SEEDS.databasePassword}`, '-e', `SESSION_SECRET=${SEEDS.sessionSecret}`, '-e', 'APP_MODE=dev', '--health-cmd', `python3 -c "import urllib.request;urllib.request.urlopen('http://127.0.0.1:8080/health')"`, '--health-interval', '2s', '--health-retries', '20', `gantry-lab/webapp:${version}`]);
}
/** The password production's PostgreSQL accepts, read from the server (not from Gantry) and proved by a login. */
function prodDatabasePassword(): string {
  const env = JSON.parse(docker('prod', ['inspect', '--format', '{{json .Config.Env}}', `production-${TAG}-db`])) as string[];
  const password = env.find((line) => line.startsWith('POSTGRES_PASSWORD='))!.slice('POSTGRES_PASSWORD='.length);
  expect(docker('prod', ['exec', '-e', `PGPASSWORD=${password}`, `production-${TAG}-db`, 'psql', '-h', '127.0.0.1', '-U', 'app', '-d', 'app', '-tAc', 'SELECT 1'])).toBe('1');
  return password;
}

/** Opens one migration's detail page the way a reload of its address does. */
async function openMigration(page: Page, migrationId: string): Promise<void> {
  await page.evaluate(`history.replaceState(null, '', '#/migrations/${migrationId}')`);
  await page.reload();
  await expect(page.locator('[data-app-ready]')).toHaveAttribute('data-app-ready', 'true');
  await expect(page.getByTestId('migration-detail')).toBeVisible();
}

test.beforeAll(() => {
  lab = JSON.parse(execFileSync('bash', ['lab/lab.sh', 'env'], { encoding: 'utf8' })) as LabDetails;
  for (const server of SERVERS) onServer(server, cleanup);
  sshProd('rm -rf /var/lib/gantry/approvals');
  onServer('dev', `docker network create ${TAG}-dev >/dev/null`);
  runDevDb(1);
  runDevWeb(1);
});
test.afterAll(() => {
  for (const server of SERVERS) onServer(server, cleanup);
  sshProd('rm -rf /var/lib/gantry/approvals');
  rmSync(keys, { recursive: true, force: true });
});

test('seeded database passwords and the rotated production ones are nowhere in the data folders, logs or pages after the whole road to production', async ({ page, browser }, testInfo) => {
  test.setTimeout(1_200_000);
  const alice = { engine: await startEngine(), key: keygen('alice') };
  const bob = { engine: null as Engine | null, key: keygen('bob') };
  const ids: Record<string, string> = {};
  const rotated: SweptSecret[] = [];
  try {
    bob.engine = await startEngine();
    const client = await connectEngine(alice.engine);
    const bobClient = await connectEngine(bob.engine);
    const serverIds: Record<string, string> = {};
    for (const [who, each] of [['alice', client], ['bob', bobClient]] as const) {
      for (const server of SERVERS) {
        const details = lab.servers[server];
        const { server: saved } = await each.invoke('servers:save', {
          server: { name: `swp-${server}`, host: details.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
          pin: { fingerprint: details.hostKey.fingerprint, algorithm: details.hostKey.publicKey.split(' ')[0]! },
        });
        if (who === 'alice') serverIds[server] = saved.id;
      }
    }
    const { project } = await client.invoke('projects:create', { name: PROJECT, environments: [{ name: 'dev' }, { name: 'uat' }, { name: 'production', production: true }] });
    const chain = (await client.invoke('inventory:graph', { projectId: project.id })).environments.sort((a, b) => a.position - b.position);
    for (const [index, environment] of chain.entries()) {
      await client.invoke('environments:bind', { environmentId: environment.id, serverId: serverIds[SERVERS[index]!]! });
      ids[environment.name] = environment.id;
    }
    ids.db = (await client.invoke('resources:adopt', { environmentId: ids.dev!, container: `dev-${TAG}-db`, resource: { name: 'db', kind: 'database', databaseType: 'postgresql' } })).resource.id;
    await client.invoke('resources:adopt', { environmentId: ids.dev!, container: `dev-${TAG}-web`, resource: { name: 'web', kind: 'application', links: [ids.db] } });
    await waitForJob(client, (await client.invoke('inventory:discover', { projectId: project.id })).jobId, JOB_WAIT_MS);
    await client.invoke('approvals:set-identity', { principal: 'alice', keyPath: alice.key.path });
    await bobClient.invoke('approvals:set-identity', { principal: 'bob', keyPath: bob.key.path });
    const roles = ['request', 'approve', 'deploy'] as ('request' | 'approve' | 'deploy')[];
    await client.invoke('approvals:setup-policy', { serverId: serverIds.prod!, members: [{ principal: 'alice', publicKey: alice.key.publicKey, roles }, { principal: 'bob', publicKey: bob.key.publicKey, roles }] });

    await openApp(page, alice.engine);
    const migrations = new MigrationsPage(page);
    const environments = new EnvironmentsPage(page);
    const history = new HistoryPage(page);
    const shell = new ShellPage(page);
    const bobContext = await browser.newContext();
    const bobPage = await bobContext.newPage();
    await openApp(bobPage, bob.engine);

    /** Runs the wizard from `source` for `resources`; into production it ends in an approval bob gives from his window. */
    const migrate = async (source: 'dev' | 'uat', resources: string[]) => {
      await migrations.open();
      await migrations.startNew(PROJECT, source);
      for (const name of resources) await migrations.resource(name).getByRole('checkbox').check();
      await migrations.continue();
      await expect((await migrations.prechecksShown()).locator('[data-severity="blocking"]')).toHaveCount(0);
      await migrations.continue();
      await migrations.atStep('review');
      await expect(migrations.wizard()).not.toContainText(SEEDS.databasePassword);
      for (const step of ['options', 'confirm'] as const) {
        await migrations.continue();
        await migrations.atStep(step);
      }
      if (source === 'uat') {
        await page.getByLabel('Type production to confirm').fill('production');
        await migrations.continue();
        await expect(page.getByTestId('approval-request').first()).toHaveAttribute('data-state', 'pending_approval', { timeout: 30_000 });
        await new ShellPage(bobPage).goTo('Approvals');
        const policy = bobPage.locator('[data-testid="approval-policy"][data-server="swp-prod"]');
        await expect(policy).toHaveAttribute('data-state', /^(pinned|unpinned)$/);
        if ((await policy.getAttribute('data-state')) === 'unpinned') {
          await policy.getByRole('button', { name: 'Pin this policy' }).click();
          await expect(policy).toHaveAttribute('data-state', 'pinned');
        }
        await bobPage.getByRole('button', { name: 'Refresh' }).click();
        const pending = bobPage.locator('[data-testid="approval-request"][data-state="pending_approval"]').first();
        await pending.getByText(/^Changes/).click();
        await expect(pending.getByTestId('spec-diff').first()).toBeVisible();
        await pending.getByRole('button', { name: 'Approve' }).click();
        await expect(bobPage.locator('[data-testid="approval-request"][data-state="pending_approval"]')).toHaveCount(0);
        await shell.goTo('Approvals');
        await page.getByRole('button', { name: 'Refresh' }).click();
        await page.locator('[data-testid="approval-request"][data-state="approved"]').first().getByRole('button', { name: 'Start migration' }).click();
      } else {
        await migrations.continue();
      }
      await migrations.detailStatus(/^completed/);
      return /#\/migrations\/([^/?&]+)/.exec(page.url())?.[1] ?? '';
    };

    await test.step('clone dev → uat, promote v2 and roll it back, all from the UI', async () => {
      await environments.open();
      await page.getByLabel('Project').selectOption({ label: PROJECT });
      await page.getByRole('button', { name: 'Details of web in dev' }).click();
      await expect(environments.dialog('web in dev').getByTestId('detail-spec')).toContainText('SESSION_SECRET');
      await page.keyboard.press('Escape');
      await migrate('dev', ['web', 'db']);
      runDevWeb(2);
      await waitForJob(client, (await client.invoke('inventory:discover', { projectId: project.id })).jobId, JOB_WAIT_MS);
      const promoteId = await migrate('dev', ['web']);
      expect(docker('uat', ['inspect', '--format', '{{.Config.Image}}', `uat-${TAG}-web`])).toBe('gantry-lab/webapp:2');
      await openMigration(page, promoteId);
      await page.getByRole('button', { name: 'Roll back' }).click();
      await page.getByRole('dialog', { name: 'Roll back this migration?' }).getByRole('button', { name: 'Roll back' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Rollback of uat' })).toBeVisible();
      await migrations.detailStatus(/^completed/);
      expect(docker('uat', ['inspect', '--format', '{{.Config.Image}}', `uat-${TAG}-web`])).toBe('gantry-lab/webapp:1');
    });

    await test.step("copy dev's data into uat's database from its detail", async () => {
      docker('dev', ['exec', `dev-${TAG}-db`, 'psql', '-U', 'app', '-d', 'app', '-c', 'CREATE TABLE items (id serial PRIMARY KEY, n int NOT NULL)', '-c', 'INSERT INTO items (n) SELECT g FROM generate_series(1, 300) g']);
      await environments.open();
      await page.getByLabel('Project').selectOption({ label: PROJECT });
      await page.getByRole('button', { name: 'Details of db in uat' }).click();
      await environments.dialog('db in uat').getByRole('button', { name: 'Copy data from dev…' }).click();
      const copy = environments.dialog("Copy dev's data into uat's db");
      await copy.getByLabel('I understand that this data is replaced').check({ timeout: 30_000 });
      await copy.getByRole('button', { name: 'Replace the data' }).click();
      await migrations.detailStatus(/^completed/);
      await expect(page.getByTestId('migration-log')).toContainText('Checksums equal on both servers');
      expect(docker('uat', ['exec', `uat-${TAG}-db`, 'psql', '-U', 'app', '-d', 'app', '-tAc', 'SELECT count(*) FROM items'])).toBe('300');
    });

    await test.step('the first clone into production (approved by bob) gives production new credentials', async () => {
      await migrate('uat', ['web', 'db']);
      const first = prodDatabasePassword();
      expect(first).not.toBe(SEEDS.databasePassword);
      rotated.push({ label: 'production password after the first clone', value: first });
      const webEnv = docker('prod', ['inspect', '--format', '{{json .Config.Env}}', `production-${TAG}-web`]);
      expect(webEnv).toContain(`DB_PASSWORD=${first}`);
      expect(webEnv).toContain(`postgres://app:${first}@production-${TAG}-db:5432/app`);
    });

    let backupMigrationId = '';
    await test.step('a promote of the database into production takes a verified backup first', async () => {
      runDevDb(2);
      await waitForJob(client, (await client.invoke('inventory:discover', { projectId: project.id })).jobId, JOB_WAIT_MS);
      await migrate('dev', ['db']);
      backupMigrationId = await migrate('uat', ['db']);
      await expect(page.getByTestId('migration-steps')).toContainText(`Back up production-${TAG}-db and verify the backup`);
      expect(prodDatabasePassword()).toBe(rotated[0]!.value);
    });

    await test.step('Restore this backup from History, then Rotate credentials… from the database’s page', async () => {
      const { backups } = await client.invoke('backups:list', { environmentId: ids.production!, resourceId: ids.db! });
      const backup = backups.find((each) => each.migrationId === backupMigrationId)!;
      await history.open();
      await history.filter('Project', PROJECT);
      await history.filter('Environment', 'production');
      await history.filter('Resource', 'db');
      await page.getByTestId('backup-row').filter({ hasText: backup.sha256.slice(0, 12) }).getByRole('button', { name: 'Restore this backup' }).click();
      const restore = page.getByRole('dialog', { name: 'Restore db in production from this backup?' });
      await restore.getByLabel('Type production to confirm').fill('production');
      await restore.getByRole('button', { name: 'Restore this backup' }).click();
      await migrations.detailStatus(/^completed/, 240_000);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Restore db in production from a backup');

      await waitForJob(client, (await client.invoke('inventory:discover', { projectId: project.id })).jobId, JOB_WAIT_MS);
      await environments.open();
      await page.getByLabel('Project').selectOption({ label: PROJECT });
      await page.getByRole('button', { name: 'Details of db in production' }).click();
      await environments.dialog('db in production').getByRole('button', { name: 'Rotate credentials…' }).click();
      const rotate = page.getByRole('dialog', { name: 'Rotate the credentials of db in production?' });
      await rotate.getByLabel('Type production to confirm').fill('production');
      await rotate.getByRole('button', { name: 'Rotate credentials' }).click();
      await migrations.detailStatus(/^completed/, 240_000);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rotate credentials of db in production');
      const second = prodDatabasePassword();
      expect(second).not.toBe(rotated[0]!.value);
      rotated.push({ label: 'production password after Rotate credentials', value: second });
      expect(docker('prod', ['exec', `production-${TAG}-web`, 'python3', '-c', "import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:8080/health').read().decode())"])).toContain('"db": "reachable"');
    });

    await test.step('every page: each migration, History, the graph and each resource detail, Approvals, Settings', async () => {
      await shell.goTo('Settings');
      await expect(page.getByRole('form', { name: 'Backup retention on swp-prod' })).toBeVisible();
      for (const migration of (await client.invoke('migrations:list', {})).migrations) await openMigration(page, migration.id);
      await migrations.open();
      await history.open();
      await history.filter('Project', PROJECT);
      for (const environment of ['uat', 'production']) {
        await history.filter('Environment', environment);
        for (const resource of ['web', 'db']) {
          await history.filter('Resource', resource);
          await expect(history.timelineEntries().first()).toBeVisible();
        }
      }
      await environments.open();
      await page.getByLabel('Project').selectOption({ label: PROJECT });
      for (const environment of ['dev', 'uat', 'production']) {
        for (const resource of ['web', 'db']) {
          await page.getByRole('button', { name: `Details of ${resource} in ${environment}` }).click();
          await expect(environments.dialog(`${resource} in ${environment}`).getByTestId('detail-spec')).toBeVisible();
          await page.keyboard.press('Escape');
        }
      }
      for (const section of ['Approvals', 'Servers', 'Settings'] as const) await shell.goTo(section);
      for (const section of ['Approvals', 'History', 'Settings'] as const) await new ShellPage(bobPage).goTo(section);
    });
    await bobContext.close();
    client.close();
    bobClient.close();

    await test.step('the sweep: no seeded or rotated value in either data folder (with the WAL, running and stopped), any log, or any page', async () => {
      const secrets: SweptSecret[] = [
        { label: 'seeded database password', value: SEEDS.databasePassword },
        { label: 'seeded SESSION_SECRET', value: SEEDS.sessionSecret },
        ...rotated,
      ];
      const folders = { alice: alice.engine.dataDir, bob: bob.engine!.dataDir };
      const running = Object.values(folders).flatMap((folder) => filesUnder(folder));
      expect(running.map((file) => file.split('/').pop())).toEqual(expect.arrayContaining(['gantry.db', 'gantry.db-wal', 'gantry.db-shm', 'gantry.log']));
      const whileRunning = findSecrets(running, secrets);
      for (const [who, engine] of [['alice', alice.engine], ['bob', bob.engine!]] as const) {
        engine.process.kill('SIGTERM');
        await new Promise((resolve) => (engine.process.exitCode === null ? engine.process.once('exit', resolve) : resolve(null)));
        writeFileSync(testInfo.outputPath(`engine-output-${who}.log`), engine.output());
      }
      const stopped = Object.values(folders).flatMap((folder) => filesUnder(folder));
      const outputRoot = dirname(testInfo.outputDir);
      const pages = domDumpFiles(testInfo.outputDir);
      expect(pages.length).toBeGreaterThan(50);
      const findings = [
        ...whileRunning,
        ...findSecrets(stopped, secrets),
        ...findSecrets([testInfo.outputPath('engine-output-alice.log'), testInfo.outputPath('engine-output-bob.log')], secrets),
        ...findSecrets(pages, [...secrets, ...knownFixtureSecrets(lab)], outputRoot),
        // Every other e2e test of this run that already ran: the specs' and the lab's fixture secrets.
        ...findSecrets(domDumpFiles(outputRoot).filter((file) => !file.startsWith(testInfo.outputDir)), knownFixtureSecrets(lab), outputRoot),
      ];
      testInfo.annotations.push({ type: 'swept', description: `${running.length + stopped.length} data-folder files, ${pages.length} page snapshots, ${secrets.length} secrets × their encodings` });
      expect(describeFindings(findings)).toBe('');
      expect(fixtureSecretsStillSeeded(process.cwd())).toEqual([]);
    });
  } finally {
    await stopEngine(alice.engine);
    if (bob.engine) await stopEngine(bob.engine);
  }
});
