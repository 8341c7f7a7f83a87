/**
 * The environment graph against the lab's real servers: containers started by hand on dev, uat
 * and prod are discovered and adopted from the UI, shown in sync, and a container changed outside
 * Gantry shows as drifted. Needs the lab (`bash lab/lab.sh up`, which this test runs; it is
 * idempotent) and a keychain (`bash .ci/with-keyring.sh npx playwright test`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabDetails } from '../lab/lab-client';
import { connectEngine } from './engine-client';
import { expectAccessible } from './pages/axe';
import { test, expect, openApp } from './fixtures';
import { EnvironmentsPage } from './pages/environments';
import { MigrationsPage } from './pages/migrations';

const SERVERS = ['dev', 'uat', 'prod'] as const;
const CONTAINER = 'inv-e2e-web';

test('hand-started containers are discovered, adopted, shown in sync, and drifted once changed by hand', async ({ page, engine }) => {
  test.setTimeout(300_000);
  execFileSync('bash', ['lab/lab.sh', 'up'], { stdio: 'ignore' });
  const lab = JSON.parse(execFileSync('bash', ['lab/lab.sh', 'env'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as LabDetails;
  const folder = mkdtempSync(join(tmpdir(), 'gantry-e2e-ssh-'));
  const sshConfig = join(folder, 'ssh_config');
  writeFileSync(sshConfig, lab.sshConfig);
  const onServer = (server: (typeof SERVERS)[number], command: string) => execFileSync('ssh', ['-F', sshConfig, `gantry-${server}`, command], { encoding: 'utf8' });
  const run = (mode: string) =>
    `docker rm -fv ${CONTAINER} >/dev/null 2>&1; docker run -d --name ${CONTAINER} --init -e APP_MODE=${mode} -e API_TOKEN=e2e-secret-token gantry-lab/webapp:1`;

  const client = await connectEngine(engine);
  try {
    for (const server of SERVERS) {
      onServer(server, run(server));
      const details = lab.servers[server];
      await client.invoke('servers:save', {
        server: { name: `lab-${server}`, host: details.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
        pin: { fingerprint: details.hostKey.fingerprint, algorithm: details.hostKey.publicKey.split(' ')[0]! },
      });
    }

    await openApp(page, engine);
    const environments = new EnvironmentsPage(page);
    await environments.open();
    await environments.createProject('Shop', 'dev, uat, production');
    for (const [environment, server] of [['dev', 'dev'], ['uat', 'uat'], ['production', 'prod']] as const) {
      await environments.environment(environment).getByLabel(`Server of ${environment}`).selectOption({ label: `lab-${server}` });
      await expect(environments.environment(environment).getByLabel(`Server of ${environment}`)).toHaveValue(/.+/);
    }

    await page.getByRole('button', { name: 'Discover containers' }).click();
    await expect(page.getByRole('button', { name: 'Adopt inv-e2e-web in dev' })).toBeVisible({ timeout: 60_000 });

    await page.getByRole('button', { name: 'Adopt inv-e2e-web in dev' }).click();
    const adopt = environments.dialog('Adopt inv-e2e-web');
    await adopt.getByLabel('Name').fill('web');
    // Guessed from the image (gantry-lab/webapp): an application.
    await expect(adopt.getByLabel('Kind')).toHaveValue('application');
    await adopt.getByLabel('Tags').fill('frontend');
    await expectAccessible(page, 'Adopt dialog');
    await adopt.getByRole('button', { name: 'Adopt' }).click();
    await expect(adopt).toBeHidden();
    for (const environment of ['uat', 'production']) {
      await page.getByRole('button', { name: `Adopt inv-e2e-web in ${environment}` }).click();
      await adopt.getByLabel('Resource').selectOption({ label: 'web' });
      await adopt.getByRole('button', { name: 'Adopt' }).click();
      await expect(adopt).toBeHidden();
    }

    const statusIn = (environment: string) => page.locator(`[data-testid="inventory-cell"][data-environment="${environment}"] [data-testid="resource-status"]`);
    for (const environment of ['dev', 'uat', 'production']) await expect(statusIn(environment)).toHaveAttribute('data-status', 'in_sync');
    await expect(page.locator('body')).not.toContainText('e2e-secret-token');

    // Filters hide rows that do not match and show them again when cleared.
    const webRow = page.getByRole('row', { name: 'web', exact: true });
    await page.getByLabel('Filter by kind').selectOption('database');
    await expect(webRow).toBeHidden();
    await expect(page.getByTestId('filter-count')).toHaveText('0 of 1 resources');
    await page.getByLabel('Filter by kind').selectOption('application');
    await page.getByLabel('Filter by tag').selectOption('frontend');
    await expect(webRow).toBeVisible();

    // A cell's details: status, masked spec (no secret in clear), links and the history section.
    await page.getByRole('button', { name: 'Details of web in dev' }).click();
    const detail = environments.dialog('web in dev');
    await expect(detail.getByTestId('detail-spec')).toContainText('gantry-lab/webapp:1');
    await expect(detail.getByTestId('detail-spec')).toContainText('API_TOKEN');
    await expect(detail).not.toContainText('e2e-secret-token');
    await expect(detail.getByTestId('detail-links')).toHaveText('Uses no other resource');
    await expect(detail.getByTestId('detail-history')).toContainText('adopted');
    await expect(detail.getByTestId('detail-tasks')).toHaveText('No scheduled tasks.');
    await page.screenshot({ path: 'e2e/artifacts/environments-detail.png' });
    await expectAccessible(page, 'Resource detail dialog');

    // Tags and scheduled tasks are edited after adoption; a schedule cron cannot read is refused with why.
    await detail.getByRole('button', { name: 'Edit links, tags and tasks' }).click();
    const edit = environments.dialog('Edit web');
    await expect(edit).toContainText('No other resource in this project to link to yet.');
    await edit.getByLabel('Tags').fill('frontend, batch');
    await edit.getByRole('button', { name: 'Add a task' }).click();
    await edit.getByLabel('Name of task 1').fill('cleanup');
    await edit.getByLabel('Schedule of task 1').fill('every day');
    await edit.getByLabel('Command of task 1').fill('rm -rf /tmp/cache');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(edit.getByRole('alert')).toHaveText('The scheduled task "cleanup" of web has the schedule "every day", which cron cannot read: it has 2 fields; cron needs five (minute hour day month weekday, e.g. "*/5 * * * *") or a macro such as @daily.');
    // Five fields are not enough: each must be in range (a maintained cron parser checks them).
    await edit.getByLabel('Schedule of task 1').fill('99 99 99 99 99');
    await expect(edit.getByTestId('schedule-words')).toHaveAttribute('data-valid', 'false');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(edit.getByRole('alert')).toContainText('got value 99 expected range 0-59');
    await edit.getByLabel('Schedule of task 1').fill('*/5 * * * *');
    await expect(edit.getByTestId('schedule-words')).toContainText(/^Every 5 minutes · next run /);
    await page.screenshot({ path: 'e2e/artifacts/environments-edit-resource.png' });
    await expectAccessible(page, 'Resource edit dialog');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(edit).toBeHidden();
    await expect(detail.getByTestId('detail-tasks')).toContainText('*/5 * * * * cleanup: rm -rf /tmp/cache');
    await expect(detail).toContainText('tags: batch, frontend');
    await detail.getByRole('button', { name: 'Close' }).click();
    await expect(detail).toBeHidden();
    await page.getByRole('button', { name: 'Clear filters' }).click();

    // A cell starts the migrate wizard with that resource, from that environment to the next.
    await page.getByRole('button', { name: 'Migrate to uat: web from dev' }).click();
    const migrations = new MigrationsPage(page);
    await expect(migrations.wizard().getByTestId('wizard-target')).toHaveText('uat');
    await expect(migrations.resource('web').getByRole('checkbox')).toBeChecked();
    await expect(migrations.resource('web')).toContainText('Update');
    await page.getByRole('dialog', { name: /^Migrate/ }).getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(migrations.wizard()).toBeHidden();

    // Someone recreates the uat container by hand with a different setting.
    onServer('uat', run('uat-hotfix'));
    await page.getByRole('button', { name: 'Discover containers' }).click();
    await expect(statusIn('uat')).toHaveAttribute('data-status', 'drifted', { timeout: 60_000 });
    await expect(statusIn('dev')).toHaveAttribute('data-status', 'in_sync');
    await expect(statusIn('production')).toHaveAttribute('data-status', 'in_sync');
    await expect(page.locator('[data-testid="inventory-cell"][data-environment="uat"]')).toContainText('changed outside Gantry');
    await page.screenshot({ path: 'e2e/artifacts/environments-graph.png' });

    // The operator accepts the change: uat is in sync again with the new baseline.
    await page.locator('[data-testid="inventory-cell"][data-environment="uat"]').getByRole('button', { name: 'Accept current spec' }).click();
    await expect(statusIn('uat')).toHaveAttribute('data-status', 'in_sync');
  } catch (error) {
    console.error(`engine output:\n${engine.output().slice(-4000)}`);
    throw error;
  } finally {
    client.close();
    for (const server of SERVERS) {
      try {
        onServer(server, `docker rm -fv ${CONTAINER} >/dev/null 2>&1; true`);
      } catch {
        // The lab may be down; nothing of ours is left to remove then.
      }
    }
    rmSync(folder, { recursive: true, force: true });
  }
});

