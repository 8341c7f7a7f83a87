/**
 * Migrations end to end, in Chromium against the lab's real servers: an app and its PostgreSQL
 * started by hand on dev are cloned to uat through the wizard (after a full disk on uat stopped
 * it at the pre-checks), found in History, promoted to v2, rolled back, and a further promote is
 * cancelled mid-run. Screenshots of each wizard step, the detail page mid-run and History go to
 * e2e/artifacts/. Needs the lab (this test runs the idempotent `lab.sh up`) and a keychain:
 *   bash .ci/with-keyring.sh npx playwright test e2e/migrations.spec.ts
 */
import type { Page } from '@playwright/test';
import type { LabDetails } from '../lab/lab-client';
import { removeTaggedCommand } from '../lab/tagged-cleanup';
import { connectEngine, type EngineClient } from './engine-client';
import { test, expect, openApp } from './fixtures';
import { createBoundProject, labScript, runOnLabServer, saveLabServers, waitForJob } from './lab-servers';
import { HistoryPage } from './pages/history';
import { EnvironmentsPage } from './pages/environments';
import { expectAccessible } from './pages/axe';
import { MigrationsPage } from './pages/migrations';

const SERVERS = ['dev', 'uat', 'prod'] as const;
type LabServerName = (typeof SERVERS)[number];
const PROJECT = 'Shop (migrations e2e)';
/** Everything this test creates on the servers carries this in its name, so cleanup is exact. */
const TAG = 'e2emig';
const DB_PASSWORD = 'e2e-db-pw-7731';

const cleanup = removeTaggedCommand(TAG);

/** dev's web app; `neverHealthy` gives it a health check that never reports, so a migration of it waits at the health gate. */
function runWeb(version: 1 | 2, options: { neverHealthy?: boolean } = {}): string {
  return [
    `docker rm -fv dev-${TAG}-web >/dev/null 2>&1; docker run -d --name dev-${TAG}-web --init --network ${TAG}-dev --restart unless-stopped`,
    `-e DATABASE_URL=postgres://app:${DB_PASSWORD}@dev-${TAG}-db:5432/app -e APP_MODE=dev -p 18380:8080`,
    options.neverHealthy
      ? `--health-cmd 'sleep 3600' --health-timeout 3600s --health-interval 2s`
      : `--health-cmd "python3 -c \\"import urllib.request;urllib.request.urlopen('http://127.0.0.1:8080/health')\\"" --health-interval 2s --health-retries 20`,
    `gantry-lab/webapp:${version}`,
  ].join(' ');
}

let lab: LabDetails | undefined;

/** A docker command line on a lab server through its own Docker socket (see e2e/lab-servers.ts). */
function onServer(server: LabServerName, command: string): string {
  return runOnLabServer(lab!, server, command);
}

function labFault(server: LabServerName, action: 'disk-fill' | 'disk-free'): void {
  labScript('fault', server, action);
}

/** Servers, a dev → uat → production project bound to them, and dev's app + database adopted: through the real channels. */
async function setUpProject(client: EngineClient): Promise<void> {
  const ids = await saveLabServers(client, lab!, 'mig', SERVERS);
  const { projectId, environmentIds } = await createBoundProject(client, PROJECT, [{ name: 'dev' }, { name: 'uat' }, { name: 'production', production: true }], SERVERS.map((server) => ids[server]));
  const dev = environmentIds[0]!;
  const db = await client.invoke('resources:adopt', { environmentId: dev, container: `dev-${TAG}-db`, resource: { name: 'db', kind: 'database', databaseType: 'postgresql' } });
  await client.invoke('resources:adopt', { environmentId: dev, container: `dev-${TAG}-web`, resource: { name: 'web', kind: 'application', links: [db.resource.id] } });
  const { jobId } = await client.invoke('inventory:discover', { projectId });
  await waitForJob(client, jobId);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `e2e/artifacts/${name}.png` });
}

test.beforeAll(() => {
  labScript('up');
  lab = JSON.parse(labScript('env')) as LabDetails;
  for (const server of SERVERS) onServer(server, cleanup);
  onServer('dev', `docker network create ${TAG}-dev >/dev/null`);
  onServer(
    'dev',
    `docker run -d --name dev-${TAG}-db --init --network ${TAG}-dev -e POSTGRES_USER=app -e POSTGRES_PASSWORD=${DB_PASSWORD} -e POSTGRES_DB=app -v dev-${TAG}-db-data:/var/lib/postgresql/data --health-cmd 'pg_isready -U app -d app' --health-interval 2s --health-retries 30 gantry-lab/postgres:15`,
  );
  onServer('dev', runWeb(1));
});

