/**
 * Servers in the real UI against the real engine (browser mode), the lab's real sshd and dockerd,
 * and the real OS keychain. Run under `bash .ci/with-keyring.sh npx playwright test e2e/servers.spec.ts`
 * with the lab up (`bash lab/lab.sh up`).
 */
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, openApp, startEngine, stopEngine } from './fixtures';
import { expectAccessible } from './pages/axe';
import { ServersPage } from './pages/servers';

interface Lab {
  keys: { plain: string; passphrase: { path: string; passphrase: string } };
  sshConfig: string;
  knownHostsFile: string;
  servers: Record<'dev' | 'uat' | 'prod', { host: string; hostKey: { fingerprint: string }; users: { deploy: { password: string } } }>;
}

let lab: Lab;

test.beforeAll(() => {
  // `status` exits 0 only when the whole lab is healthy; otherwise bring it up (idempotent).
  try {
    execFileSync('bash', ['lab/lab.sh', 'status'], { stdio: 'ignore', timeout: 60_000 });
  } catch {
    execFileSync('bash', ['lab/lab.sh', 'up'], { stdio: 'ignore', timeout: 300_000 });
  }
  lab = JSON.parse(execFileSync('bash', ['lab/lab.sh', 'env'], { encoding: 'utf8' })) as Lab;
});

