/**
 * axe on every page and every dialog that opens without lab servers, in light and in dark:
 * no serious or critical violation. (The fixture also fails the test on any console error or
 * CSP violation while it runs.)
 */
import type { Page } from '@playwright/test';
import { connectEngine } from './engine-client';
import { test, expect, openApp } from './fixtures';
import { expectAccessible } from './pages/axe';
import { ShellPage } from './pages/shell';

async function inDialog(page: Page, open: () => Promise<void>, name: string | RegExp, where: string): Promise<void> {
  await open();
  const dialog = page.getByRole('dialog', { name });
  await expect(dialog).toBeVisible();
  await expectAccessible(page, where);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
}

test('axe finds no serious or critical violation on any page or dialog, light and dark', async ({ page, engine }) => {
  await openApp(page, engine);
  const shell = new ShellPage(page);

  // Empty states first, as a new operator sees them.
  for (const section of ['Environments', 'Migrations', 'History', 'Servers', 'Settings'] as const) {
    await shell.goTo(section);
    await expectAccessible(page, `${section} (empty)`);
  }

  // Then with a project and a saved (never tested) server, through the real channels.
  const client = await connectEngine(engine);
  const created = await client.invoke('projects:create', { name: 'Shop', environments: [{ name: 'dev' }, { name: 'uat' }, { name: 'production', production: true }] });
  const saved = await client.invoke('servers:save', { server: { name: 'unreached', host: '127.0.0.1', port: 1, username: 'root', auth: { method: 'agent' } } });

  await shell.goTo('Environments');
  await expect(page.getByTestId('environment-name')).toHaveCount(3);
  await expectAccessible(page, 'Environments (project)');
  await inDialog(page, () => page.getByRole('button', { name: 'New project' }).click(), 'New project', 'New project dialog');
  await inDialog(page, () => page.getByRole('button', { name: 'Add environment' }).click(), 'Add environment', 'Add environment dialog');

  await shell.goTo('Migrations');
  await inDialog(page, () => page.getByRole('button', { name: 'New migration' }).click(), /^Migrate/, 'migrate wizard (source)');

  await shell.goTo('History');
  await expectAccessible(page, 'History (project)');

  // uat runs on the saved server from here on: deleting that server must say so.
  try {
    const graph = await client.invoke('inventory:graph', { projectId: created.project.id });
    await client.invoke('environments:bind', { environmentId: graph.environments.find((environment) => environment.name === 'uat')!.id, serverId: saved.server.id });
  } finally {
    client.close();
  }

  await shell.goTo('Servers');
  await expect(page.getByText('unreached')).toBeVisible();
  await expectAccessible(page, 'Servers (one server)');
  await inDialog(page, () => page.getByRole('button', { name: 'Add server' }).click(), 'Add server', 'Add server dialog');
  await inDialog(page, () => page.getByRole('button', { name: 'Edit' }).click(), /^Edit/, 'Edit server dialog');
  await inDialog(
    page,
    async () => {
      await page.getByRole('button', { name: 'Delete' }).click();
      await expect(page.getByTestId('bound-environments')).toContainText('One environment runs on this server: Shop / uat.');
      await expect(page.getByTestId('bound-environments')).toContainText('discovery, migrations and rollbacks there stop until you bind another server');
      await expect(page.getByRole('button', { name: 'Cancel' })).toBeFocused();
    },
    /^Delete/,
    'Delete server dialog (bound to uat)',
  );
  // Saving a server nobody tested asks once, then saves.
  await page.getByRole('button', { name: 'Add server' }).click();
  const add = page.getByRole('dialog', { name: 'Add server' });
  await add.getByLabel('Name', { exact: true }).fill('untested');
  await add.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await add.getByLabel('Port', { exact: true }).fill('9');
  await add.getByLabel('User', { exact: true }).fill('root');
  await add.getByLabel('Log in with', { exact: true }).selectOption('password');
  await add.getByLabel('Password', { exact: true }).fill('not-a-real-password');
  await add.getByRole('button', { name: 'Save' }).click();
  // Save tests first: nothing answers on 127.0.0.1:9, so the warning names the failed step.
  await expect(add.getByTestId('save-warning')).toContainText('The last test failed at');
  await expectAccessible(page, 'Add server dialog: save warning');
  await add.getByRole('button', { name: 'Save anyway' }).click();
  await expect(add).toBeHidden();
  await expect(page.getByText('untested')).toBeVisible();
  await inDialog(page, () => page.getByRole('button', { name: 'Import from ~/.ssh/config' }).click(), 'Import from SSH config', 'Import from SSH config dialog');
});