test.afterAll(() => {
  if (!lab) return;
  labFault('uat', 'disk-free');
  for (const server of SERVERS) onServer(server, cleanup);
});

test('clone dev → uat through the wizard, find it in history, promote v2, roll back, cancel a pending and a running migration', async ({ page, engine }) => {
  test.setTimeout(900_000);
  const client = await connectEngine(engine);
  try {
    await setUpProject(client);
  } finally {
    client.close();
  }
  await openApp(page, engine);
  const migrations = new MigrationsPage(page);
  await migrations.open();
  await expect(page.getByText('No migrations yet')).toBeVisible();

  await test.step('a full disk on uat stops the wizard at the pre-checks, with its message', async () => {
    labFault('uat', 'disk-fill');
    await migrations.startNew(PROJECT, 'dev');
    await expect(migrations.wizard().getByTestId('wizard-target')).toHaveText('uat');
    for (const name of ['web', 'db']) {
      await expect(migrations.resource(name)).toContainText('New');
      await migrations.resource(name).getByRole('checkbox').check();
    }
    await shot(page, 'wizard-1-resources');
    await migrations.continue();
    const prechecks = await migrations.prechecksShown();
    const blocking = prechecks.locator('[data-severity="blocking"]');
    await expect(blocking).toContainText(/mig-uat .*has only [\d.]+% free .*a migration needs at least 5% free/);
    await expect(migrations.mainButton()).toBeDisabled();
    await expect(migrations.blockedReason()).toHaveText(/1 blocking pre-check stops this migration/);
    await shot(page, 'wizard-2-prechecks-blocked');
    await expectAccessible(page, 'migrate wizard: blocked pre-checks');
  });

  await test.step('with room again, the review shows the changes colour-coded and the specs side by side, secrets masked', async () => {
    labFault('uat', 'disk-free');
    await migrations.wizard().getByRole('button', { name: 'Check again' }).click();
    const prechecks = await migrations.prechecksShown();
    await expect(prechecks.locator('[data-severity="blocking"]')).toHaveCount(0);
    await expect(migrations.mainButton()).toBeEnabled();
    await shot(page, 'wizard-2-prechecks');
    await migrations.continue();
    await migrations.atStep('review');
    const web = page.getByTestId('changes-web');
    await expect(web.locator('[data-tone="changed"]').first()).toBeVisible();
    await expect(web).toContainText(`${TAG}-uat`);
    await expect(page.locator('.d2h-file-side-diff').first()).toBeVisible();
    await expect(page.getByText('“Reveal” shows one of them')).toBeVisible();
    await expect(page.getByRole('dialog')).not.toContainText(DB_PASSWORD);
    await shot(page, 'wizard-3-review');
    await expectAccessible(page, 'migrate wizard: review');

    // Reveal on demand: the password the clone gives uat's database, one value, then masked again.
    const db = page.getByTestId('changes-db');
    await db.getByRole('button', { name: 'Reveal env POSTGRES_PASSWORD (after)' }).click();
    await expect(db.locator('[data-revealed]')).toHaveText(DB_PASSWORD);
    await expect(page.getByTestId('spec-diff').first()).not.toContainText(DB_PASSWORD);
    await expect(page.getByTestId('changes-web')).not.toContainText(DB_PASSWORD);
    await db.getByRole('button', { name: 'Hide env POSTGRES_PASSWORD (after)' }).click();
    await expect(db.locator('[data-revealed]')).toHaveCount(0);
    await expect(page.getByRole('dialog')).not.toContainText(DB_PASSWORD);

    await page.getByRole('button', { name: 'Dry run' }).click();
    await migrations.atStep('dry-run');
    await expect(page.getByTestId('dry-run')).toContainText('Nothing has been applied');
    await shot(page, 'wizard-dry-run');
    await expectAccessible(page, 'migrate wizard: dry run');
    await page.getByRole('button', { name: 'Back to the wizard' }).click();
    await migrations.atStep('review');

    // The wizard is keyboard-driven: Alt+Left goes back a step, Enter goes on.
    await migrations.wizard().focus();
    await page.keyboard.press('Alt+ArrowLeft');
    await migrations.atStep('prechecks');
    await page.keyboard.press('Enter');
    await migrations.atStep('review');
  });

  await test.step('options and confirm, started from the keyboard; the detail page shows it run to the end', async () => {
    await migrations.continue();
    await migrations.atStep('options');
    await page.getByLabel('Health timeout (s)').fill('2');
    await expect(migrations.blockedReason()).toContainText('between 5 and 3600');
    await page.getByLabel('Health timeout (s)').fill('120');
    // Test data: dev's database copied into uat's new one once it is up, with its size and what it replaces shown first.
    await page.getByLabel("Copy dev's data into uat's db").check();
    await expect(page.getByTestId('copy-data-warning')).toContainText(/PostgreSQL, about [\d.]+ (B|KiB|MiB)\. ALL data in uat's db on \S+ .* will be replaced/);
    await shot(page, 'wizard-4-options');
    // Esc past the first step asks before it throws the wizard away; "Keep going" keeps everything.
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('confirm-close')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Keep going' })).toBeFocused();
    await page.getByRole('button', { name: 'Keep going' }).click();
    await migrations.atStep('options');
    await expect(page.getByLabel('Health timeout (s)')).toHaveValue('120');
    await migrations.continue();
    await migrations.atStep('confirm');
    await expect(migrations.wizard()).toContainText('web (new)');
    await expect(page.getByTestId('production-confirm')).toHaveCount(0);
    await shot(page, 'wizard-5-confirm');
    await expectAccessible(page, 'migrate wizard: confirm');
    // Focus moved to the step (not left on the button): Enter from there starts the migration.
    await expect(migrations.mainButton()).not.toBeFocused();
    await page.keyboard.press('Enter');

    await migrations.detailStatus('running', 30_000);
    await expect(page.getByTestId('migration-steps').locator('tr[data-status="done"]').first()).toBeVisible({ timeout: 120_000 });
    await shot(page, 'detail-running');
    // A reload mid-run loses nothing: the page rebuilds from the main process and keeps following it.
    await page.reload();
    await expect(page.locator('[data-app-ready]')).toHaveAttribute('data-app-ready', 'true');
    await expect(page.getByTestId('migration-steps').locator('tr[data-status="done"]').first()).toBeVisible();
    await migrations.detailStatus('completed');
    await expect(page.getByTestId('migration-progress')).toHaveAttribute('data-percent', '100');
    await expect(page.getByTestId('toast').filter({ hasText: 'Migration dev → uat completed' })).toBeVisible();
    await expect(page.getByTestId('migration-log')).not.toContainText(DB_PASSWORD);
    await expect(page.getByTestId('migration-log')).toContainText('Checksums equal on both servers');
    await shot(page, 'detail-completed');
    await expectAccessible(page, 'migration detail (completed)');
    expect(onServer('uat', `docker ps --format '{{.Names}}' | grep ${TAG} | sort`).split('\n')).toEqual([`uat-${TAG}-db`, `uat-${TAG}-web`]);

    // A reload keeps the page: everything on it comes from the engine.
    await page.reload();
    await migrations.detailStatus('completed', 15_000);
    await expect(page.getByTestId('migration-steps').locator('tr[data-status="done"]').first()).toBeVisible();
  });

  const environments = new EnvironmentsPage(page);
  await test.step('the graph shows the clone in uat without a manual discovery', async () => {
    await environments.open();
    await page.getByLabel('Project').selectOption({ label: PROJECT });
    const uatWeb = environments.cell('web', 'uat');
    await expect(uatWeb).toContainText(`uat-${TAG}-web`, { timeout: 60_000 });
    await expect(uatWeb).toHaveAttribute('data-stale', 'false');
    await expect(uatWeb).not.toContainText('absent');
    await shot(page, 'graph-after-migration');
    await expectAccessible(page, 'environment graph with resources');
    // uat has its database now: its detail offers dev's data, with the size and what it replaces.
    await page.getByRole('button', { name: 'Details of db in uat' }).click();
    await environments.dialog('db in uat').getByRole('button', { name: 'Copy data from dev…' }).click();
    const copy = environments.dialog("Copy dev's data into uat's db");
    await expect(copy.getByLabel('I understand that this data is replaced')).toBeVisible({ timeout: 30_000 });
    await expectAccessible(page, 'Copy data dialog');
    await copy.getByRole('button', { name: 'Cancel' }).click();
    await expect(copy).toBeHidden();
  });

  await test.step('into production, Confirm names the environment and starts only once its name is typed; Esc then asks', async () => {
    await migrations.open();
    await migrations.startNew(PROJECT, 'uat');
    for (const name of ['web', 'db']) await migrations.resource(name).getByRole('checkbox').check();
    await migrations.continue();
    await migrations.prechecksShown();
    for (const step of ['review', 'options', 'confirm'] as const) {
      await migrations.continue();
      await migrations.atStep(step);
      // Test data is never copied into production: the option is not in the page at all.
      if (step === 'options') {
        await expect(page.getByTestId('copy-data-fields')).toHaveCount(0);
        await expect(page.getByText('Copy test data')).toHaveCount(0);
      }
    }
    const confirm = page.getByTestId('production-confirm');
    await expect(confirm).toContainText('This changes production: production');
    await expect(migrations.mainButton()).toBeDisabled();
    await expect(migrations.blockedReason()).toHaveText('Type production to start a migration into production.');
    const typed = page.getByLabel('Type production to confirm');
    await expect(typed).toBeFocused();
    await typed.fill('prod');
    await page.keyboard.press('Enter');
    await migrations.atStep('confirm');
    await typed.fill('production');
    await expect(migrations.mainButton()).toBeEnabled();
    await shot(page, 'wizard-5-confirm-production');
    await expectAccessible(page, 'migrate wizard: confirm into production');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Close the wizard' }).click();
    await expect(migrations.wizard()).toHaveCount(0);
    expect(onServer('prod', `docker ps -a --format '{{.Names}}' | grep ${TAG} || true`)).toBe('');
  });

  const history = new HistoryPage(page);
  await test.step('history lists it and filters by project, environment, resource and status', async () => {
    await history.open();
    await expect(history.rows()).toHaveCount(1);
    await history.filter('Project', PROJECT);
    await history.filter('Environment', 'uat');
    await history.filter('Resource', 'web');
    await history.filter('Status', 'Completed');
    await expect(history.rows()).toHaveCount(1);
    await expect(history.rows().first()).toContainText('dev → uat');
    await expect(history.timelineEntries()).toHaveCount(1);
    await history.filter('Status', 'Failed');
    await expect(page.getByText('No migration matches these filters.')).toBeVisible();
    await history.filter('Status', 'Completed');
    await shot(page, 'history');
  });

  let promoteId = '';
  await test.step('promote v2: the wizard marks web as an update and uat ends up on v2', async () => {
    onServer('dev', runWeb(2));
    await migrations.open();
    await migrations.startNew(PROJECT, 'dev');
    await expect(migrations.resource('web')).toContainText('Update');
    await migrations.resource('web').getByRole('checkbox').check();
    await migrations.continue();
    const prechecks = await migrations.prechecksShown();
    await expect(prechecks.locator('[data-severity="blocking"]')).toHaveCount(0);
    for (const step of ['review', 'options', 'confirm'] as const) {
      await migrations.continue();
      await migrations.atStep(step);
    }
    await migrations.continue();
    await migrations.detailStatus(/^completed/);
    promoteId = /#\/migrations\/([^/?&]+)/.exec(page.url())?.[1] ?? '';
    expect(onServer('uat', `docker inspect --format '{{.Config.Image}}' uat-${TAG}-web`)).toBe('gantry-lab/webapp:2');
  });

  await test.step('history compares the two recorded specs of web in uat', async () => {
    await history.open();
    await expect(history.timelineEntries()).toHaveCount(2);
    await history.timelineEntries().nth(1).getByRole('button', { name: 'Restore this snapshot' }).click();
    const restore = page.getByRole('dialog', { name: 'Restore this snapshot?' });
    await expect(restore.getByRole('button', { name: 'Keep the current spec' })).toBeFocused();
    await expectAccessible(page, 'Restore-snapshot confirm dialog');
    await restore.getByRole('button', { name: 'Keep the current spec' }).click();
    await expect(restore).toBeHidden();
    await history.timelineEntries().nth(0).getByRole('checkbox').check();
    await history.timelineEntries().nth(1).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Compare the two picked' }).click();
    const diff = page.getByTestId('spec-diff');
    await expect(diff).toContainText('gantry-lab/webapp:1');
    await expect(diff).toContainText('gantry-lab/webapp:2');
    await expect(page.locator('.page')).not.toContainText(DB_PASSWORD);
    await shot(page, 'history-diff');
    await expectAccessible(page, 'history: spec diff');
  });

  await test.step('roll back the promote: uat runs v1 again', async () => {
    await history.rows().filter({ hasText: 'web (promote)' }).getByRole('button').click();
    await migrations.detailStatus(/^completed/, 15_000);
    expect(page.url()).toContain(promoteId);
    await page.getByRole('button', { name: 'Roll back' }).click();
    await expectAccessible(page, 'roll back dialog');
    await page.getByRole('dialog', { name: 'Roll back this migration?' }).getByRole('button', { name: 'Roll back' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Rollback of uat' })).toBeVisible();
    await migrations.detailStatus(/^completed/);
    expect(onServer('uat', `docker inspect --format '{{.Config.Image}}' uat-${TAG}-web`)).toBe('gantry-lab/webapp:1');
  });

  await test.step('the graph follows the rollback without a manual discovery', async () => {
    await environments.open();
    await page.getByLabel('Project').selectOption({ label: PROJECT });
    await expect(environments.cell('web', 'uat')).toContainText('gantry-lab/webapp:1', { timeout: 60_000 });
    await expect(environments.cell('web', 'uat')).toHaveAttribute('data-stale', 'false');
  });

  await test.step('a second migration waits (pending) behind a running one and is cancelled at once; the running one is cancelled mid-run; uat keeps v1', async () => {
    // dev's web never reports healthy: the run waits at the health gate, so the cancel always lands mid-run.
    onServer('dev', runWeb(2, { neverHealthy: true }));
    const startPromote = async () => {
      await migrations.open();
      await migrations.startNew(PROJECT, 'dev');
      await migrations.resource('web').getByRole('checkbox').check();
      await migrations.continue();
      const prechecks = await migrations.prechecksShown();
      for (const step of ['review', 'options', 'confirm'] as const) {
        await migrations.continue();
        await migrations.atStep(step);
      }
      await migrations.continue();
      return prechecks;
    };
    await startPromote();
    await expect(page.getByTestId('migration-steps').locator('tr[data-status="running"]')).toBeVisible({ timeout: 60_000 });

    // The second one is warned at the pre-checks, then waits its turn.
    await migrations.open();
    await migrations.startNew(PROJECT, 'dev');
    await migrations.resource('web').getByRole('checkbox').check();
    await migrations.continue();
    const prechecks = await migrations.prechecksShown();
    await expect(prechecks.locator('[data-severity="warning"]').filter({ hasText: 'this one waits (pending) until it ends' })).toBeVisible();
    for (const step of ['review', 'options', 'confirm'] as const) {
      await migrations.continue();
      await migrations.atStep(step);
    }
    await migrations.continue();
    await migrations.detailStatus('pending', 30_000);
    await expect(page.getByTestId('migration-log')).toContainText('Waiting its turn: Another migration is already running into uat', { timeout: 30_000 });
    await shot(page, 'detail-pending');
    await page.getByRole('button', { name: 'Cancel migration' }).click();
    await migrations.detailStatus('cancelled', 30_000);
    await expect(migrations.detail()).toContainText('Cancelled before it started: nothing on the target was changed.');

    // Back to the running one (from the list): cancelled mid-run, it undoes what it did.
    await migrations.open();
    await page.locator('[data-testid="migration-row"][data-status="running"]').getByRole('button').click();
    await migrations.detailStatus('running', 30_000);
    await page.getByRole('button', { name: 'Cancel migration' }).click();
    await migrations.detailStatus('cancelled');
    await expect(page.getByTestId('toast').filter({ hasText: 'cancelled' }).first()).toBeVisible();
    await shot(page, 'detail-cancelled');
    expect(onServer('uat', `docker inspect --format '{{.Config.Image}}' uat-${TAG}-web`)).toBe('gantry-lab/webapp:1');
  });
});