test('add a lab server from ~/.ssh/config, confirm its host key, and see its probe', async ({ page, engine }) => {
  const configFile = join(engine.dataDir, 'ssh_config');
  writeFileSync(configFile, lab.sshConfig);
  await openApp(page, engine);
  const servers = new ServersPage(page);
  await servers.open();

  const dialog = await servers.importFromSshConfig(configFile, 'gantry-uat-deploy');
  await expect(dialog.getByLabel('Host', { exact: true })).toHaveValue(lab.servers.uat.host);
  await expect(dialog.getByLabel('User', { exact: true })).toHaveValue('deploy');
  await expect(dialog.getByLabel('Key file', { exact: true })).toHaveValue(lab.keys.plain);

  // The key file alone would do; use the passphrase-protected key to prove the keychain path.
  await dialog.getByLabel('Key file', { exact: true }).fill(lab.keys.passphrase.path);
  await dialog.getByLabel('Passphrase', { exact: true }).fill(lab.keys.passphrase.passphrase);
  await dialog.getByLabel('Labels', { exact: true }).fill('uat, lab');
  await dialog.getByRole('button', { name: 'Test connection' }).click();

  // First contact: the fingerprint is shown for confirmation, nothing is trusted yet.
  const confirm = servers.dialog(/Trust the host key/);
  await expect(confirm.getByTestId('host-key-fingerprint')).toHaveText(lab.servers.uat.hostKey.fingerprint);
  await page.screenshot({ path: 'e2e/artifacts/servers-host-key.png' });
  await expectAccessible(page, 'Host-key confirm dialog');
  await confirm.getByRole('button', { name: 'Trust and pin this key' }).click();

  await expect(dialog.getByTestId('trusted-fingerprint')).toContainText(lab.servers.uat.hostKey.fingerprint);
  await expect.poll(() => servers.testSteps(dialog)).toEqual({ tcp: 'ok', 'host-key': 'ok', auth: 'ok', exec: 'ok', docker: 'ok' });
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();

  const card = servers.card('gantry-uat-deploy');
  await expect(card.getByTestId('host-key')).toContainText(lab.servers.uat.hostKey.fingerprint);
  await expect(card.getByTestId('probe-os')).toContainText('Debian');
  await expect(card.getByTestId('probe-docker')).toContainText(/^20\.10/);
  await expect(card.getByTestId('probe-disk')).toContainText(/GiB of .*GiB in \/var\/lib\/docker/);
  await expect(card.getByTestId('probe-latency')).toContainText(/\d+(\.\d+)? ms/);
  await expect(card.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  await page.screenshot({ path: 'e2e/artifacts/servers.png' });

  // The passphrase went to the keychain, not to the data folder.
  const stored = ['gantry.db', 'gantry.db-wal', join('logs', 'gantry.log')].map((file) => {
    try {
      return readFileSync(join(engine.dataDir, file)).toString('latin1');
    } catch {
      return '';
    }
  });
  for (const content of stored) expect(content).not.toContain(lab.keys.passphrase.passphrase);

  // After a reload the server, its pin and its probe are still there.
  await page.reload();
  await servers.open();
  await expect(servers.card('gantry-uat-deploy').getByTestId('probe-os')).toContainText('Debian');
});

test('a wrong password is reported on the login step, and a server moved to another address needs its key confirmed again', async ({ page, engine }) => {
  await openApp(page, engine);
  const servers = new ServersPage(page);
  await servers.open();
  await page.getByRole('button', { name: 'Add server' }).click();
  const dialog = servers.dialog('Add server');
  await dialog.getByLabel('Name', { exact: true }).fill('prod');
  await dialog.getByLabel('Host', { exact: true }).fill(lab.servers.prod.host);
  await dialog.getByLabel('User', { exact: true }).fill('deploy');
  await dialog.getByLabel('Log in with', { exact: true }).selectOption('password');
  await dialog.getByLabel('Password', { exact: true }).fill('definitely-wrong');
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await servers.dialog(/Trust the host key/).getByRole('button', { name: 'Trust and pin this key' }).click();
  await expect(dialog.locator('[data-step="auth"]')).toHaveAttribute('data-status', 'failed');
  await expect(dialog.locator('[data-step="auth"]')).toContainText('the password was not accepted');
  // Saving after a failed test asks first, naming the step that failed.
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByTestId('save-warning')).toContainText('the password was not accepted');
  await expect(dialog.getByRole('button', { name: 'Save anyway' })).toBeVisible();

  await dialog.getByLabel('Password', { exact: true }).fill(lab.servers.prod.users.deploy.password);
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await expect.poll(() => servers.testSteps(dialog)).toEqual({ tcp: 'ok', 'host-key': 'ok', auth: 'ok', exec: 'ok', docker: 'ok' });
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(servers.card('prod').getByTestId('probe-docker')).toContainText(/^20\.10/);

  // Point the saved server at another machine: the pin does not carry over to a new address.
  await servers.card('prod').getByRole('button', { name: 'Edit' }).click();
  const edit = servers.dialog('Edit prod');
  await edit.getByLabel('Host', { exact: true }).fill(lab.servers.uat.host);
  await edit.getByRole('button', { name: 'Test connection' }).click();
  // A new address means the key must be confirmed again; decline, and nothing is trusted.
  await servers.dialog(/Trust the host key/).getByRole('button', { name: 'Don’t trust' }).click();
  await expect(edit.locator('[data-step="host-key"]')).toHaveAttribute('data-status', 'needs-confirmation');
  await edit.getByRole('button', { name: 'Cancel' }).click();

  await servers.card('prod').getByRole('button', { name: 'Re-pin host key' }).click();
  const repin = servers.dialog(/Re-pin the host key/);
  await expect(repin).toContainText('there is nothing to re-pin');
  await expect(repin.getByRole('button', { name: 'Replace the pinned key' })).toBeDisabled();
  await repin.getByRole('button', { name: 'Cancel' }).click();
});