test('Adopt pre-ticks the resource whose container an env value names, without showing its password', async ({ page, engine }) => {
  test.setTimeout(180_000);
  const lab = JSON.parse(execFileSync('bash', ['lab/lab.sh', 'env'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as LabDetails;
  const folder = mkdtempSync(join(tmpdir(), 'gantry-e2e-ssh-'));
  const sshConfig = join(folder, 'ssh_config');
  writeFileSync(sshConfig, lab.sshConfig);
  const onDev = (command: string) => execFileSync('ssh', ['-F', sshConfig, 'gantry-dev', command], { encoding: 'utf8' });
  const names = ['inv-link-db', 'inv-link-app'];
  onDev(`docker rm -fv ${names.join(' ')} >/dev/null 2>&1; docker run -d --name inv-link-db --init -e APP_MODE=dev gantry-lab/webapp:1 && docker run -d --name inv-link-app --init -e APP_MODE=dev -e DATABASE_URL=postgres://shop:link-secret-pw@inv-link-db:5432/shop gantry-lab/webapp:1`);
  const client = await connectEngine(engine);
  try {
    const details = lab.servers.dev;
    const saved = await client.invoke('servers:save', {
      server: { name: 'lab-dev', host: details.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
      pin: { fingerprint: details.hostKey.fingerprint, algorithm: details.hostKey.publicKey.split(' ')[0]! },
    });
    const created = await client.invoke('projects:create', { name: 'Links', environments: [{ name: 'dev' }, { name: 'uat' }] });
    const graph = await client.invoke('inventory:graph', { projectId: created.project.id });
    await client.invoke('environments:bind', { environmentId: graph.environments[0]!.id, serverId: saved.server.id });

    await openApp(page, engine);
    const environments = new EnvironmentsPage(page);
    await environments.open();
    await page.getByRole('button', { name: 'Discover containers' }).click();
    await page.getByRole('button', { name: 'Adopt inv-link-db in dev' }).click({ timeout: 60_000 });
    const adoptDb = environments.dialog('Adopt inv-link-db');
    await adoptDb.getByLabel('Name').fill('db');
    await adoptDb.getByRole('button', { name: 'Adopt' }).click();
    await expect(adoptDb).toBeHidden();

    await page.getByRole('button', { name: 'Adopt inv-link-app in dev' }).click();
    const adoptApp = environments.dialog('Adopt inv-link-app');
    await expect(adoptApp.getByTestId('adopt-links').getByLabel(/^db/)).toBeChecked();
    await expect(page.locator('body')).not.toContainText('link-secret-pw');
    await expectAccessible(page, 'Adopt dialog with a pre-ticked link');
    await adoptApp.getByLabel('Name').fill('app');
    await adoptApp.getByRole('button', { name: 'Adopt' }).click();
    await expect(adoptApp).toBeHidden();
    await page.getByRole('button', { name: 'Details of app in dev' }).click();
    await expect(environments.dialog('app in dev').getByTestId('detail-links')).toHaveText('Uses db');
  } finally {
    client.close();
    onDev(`docker rm -fv ${names.join(' ')} >/dev/null 2>&1; true`);
    rmSync(folder, { recursive: true, force: true });
  }
});
