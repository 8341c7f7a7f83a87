import { spawnSync } from 'node:child_process';
import { test, expect, openApp } from './fixtures';
import { ShellPage } from './pages/shell';

test('the real renderer runs against the real engine in browser mode', async ({ page, engine }) => {
  await openApp(page, engine);
  // The token never stays in the address bar (it would end up in screenshots and history).
  expect(page.url()).not.toContain('token=');

  const shell = new ShellPage(page);
  for (const section of ['Environments', 'Migrations', 'History', 'Servers'] as const) {
    await shell.goTo(section);
    await expect(page.locator('.empty-state')).toBeVisible();
  }
  await shell.goTo('Settings');
  // A real round trip: app:info answered by the engine process this test started.
  await expect(page.getByTestId('app-bridge')).toContainText('browser mode');
  await expect(page.getByTestId('app-data-dir')).toHaveText(engine.dataDir);
  await expect(page.getByTestId('app-version')).toHaveText(/^\d+\.\d+\.\d+/);
  await page.screenshot({ path: 'e2e/artifacts/settings.png' });

  // A reload keeps the section and the session.
  await page.reload();
  await expect(page.locator('[data-app-ready]')).toHaveAttribute('data-app-ready', 'true');
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
});

test('Settings shows the run defaults, the keychain status and the data folder', async ({ page, engine }) => {
  await openApp(page, engine);
  await new ShellPage(page).goTo('Settings');
  await expect(page.getByTestId('keychain-status')).toHaveAttribute('data-usable', /true|false/);
  const timeout = page.getByLabel('Default health timeout (s)');
  await expect(timeout).toHaveValue('300');
  await timeout.fill('2');
  await expect(page.getByRole('alert')).toContainText('between 5 and 3600');
  await expect(page.getByRole('button', { name: 'Save defaults' })).toBeDisabled();
  await timeout.fill('45');
  await page.getByLabel('Default HTTP check path').fill('/ready');
  await page.getByRole('button', { name: 'Save defaults' }).click();
  await expect(page.getByTestId('defaults-saved')).toBeVisible();

  // Stored by the engine: a reload reads them back.
  await page.reload();
  await expect(page.locator('[data-app-ready]')).toHaveAttribute('data-app-ready', 'true');
  await expect(page.getByLabel('Default health timeout (s)')).toHaveValue('45');
  await expect(page.getByLabel('Default HTTP check path')).toHaveValue('/ready');
});

test('a page opened without the token says how to get in', async ({ page, engine }) => {
  const withoutToken = engine.url.replace(/#token=.*/, '');
  await page.goto(withoutToken);
  await expect(page.locator('[data-app-ready]')).toHaveAttribute('data-app-ready', 'error');
  await expect(page.getByRole('alert')).toContainText('npm start');
});

test('a second engine on the same data folder refuses to start and says why, leaving the first one running', async ({ page, engine }) => {
  const second = spawnSync(process.execPath, ['out/main/browser.js'], { env: { ...process.env, GANTRY_DATA_DIR: engine.dataDir }, encoding: 'utf8', timeout: 30_000 });
  expect(second.status).toBe(1);
  expect(second.stderr).toContain(`Gantry could not start: Gantry is already running with the data folder ${engine.dataDir} (process ${engine.process.pid})`);
  await openApp(page, engine);
  await expect(page.locator('[data-app-ready]')).toHaveAttribute('data-app-ready', 'true');
});

test('at 1024×700 the sections fold into a strip that opens again; a skip link leads past them', async ({ page, engine }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await openApp(page, engine);
  const toggle = page.getByRole('button', { name: 'Show the sections' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Servers' })).toBeHidden();
  await toggle.click();
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Servers' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Servers' })).toBeVisible();
  await page.getByRole('button', { name: 'Hide the sections' }).click();
  await page.screenshot({ path: 'e2e/artifacts/shell-1024.png' });

  // From the top of the page the first Tab reaches the skip link; following it puts focus on the
  // page, past the navigation (and leaves the route alone).
  await page.reload();
  await expect(page.locator('[data-app-ready]')).toHaveAttribute('data-app-ready', 'true');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#main-content')).toBeFocused();
  await expect(page.getByRole('heading', { level: 1, name: 'Servers' })).toBeVisible();
});