test('a changed host key is refused loudly, and only the explicit re-pin brings the server back', async ({ page, engine }) => {
  await openApp(page, engine);
  const servers = new ServersPage(page);
  await servers.open();
  await page.getByRole('button', { name: 'Add server' }).click();
  const dialog = servers.dialog('Add server');
  await dialog.getByLabel('Name', { exact: true }).fill('dev');
  await dialog.getByLabel('Host', { exact: true }).fill(lab.servers.dev.host);
  await dialog.getByLabel('User', { exact: true }).fill('root');
  await dialog.getByLabel('Log in with', { exact: true }).selectOption('key-file');
  await dialog.getByLabel('Key file', { exact: true }).fill(lab.keys.plain);
  // Save tests first; the operator declines the unknown host key, is told what failed, and saves anyway.
  await dialog.getByRole('button', { name: 'Save' }).click();
  await servers.dialog(/Trust the host key/).getByRole('button', { name: 'Don’t trust' }).click();
  await expect(dialog.locator('[data-step="host-key"]')).toHaveAttribute('data-status', 'needs-confirmation');
  await expect(dialog.getByTestId('save-warning')).toContainText('The last test failed at');
  await dialog.getByRole('button', { name: 'Save anyway' }).click();
  await expect(servers.card('dev').getByTestId('host-key')).toContainText('No host key pinned yet');
  // No known_hosts here lists dev: the import says so, and the message goes once the key is pinned by a test.
  await servers.card('dev').getByRole('button', { name: 'Import key from known_hosts' }).click();
  await expect(servers.card('dev').getByTestId('action-error')).toContainText('Test the connection and confirm the fingerprint instead');
  await servers.card('dev').getByRole('button', { name: 'Edit' }).click();
  const editDev = servers.dialog('Edit dev');
  await editDev.getByRole('button', { name: 'Test connection' }).click();
  await servers.dialog(/Trust the host key/).getByRole('button', { name: 'Trust and pin this key' }).click();
  await expect.poll(() => servers.testSteps(editDev)).toEqual({ tcp: 'ok', 'host-key': 'ok', auth: 'ok', exec: 'ok', docker: 'ok' });
  await editDev.getByRole('button', { name: 'Save' }).click();
  await expect(servers.card('dev').getByTestId('host-key')).toContainText(`Host key ${lab.servers.dev.hostKey.fingerprint} pinned`);
  await expect(servers.card('dev').getByTestId('action-error')).toHaveCount(0);

  // The lab cannot swap dev's host key, so the pin is swapped instead: to Gantry it is the same
  // situation (the server presents a key other than the pinned one).
  const db = new Database(join(engine.dataDir, 'gantry.db'));
  db.prepare('UPDATE servers SET host_key_fingerprint = ?, host_key_algorithm = ? WHERE name = ?').run(lab.servers.uat.hostKey.fingerprint, 'ssh-ed25519', 'dev');
  db.close();
  await page.reload();
  await servers.open();
  const card = servers.card('dev');
  await card.getByRole('button', { name: 'Probe' }).click();
  await expect(card.getByTestId('connection-error')).toContainText(`HOST KEY CHANGED for dev`);
  await expect(card.getByTestId('connection-error')).toContainText('Gantry refused to connect');
  await expect(card.getByTestId('connection-state')).toHaveAttribute('data-state', 'failed');

  await card.getByRole('button', { name: 'Re-pin host key' }).click();
  const repin = servers.dialog(/Re-pin the host key/);
  await expect(repin.getByTestId('presented-fingerprint')).toContainText(lab.servers.dev.hostKey.fingerprint);
  const replace = repin.getByRole('button', { name: 'Replace the pinned key' });
  await expect(replace).toBeDisabled();
  await page.screenshot({ path: 'e2e/artifacts/servers-repin.png' });
  await expectAccessible(page, 'Re-pin host key dialog');
  await repin.getByLabel(/I verified the new fingerprint/).check();
  await replace.click();
  await expect(repin).toBeHidden();

  await expect(card.getByTestId('host-key')).toContainText(lab.servers.dev.hostKey.fingerprint);
  await card.getByRole('button', { name: 'Probe' }).click();
  await expect(card.getByTestId('probe-os')).toContainText('Debian');
});

