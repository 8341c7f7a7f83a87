/**
 * axe on every page and every dialog that opens without lab servers, in light and in dark:
 * no serious or critical violation. (The fixture also fails the test on any console error or
 * CSP violation while it runs.)
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { connectEngine } from './engine-client';
import { test, expect, openApp } from './fixtures';
import { ShellPage } from './pages/shell';

async function expectNoSeriousViolations(page: Page, where: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  const described = serious.map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).slice(0, 5).join(', ')}`);
  expect(described, `axe on ${where}`).toEqual([]);
}

async function inDialog(page: Page, open: () => Promise<void>, name: string | RegExp, where: string): Promise<void> {
  await open();
  const dialog = page.getByRole('dialog', { name });
  await expect(dialog).toBeVisible();
  await expectNoSeriousViolations(page, where);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
}

for (const scheme of ['light', 'dark'] as const) {
  test(`axe finds no serious or critical violation on any page or dialog (${scheme})`, async ({ page, engine }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await openApp(page, engine);
    const shell = new ShellPage(page);

    // Empty states first, as a new operator sees them.
    for (const section of ['Environments', 'Migrations', 'History', 'Servers', 'Settings'] as const) {
      await shell.goTo(section);
      await expectNoSeriousViolations(page, `${section} (empty)`);
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
    await expectNoSeriousViolations(page, 'Environments (project)');
    await inDialog(page, () => page.getByRole('button', { name: 'New project' }).click(), 'New project', 'New project dialog');
    await inDialog(page, () => page.getByRole('button', { name: 'Add environment' }).click(), 'Add environment', 'Add environment dialog');

    await shell.goTo('Migrations');
    await inDialog(page, () => page.getByRole('button', { name: 'New migration' }).click(), /^Migrate/, 'migrate wizard (source)');

    await shell.goTo('History');
    await expectNoSeriousViolations(page, 'History (project)');

    await shell.goTo('Servers');
    await expect(page.getByText('unreached')).toBeVisible();
    await expectNoSeriousViolations(page, 'Servers (one server)');
    await inDialog(page, () => page.getByRole('button', { name: 'Add server' }).click(), 'Add server', 'Add server dialog');
    await inDialog(page, () => page.getByRole('button', { name: 'Edit' }).click(), /^Edit/, 'Edit server dialog');
    await inDialog(page, () => page.getByRole('button', { name: 'Delete' }).click(), /^Delete/, 'Delete server dialog');
    await inDialog(page, () => page.getByRole('button', { name: 'Import from ~/.ssh/config' }).click(), 'Import from SSH config', 'Import from SSH config dialog');
  });
}
