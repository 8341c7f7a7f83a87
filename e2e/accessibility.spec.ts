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
  try {
    await client.invoke('projects:create', { name: 'Shop', environments: [{ name: 'dev' }, { name: 'uat' }, { name: 'production', production: true }] });
    await client.invoke('servers:save', { server: { name: 'unreached', host: '127.0.0.1', port: 1, username: 'root', auth: { method: 'agent' } } });
  } finally {
    client.close();
  }

  await shell.goTo('Environments');
  await expect(page.getByTestId('environment-name')).toHaveCount(3);
  await expectAccessible(page, 'Environments (project)');
  await inDialog(page, () => page.getByRole('button', { name: 'New project' }).click(), 'New project', 'New project dialog');
  await inDialog(page, () => page.getByRole('button', { name: 'Add environment' }).click(), 'Add environment', 'Add environment dialog');

  await shell.goTo('Migrations');
  await inDialog(page, () => page.getByRole('button', { name: 'New migration' }).click(), /^Migrate/, 'migrate wizard (source)');

  await shell.goTo('History');
  await expectAccessible(page, 'History (project)');

  await shell.goTo('Servers');
  await expect(page.getByText('unreached')).toBeVisible();
  await expectAccessible(page, 'Servers (one server)');
  await inDialog(page, () => page.getByRole('button', { name: 'Add server' }).click(), 'Add server', 'Add server dialog');
  await inDialog(page, () => page.getByRole('button', { name: 'Edit' }).click(), /^Edit/, 'Edit server dialog');
  await inDialog(page, () => page.getByRole('button', { name: 'Delete' }).click(), /^Delete/, 'Delete server dialog');
  await inDialog(page, () => page.getByRole('button', { name: 'Import from ~/.ssh/config' }).click(), 'Import from SSH config', 'Import from SSH config dialog');
});