// FIXME (open): since this wave the Add server dialog saves this server although the engine's
// keychain is unusable (the engine itself refuses such a secret: servers:save returns
// keychain_unavailable when called directly, checked by hand). Until the UI path is found, this
// test cannot pass; it is marked so instead of hidden, and the README says so.
test('without a usable keychain the password is refused, not written anywhere', async ({ page }) => {
  // An engine whose session bus leads nowhere: no Secret Service, as on a bare server or a locked-down desktop.
  const engine = await startEngine({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/gantry-test-bus' });
  try {
    await openApp(page, engine);
    const servers = new ServersPage(page);
    await servers.open();
    await page.getByRole('button', { name: 'Add server' }).click();
    const dialog = servers.dialog('Add server');
    await dialog.getByLabel('Name', { exact: true }).fill('no-keychain');
    await dialog.getByLabel('Host', { exact: true }).fill(lab.servers.prod.host);
    await dialog.getByLabel('User', { exact: true }).fill('deploy');
    await dialog.getByLabel('Log in with', { exact: true }).selectOption('password');
    await dialog.getByLabel('Password', { exact: true }).fill(lab.servers.prod.users.deploy.password);
    // Save tests the connection first (it passes: the password is in the form), then the keychain refuses it.
    await dialog.getByRole('button', { name: 'Save' }).click();
    await servers.dialog(/Trust the host key/).getByRole('button', { name: 'Trust and pin this key' }).click();
    await expect(dialog.getByRole('alert')).toContainText('The OS keychain is not usable');
    await expect(dialog.getByRole('alert')).toContainText('did not store this secret');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.locator('.empty-state')).toBeVisible();
    for (const file of ['gantry.db', 'gantry.db-wal', join('logs', 'gantry.log')]) {
      let content = '';
      try {
        content = readFileSync(join(engine.dataDir, file)).toString('latin1');
      } catch {
        // A file that was never written holds no secret either.
      }
      expect(content).not.toContain(lab.servers.prod.users.deploy.password);
    }
  } finally {
    await stopEngine(engine);
  }
});

test('an imported server whose ProxyJump hop is not saved yet is never silently connected directly', async ({ page, engine }) => {
  const configFile = join(engine.dataDir, 'ssh_config');
  writeFileSync(configFile, ['Host behind-bastion', `  HostName ${lab.servers.uat.host}`, '  User root', `  IdentityFile ${lab.keys.plain}`, '  ProxyJump ops@bastion-not-saved:2222', ''].join('\n'));
  await openApp(page, engine);
  const servers = new ServersPage(page);
  await servers.open();
  const dialog = await servers.importFromSshConfig(configFile, 'behind-bastion');
  await expect(dialog.getByTestId('missing-hops')).toContainText('The SSH config reaches this server through ops@bastion-not-saved:2222, which is not a saved server yet.');
  await expect(dialog.getByRole('button', { name: 'Save' })).toBeDisabled();
  await expect(dialog.getByRole('button', { name: 'Test connection' })).toBeDisabled();
  await dialog.getByLabel(/This machine reaches the server without it: connect directly/).check();
  await expect(dialog.getByRole('button', { name: 'Save' })).toBeEnabled();
  await expect(dialog.getByRole('button', { name: 'Test connection' })).toBeEnabled();
});

test('import three lab servers in one go, each key pinned from the known_hosts file the config names', async ({ page, engine }) => {
  const configFile = join(engine.dataDir, 'ssh_config');
  writeFileSync(configFile, lab.sshConfig);
  await openApp(page, engine);
  const servers = new ServersPage(page);
  await servers.open();

  await page.getByRole('button', { name: 'Import from ~/.ssh/config' }).click();
  const importDialog = servers.dialog('Import from SSH config');
  await importDialog.getByLabel('Config file', { exact: true }).fill(configFile);
  await importDialog.getByRole('button', { name: 'Read' }).click();
  const aliases = ['gantry-dev-deploy', 'gantry-uat-deploy', 'gantry-prod-deploy'];
  for (const alias of aliases) await importDialog.getByRole('checkbox', { name: `Select ${alias}` }).check();
  await importDialog.getByRole('button', { name: 'Add selected (3)' }).click();

  const results = importDialog.getByRole('list', { name: 'Import results' });
  for (const alias of aliases) {
    // The config's UserKnownHostsFile lists the key under its HostKeyAlias (gantry-dev, ...): pinned from that file, no manual check.
    await expect(results.getByRole('listitem').filter({ hasText: alias })).toContainText(`host key pinned from ${lab.knownHostsFile}`);
  }
  await importDialog.getByRole('button', { name: 'Close' }).click();
  for (const alias of aliases) await expect(servers.card(alias)).toBeVisible();
});
