/**
 * A batch migration end to end, in Chromium against the lab: one dev → uat migration carrying a
 * PostgreSQL database, an app linked to it and an independent app, started from the wizard with
 * the three selected. The migration page shows each resource with its own status, progress,
 * steps and log, by dependency level (the database before its app). Then a batch with a member
 * that crashes on uat (its command exits unless its DATABASE_URL names dev's database) and a
 * dependant of it: all or nothing undoes everything; without it the crashing app is undone, its
 * dependant never starts and the rest completes. Then "Promote 2 behind from dev" in the graph's
 * uat column, once dev runs a new image of two of the three resources uat has: it opens the
 * wizard with exactly those two ticked and promotes them. uat's `docker inspect` is the authority.
 * Needs the lab (this test runs the idempotent `lab.sh up`) and a keychain:
 *   bash .ci/with-keyring.sh npx playwright test e2e/batch.spec.ts
 */
import { execFileSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import { isTerminalStatus } from '@shared/migration/status';
import type { LabDetails } from '../lab/lab-client';
import { removeTaggedCommand } from '../lab/tagged-cleanup';
import { connectEngine, type EngineClient } from './engine-client';
import { test, expect, openApp } from './fixtures';
import { createBoundProject, labScript, runOnLabServer, saveLabServers, waitForJob } from './lab-servers';
import { expectAccessible } from './pages/axe';
import { EnvironmentsPage } from './pages/environments';
import { MigrationsPage } from './pages/migrations';

const SERVERS = ['dev', 'uat'] as const;
type LabServerName = (typeof SERVERS)[number];
const PROJECT = 'Shop (batch e2e)';
/** Everything this test creates on the servers carries this in its name, so cleanup is exact. */
const TAG = 'e2ebatch';
const DB_PASSWORD = 'e2e-batch-pw-5519';
const MEMBERS = ['db', 'api', 'report', 'crash', 'viewer'] as const;
type Member = (typeof MEMBERS)[number];

const cleanup = removeTaggedCommand(TAG);

const HEALTH = `--health-cmd "python3 -c \\"import urllib.request;urllib.request.urlopen('http://127.0.0.1:8080/health')\\"" --health-interval 1s --health-retries 30`;
const DATABASE_URL = `postgres://app:${DB_PASSWORD}@dev-${TAG}-db:5432/app`;

/** dev's containers: `crash` runs on dev only (on uat its DATABASE_URL names uat's database, and it exits 3 at once). */
const devContainers: Record<Member, string> = {
  db: `--health-cmd 'pg_isready -U app -d app' --health-interval 1s --health-retries 60 -e POSTGRES_USER=app -e POSTGRES_PASSWORD=${DB_PASSWORD} -e POSTGRES_DB=app gantry-lab/postgres:15`,
  api: `--restart unless-stopped -e DATABASE_URL=${DATABASE_URL} -e APP_MODE=dev ${HEALTH} gantry-lab/webapp:1`,
  report: `--restart unless-stopped -e APP_MODE=dev ${HEALTH} gantry-lab/webapp:1`,
  crash: `-e DATABASE_URL=${DATABASE_URL} ${HEALTH} gantry-lab/webapp:1 sh -c 'case "$DATABASE_URL" in *@dev-*) exec python3 /app/app.py;; esac; echo "crash: refusing to start against \${DATABASE_URL##*@}" >&2; exit 3'`,
  viewer: `--restart unless-stopped -e DATABASE_URL=${DATABASE_URL} -e APP_MODE=dev ${HEALTH} gantry-lab/webapp:1`,
};

/** What each member links to (adopted in this order, so a link's target is always adopted first). */
const links: Record<Member, Member[]> = { db: [], api: ['db'], report: [], crash: ['db'], viewer: ['db', 'crash'] };

let lab: LabDetails | undefined;

/** A docker command line on a lab server through its own Docker socket (setup and assertions only; see e2e/lab-servers.ts). */
function onServer(server: LabServerName, command: string): string {
  return runOnLabServer(lab!, server, command);
}

/** (Re)creates dev's container of a member from its `docker run` options. */
function runOnDev(name: Member, options: string): void {
  onServer('dev', `docker rm -fv dev-${TAG}-${name} >/dev/null 2>&1; docker run -d --name dev-${TAG}-${name} --init --network ${TAG}-dev ${options} >/dev/null`);
}

/** Waits until dev's containers of `names` report healthy, as an operator's running dev would be. */
function waitUntilHealthyOnDev(names: readonly Member[]): void {
  for (let i = 0; i < 120; i++) {
    const states = names.map((name) => onServer('dev', `docker inspect --format '{{.State.Health.Status}}' dev-${TAG}-${name}`));
    if (states.every((state) => state === 'healthy')) return;
    execFileSync('sleep', ['0.5']);
  }
  throw new Error(`dev containers of ${names.join(', ')} did not become healthy`);
}

/** `docker inspect` on uat, the authority: member → container state ('absent' when there is none). */
function onUat(): Record<Member, string> {
  return Object.fromEntries(MEMBERS.map((name) => [name, onServer('uat', `docker inspect --format '{{.State.Status}}' uat-${TAG}-${name} 2>/dev/null || echo absent`)])) as Record<Member, string>;
}

/** The project `setUpProject` made: its id, dev's and uat's environment ids, and the resource id of each member. */
interface BatchProject {
  projectId: string;
  environments: Record<LabServerName, string>;
  resourceIds: Record<Member, string>;
}

/** Servers, a dev → uat project bound to them and dev's five containers adopted with their links: through the real channels. */
async function setUpProject(client: EngineClient): Promise<BatchProject> {
  const serverIds = await saveLabServers(client, lab!, 'batch', SERVERS);
  const { projectId, environmentIds } = await createBoundProject(client, PROJECT, [{ name: 'dev' }, { name: 'uat' }], SERVERS.map((server) => serverIds[server]));
  const resourceIds = {} as Record<Member, string>;
  for (const name of MEMBERS) {
    const resource = name === 'db' ? { name, kind: 'database' as const, databaseType: 'postgresql' as const } : { name, kind: 'application' as const, links: links[name].map((each) => resourceIds[each]) };
    resourceIds[name] = (await client.invoke('resources:adopt', { environmentId: environmentIds[0]!, container: `dev-${TAG}-${name}`, resource })).resource.id;
  }
  const { jobId } = await client.invoke('inventory:discover', { projectId });
  await waitForJob(client, jobId);
  return { projectId, environments: { dev: environmentIds[0]!, uat: environmentIds[1]! }, resourceIds };
}

/**
 * dev → uat for `names` through the engine's channels, not the wizard (the first test drives that);
 * resolves with the status it ended in, and for any other end than `completed` with what the run
 * says about it too (its message, the steps that failed, the end of its log), so a failure names its cause.
 */
async function migrateThroughEngine(client: EngineClient, project: BatchProject, names: readonly Member[]): Promise<string> {
  const planned = await client.invoke('migrations:plan', { projectId: project.projectId, sourceEnvId: project.environments.dev, targetEnvId: project.environments.uat, resourceIds: names.map((name) => project.resourceIds[name]) });
  expect(planned.plan.prechecks.filter((check) => check.severity === 'blocking')).toEqual([]);
  const { migrationId } = await client.invoke('migrations:start', { planId: planned.planId, options: { waitForReady: true, healthTimeoutSec: 60 } });
  for (let i = 0; i < 600; i++) {
    const { migration, steps, log } = await client.invoke('migrations:get', { migrationId });
    if (migration.status === 'completed') return migration.status;
    if (isTerminalStatus(migration.status)) {
      const failed = steps.filter((step) => step.error).map((step) => `${step.title}: ${step.error}`);
      return [`${migration.status}: ${migration.message}`, ...failed, ...log.slice(-30).map((line) => `${line.level} ${line.message}`)].join('\n');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`migration ${migrationId} did not end`);
}

/** A member's checkbox row in the wizard's resources step (by its exact name). */
function wizardResource(page: Page, name: Member) {
  return new MigrationsPage(page).wizard().locator('label.resource-choice').filter({ has: page.locator('.wizard-resource-name', { hasText: new RegExp(`^${name}$`) }) });
}

/** One resource of the batch on the migration page. */
function batchResource(page: Page, name: Member) {
  return page.getByTestId('batch-resource').and(page.locator(`[data-resource="${name}"]`));
}

/**
 * From "New migration": dev → uat with `names` ticked, through pre-checks, review and options
 * (`allOrNothing` ticked or not) to Start; resolves on the migration page.
 */
async function startBatch(page: Page, names: readonly Member[], options: { allOrNothing?: boolean } = {}): Promise<void> {
  const migrations = new MigrationsPage(page);
  await migrations.open();
  await migrations.startNew(PROJECT, 'dev');
  await expect(migrations.wizard().getByTestId('wizard-target')).toHaveText('uat');
  for (const name of names) {
    const row = wizardResource(page, name);
    await expect(row).toContainText('New');
    await row.getByRole('checkbox').check();
  }
  await toConfirm(page, options);
  for (const name of names) await expect(migrations.wizard()).toContainText(`${name} (new)`);
  await migrations.continue();
  await migrations.detailStatus(/.+/, 30_000);
}

/**
 * From the wizard's resources step (its choice made) through pre-checks (none blocking), review
 * and options (`allOrNothing` ticked or not, a 60 s health timeout) to Confirm.
 */
async function toConfirm(page: Page, options: { allOrNothing?: boolean } = {}): Promise<void> {
  const migrations = new MigrationsPage(page);
  await migrations.continue();
  const prechecks = await migrations.prechecksShown();
  await expect(prechecks.locator('[data-severity="blocking"]')).toHaveCount(0);
  await migrations.continue();
  await migrations.atStep('review');
  await migrations.continue();
  await migrations.atStep('options');
  const allOrNothing = page.getByLabel('If any resource fails, undo every resource of this migration');
  await expect(allOrNothing).not.toBeChecked();
  if (options.allOrNothing) await allOrNothing.check();
  await page.getByLabel('Health timeout (s)').fill('60');
  await migrations.continue();
  await migrations.atStep('confirm');
}

/** The level (1-based) the page shows a resource in. */
async function levelOf(page: Page, name: Member): Promise<string | null> {
  return page.locator('section.batch-level').filter({ has: batchResource(page, name) }).getAttribute('aria-label');
}

/** From the journal: each resource's first step started only after what it depends on had passed its health wait. */
async function orderViolations(client: EngineClient, migrationId: string): Promise<string[]> {
  const detail = await client.invoke('migrations:get', { migrationId });
  const plan = detail.plan!;
  const resourceOf = new Map(plan.steps.map((step) => [step.id, step.resourceId ?? '']));
  const firstStart = new Map<string, number>();
  const healthyEnd = new Map<string, number>();
  for (const row of detail.steps) {
    const resourceId = resourceOf.get(row.stepId);
    if (!resourceId || row.startedAt === null) continue;
    firstStart.set(resourceId, Math.min(firstStart.get(resourceId) ?? Infinity, row.startedAt));
    if (row.stepId.startsWith('wait-healthy:') && row.endedAt !== null) healthyEnd.set(resourceId, row.endedAt);
  }
  const problems: string[] = [];
  for (const resource of plan.resources) {
    const mine = firstStart.get(resource.resourceId);
    if (mine === undefined) continue;
    for (const dependency of resource.dependsOn ?? []) {
      const theirs = healthyEnd.get(dependency);
      if (theirs === undefined || mine < theirs) problems.push(`${resource.name} started at ${mine}, before ${dependency} was healthy (${theirs ?? 'never'})`);
    }
  }
  return problems;
}

/** The migration shown on the page, by the id the engine gave it (the newest one). */
async function newestMigrationId(client: EngineClient): Promise<string> {
  const { migrations } = await client.invoke('migrations:list', {});
  return [...migrations].sort((a, b) => b.createdAt - a.createdAt)[0]!.id;
}

test.beforeAll(() => {
  labScript('up');
  lab = JSON.parse(labScript('env')) as LabDetails;
  for (const server of SERVERS) onServer(server, cleanup);
  onServer('dev', `docker network create ${TAG}-dev >/dev/null`);
  for (const name of MEMBERS) runOnDev(name, devContainers[name]);
  // The apps' health checks ask the database.
  waitUntilHealthyOnDev(MEMBERS);
});

test.afterAll(() => {
  if (!lab) return;
  for (const server of SERVERS) onServer(server, cleanup);
});

test('one migration carries several linked resources; each shows its own progress; a crashing member is undone with its dependant', async ({ page, engine }) => {
  test.setTimeout(240_000);
  const client = await connectEngine(engine);
  try {
    await setUpProject(client);
    await openApp(page, engine);
    const migrations = new MigrationsPage(page);

    await test.step('db, api (linked to db) and report (independent) in one migration: each completes, db before api', async () => {
      await startBatch(page, ['db', 'api', 'report']);
      await expect(page.getByTestId('batch-resources')).toBeVisible();
      await expect(page.getByTestId('batch-resource')).toHaveCount(3);
      await migrations.detailStatus('completed', 120_000);
      for (const name of ['db', 'api', 'report'] as const) {
        const resource = batchResource(page, name);
        await expect(resource).toHaveAttribute('data-status', 'completed');
        await expect(resource.locator('summary')).toContainText('Completed');
        await expect(resource.getByRole('progressbar', { name: `${name} progress` })).toHaveAttribute('value', '100');
        await expect(resource.locator('summary')).toContainText(/(\d+)\/\1 steps/);
        // Its own log: only lines about it, the engine's `[name] ` prefix taken off.
        await resource.locator('summary').click();
        const log = resource.getByTestId('batch-resource-log');
        await expect(log).toBeVisible();
        await expect(log.locator('li').first()).toBeVisible();
        for (const other of ['db', 'api', 'report'].filter((each) => each !== name)) await expect(log).not.toContainText(`[${other}]`);
      }
      // Order: db and report depend on nothing; api waits for db (a level later, "after db").
      expect(await levelOf(page, 'db')).toBe('Level 1');
      expect(await levelOf(page, 'report')).toBe('Level 1');
      expect(await levelOf(page, 'api')).toBe('Level 2');
      await expect(batchResource(page, 'api').locator('summary')).toContainText('after db');
      await expect(page.getByTestId('migration-progress')).toHaveAttribute('data-percent', '100');
      await expect(page.getByTestId('migration-log')).toContainText('Batch of 3 resources in 2 level(s)');
      await expect(page.locator('body')).not.toContainText(DB_PASSWORD);
      await page.screenshot({ path: 'e2e/artifacts/batch-completed.png', fullPage: true });
      await expectAccessible(page, 'migration detail: a completed batch');
      expect(await orderViolations(client, await newestMigrationId(client))).toEqual([]);
      expect(onUat()).toEqual({ db: 'running', api: 'running', report: 'running', crash: 'absent', viewer: 'absent' });
      expect(onServer('uat', `docker inspect --format '{{.State.Health.Status}}' uat-${TAG}-api`)).toBe('healthy');
    });

    await test.step('rolled back from the page: uat has none of them again', async () => {
      await page.getByRole('button', { name: 'Roll back' }).click();
      await page.getByRole('dialog', { name: 'Roll back this migration?' }).getByRole('button', { name: 'Roll back' }).click();
      await expect(page.getByRole('heading', { name: 'Rollback of uat' })).toBeVisible();
      await migrations.detailStatus(/^completed/, 120_000);
      expect(Object.values(onUat())).toEqual(MEMBERS.map(() => 'absent'));
    });

    const failing = ['db', 'report', 'crash', 'viewer'] as const;
    await test.step('all or nothing: crash exits on uat, and every resource is undone, the independent ones too', async () => {
      await startBatch(page, failing, { allOrNothing: true });
      await migrations.detailStatus('failed', 120_000);
      await expect(page.getByTestId('migration-message')).toContainText('was undone');
      await expect(page.getByTestId('migration-log')).toContainText('all or nothing');
      const crash = batchResource(page, 'crash');
      await expect(crash).toHaveAttribute('data-status', 'undone');
      await expect(crash.locator('.step-error').first()).toContainText(/stopped \(exited, exit code 3\)/);
      // db and report had run (report completes alongside db; crash starts once db is healthy): both undone.
      for (const name of ['db', 'report'] as const) {
        await expect(batchResource(page, name)).toHaveAttribute('data-status', 'undone');
        await expect(batchResource(page, name).locator('summary')).toContainText('Undone');
      }
      await expect(batchResource(page, 'viewer')).toHaveAttribute('data-status', 'skipped');
      await page.screenshot({ path: 'e2e/artifacts/batch-all-or-nothing.png', fullPage: true });
      expect(Object.values(onUat())).toEqual(MEMBERS.map(() => 'absent'));
      expect(onServer('uat', `docker volume ls -q --filter name=${TAG}`)).toBe('');
    });

    await test.step('without it: crash is undone, viewer (which depends on it) never starts, db and report complete', async () => {
      await startBatch(page, failing);
      await migrations.detailStatus('completed_with_warning', 120_000);
      const message = page.getByTestId('migration-message');
      await expect(message).toContainText(/2 of 4 resources completed \((db|report), (db|report)\)/);
      await expect(message).toContainText(/undone: crash \(.*exit code 3.*\); not started: viewer \(it depends on crash, which failed\)/s);
      const crash = batchResource(page, 'crash');
      await expect(crash).toHaveAttribute('data-status', 'undone');
      await expect(crash.locator('summary')).toContainText('Undone');
      await expect(crash.locator('li[data-status="failed"]')).toHaveCount(1);
      await expect(crash.locator('.step-error')).toContainText('refusing to start against uat-');
      // Its own log: its steps, its failure and the undo of what it had done.
      const crashLog = crash.getByTestId('batch-resource-log');
      await expect(crashLog).toContainText('crash failed: The new container uat-e2ebatch-crash');
      await expect(crashLog).toContainText('↶ Undone: Create uat-e2ebatch-crash');
      await expect(crashLog).not.toContainText('[crash]');
      const viewer = batchResource(page, 'viewer');
      await expect(viewer).toHaveAttribute('data-status', 'skipped');
      await expect(viewer.locator('summary')).toContainText('Not started');
      await expect(viewer.locator('summary')).toContainText(/0\/\d+ steps · after (db, crash|crash, db)$/);
      for (const name of ['db', 'report'] as const) await expect(batchResource(page, name)).toHaveAttribute('data-status', 'completed');
      await expect(page.locator('body')).not.toContainText(DB_PASSWORD);
      await page.screenshot({ path: 'e2e/artifacts/batch-partial.png', fullPage: true });
      await expectAccessible(page, 'migration detail: a batch with an undone member');
      expect(await orderViolations(client, await newestMigrationId(client))).toEqual([]);
      expect(onUat()).toEqual({ db: 'running', api: 'absent', report: 'running', crash: 'absent', viewer: 'absent' });
    });
  } catch (error) {
    console.error(`engine output:\n${engine.output().slice(-4000)}`);
    throw error;
  } finally {
    client.close();
  }
});

test('"Promote 2 behind from dev" on the graph promotes exactly the resources dev changed since uat got them', async ({ page, engine }) => {
  test.setTimeout(240_000);
  const client = await connectEngine(engine);
  const promoted = ['api', 'report'] as const;
  const imageOn = (server: LabServerName, name: Member) => onServer(server, `docker inspect --format '{{.Config.Image}}' ${server}-${TAG}-${name}`);
  try {
    // Whatever the first test left on uat goes: this test's project starts from an empty uat.
    onServer('uat', cleanup);
    const project = await setUpProject(client);
    await test.step('uat gets db, api and report from dev', async () => {
      expect(await migrateThroughEngine(client, project, ['db', 'api', 'report'])).toBe('completed');
      expect(onUat()).toEqual({ db: 'running', api: 'running', report: 'running', crash: 'absent', viewer: 'absent' });
      for (const name of promoted) expect(imageOn('uat', name)).toBe('gantry-lab/webapp:1');
    });
    const uatDbBefore = onServer('uat', `docker inspect --format '{{.Id}}' uat-${TAG}-db`);

    const environments = new EnvironmentsPage(page);
    /** Clicks "Discover containers" and waits (engine side) until the discovery it started has ended; the page reloads its graph then. */
    const discover = async () => {
      const before = new Set((await client.invoke('jobs:list', {})).jobs.map((job) => job.jobId));
      await page.getByRole('button', { name: 'Discover containers' }).click();
      const newDiscovery = async () => (await client.invoke('jobs:list', {})).jobs.find((job) => job.kind === 'discovery' && !before.has(job.jobId))?.jobId;
      await expect.poll(newDiscovery).toBeDefined();
      await waitForJob(client, (await newDiscovery())!);
      await expect(page.getByRole('button', { name: 'Discover containers' })).toBeEnabled();
    };
    const promoteBehind = environments.environment('uat').getByTestId('promote-behind');
    await test.step('dev moves api and report to webapp:2; after a discovery the uat column offers to promote those two, not db', async () => {
      for (const name of promoted) runOnDev(name, devContainers[name].replace('gantry-lab/webapp:1', 'gantry-lab/webapp:2'));
      waitUntilHealthyOnDev(promoted);
      await openApp(page, engine);
      await environments.open();
      await page.getByLabel('Project').selectOption({ label: PROJECT });
      await discover();
      for (const name of promoted) await expect(environments.cell(name, 'uat').getByTestId('resource-status')).toHaveAttribute('data-status', 'behind');
      await expect(environments.cell('db', 'uat').getByTestId('resource-status')).toHaveAttribute('data-status', 'in_sync');
      await expect(promoteBehind).toHaveText('Promote 2 behind from dev');
      // The first environment has nothing before it to be behind.
      await expect(environments.environment('dev').getByTestId('promote-behind')).toHaveCount(0);
    });

    const migrations = new MigrationsPage(page);
    await test.step('it opens the wizard from dev with exactly api and report ticked, and runs to the end', async () => {
      await promoteBehind.click();
      await migrations.atStep('resources');
      await expect(migrations.wizard().getByTestId('wizard-target')).toHaveText('uat');
      await expect(migrations.wizard().locator('label.resource-choice input:checked')).toHaveCount(2);
      for (const name of promoted) {
        await expect(wizardResource(page, name).getByRole('checkbox')).toBeChecked();
        await expect(wizardResource(page, name)).toContainText('Update');
      }
      for (const name of ['db', 'crash', 'viewer'] as const) await expect(wizardResource(page, name).getByRole('checkbox')).not.toBeChecked();
      await toConfirm(page);
      await expect(migrations.wizard()).toContainText(/Gantry will move (api \(update\), report \(update\)|report \(update\), api \(update\)) from dev to uat/);
      await migrations.continue();
      await migrations.detailStatus('completed', 120_000);
      await expect(page.getByTestId('batch-resource')).toHaveCount(2);
      for (const name of promoted) await expect(batchResource(page, name)).toHaveAttribute('data-status', 'completed');
    });

    await test.step("uat runs dev's new image for both (docker inspect), db is untouched, and after a discovery nothing is behind", async () => {
      for (const name of promoted) {
        expect(imageOn('uat', name)).toBe(imageOn('dev', name));
        expect(imageOn('uat', name)).toBe('gantry-lab/webapp:2');
        expect(onServer('uat', `docker inspect --format '{{.State.Status}}' uat-${TAG}-${name}`)).toBe('running');
      }
      expect(onServer('uat', `docker inspect --format '{{.Id}}' uat-${TAG}-db`)).toBe(uatDbBefore);
      await environments.open();
      await page.getByLabel('Project').selectOption({ label: PROJECT });
      await discover();
      for (const name of promoted) {
        await expect(environments.cell(name, 'uat').getByTestId('resource-status')).toHaveAttribute('data-status', 'in_sync');
        await expect(environments.cell(name, 'uat')).not.toContainText('behind');
      }
      await expect(environments.environment('uat')).toBeVisible();
      await expect(promoteBehind).toHaveCount(0);
    });
  } catch (error) {
    console.error(`engine output:\n${engine.output().slice(-4000)}`);
    throw error;
  } finally {
    client.close();
  }
});
