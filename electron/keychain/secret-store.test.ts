import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createOsKeychain, ENTRY_OPTIONS } from './secret-store';

const service = `gantry-test-${process.pid}`;

/** Stores three secrets the way the keychain module does, in a process whose session bus leads nowhere. */
function storeWithoutSecretService(options: unknown): string[] {
  const library = createRequire(import.meta.url).resolve('@napi-rs/keyring');
  const script = `
    const { Entry } = require(${JSON.stringify(library)});
    for (const account of ['first', 'second', 'third']) {
      try { new Entry(${JSON.stringify(service)}, account, ${JSON.stringify(options)}).setPassword('never-stored'); console.log('stored'); }
      catch { console.log('refused'); }
    }`;
  const child = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/gantry-test-bus' }, encoding: 'utf8' });
  return child.stdout.trim().split('\n');
}

describe('the OS keychain', () => {
  it('keeps a secret in the Secret Service and reads it back', () => {
    const keychain = createOsKeychain(service);
    keychain.set('account-a', 'hunter2-value');
    expect(keychain.get('account-a')).toBe('hunter2-value');
    keychain.delete('account-a');
    expect(keychain.get('account-a')).toBeNull();
  });

  // Unpinned, the first attempt refused and the second one "worked" (kept in kernel memory only).
  it.runIf(process.platform === 'linux')('refuses every attempt when the Secret Service is unreachable, not only the first', () => {
    expect(storeWithoutSecretService(ENTRY_OPTIONS)).toEqual(['refused', 'refused', 'refused']);
  });
});
