import { test, expect, openApp } from './fixtures';
import { EnvironmentsPage } from './pages/environments';

test('a project chain is created, extended and reordered, and a production environment must stay last', async ({ page, engine }) => {
  await openApp(page, engine);
  const environments = new EnvironmentsPage(page);
  await environments.open();
  await expect(page.getByRole('region', { name: 'No environments yet' })).toBeVisible();

  await environments.createProject('Shop', 'dev, uat, production');
  await expect.poll(() => environments.environmentNames()).toEqual(['dev', 'uat', 'production']);
  await expect(environments.environment('production')).toHaveAttribute('data-production', 'true');
  await expect(environments.environment('production')).toContainText('gantry-shop-production');

  // A new non-production environment goes before production.
  await page.getByRole('button', { name: 'Add environment' }).click();
  const add = environments.dialog('Add environment');
  await add.getByLabel('Name').fill('staging');
  await add.getByLabel('Domain').fill('staging.example.com');
  await add.getByRole('button', { name: 'Add environment' }).click();
  await expect(add).toBeHidden();
  await expect.poll(() => environments.environmentNames()).toEqual(['dev', 'uat', 'staging', 'production']);
  await expect(environments.environment('staging')).toContainText('staging.example.com');

  // A duplicate name is refused with a reason, and the dialog stays open to fix it.
  await page.getByRole('button', { name: 'Add environment' }).click();
  await add.getByLabel('Name').fill('uat');
  await add.getByRole('button', { name: 'Add environment' }).click();
  await expect(add.getByRole('alert')).toContainText('Two environments are named "uat"');
  await add.getByRole('button', { name: 'Cancel' }).click();

  // Moving production earlier is refused and nothing changes.
  await page.getByRole('button', { name: 'Move production earlier' }).click();
  await expect(environments.error()).toContainText('"production" must be the last in the chain');
  await expect.poll(() => environments.environmentNames()).toEqual(['dev', 'uat', 'staging', 'production']);

  // Reordering the others works, and survives a reload.
  await page.getByRole('button', { name: 'Move staging earlier' }).click();
  await expect.poll(() => environments.environmentNames()).toEqual(['dev', 'staging', 'uat', 'production']);
  await page.reload();
  await environments.open();
  await expect.poll(() => environments.environmentNames()).toEqual(['dev', 'staging', 'uat', 'production']);
  await expect(page.getByRole('button', { name: 'Discover containers' })).toBeDisabled();
  await page.screenshot({ path: 'e2e/artifacts/environments-chain.png' });
});
