/**
 * Secrets (passwords, passphrases, imported private keys) live in the OS keychain only:
 * Keychain on macOS, Credential Manager on Windows, the Secret Service on Linux. When no
 * keychain is usable Gantry refuses to store the secret and says why; there is no plaintext
 * fallback and no key written in the source.
 */
import { Entry } from '@napi-rs/keyring';
import { GantryError } from '@shared/ipc/result';

/** Where secrets go: the OS keychain in the app, the same keychain under a test service name in tests. */
export interface SecretStore {
  /** Stores `secret` under `account`, replacing any previous value. */
  set(account: string, secret: string): void;
  /** The secret under `account`, or null when there is none. */
  get(account: string): string | null;
  /** Removes the secret under `account` (no error when it is already gone). */
  delete(account: string): void;
}

/** The keychain service name every Gantry entry is filed under. */
export const KEYCHAIN_SERVICE = 'Gantry';

/**
 * Every entry is pinned to the Secret Service on Linux: unpinned, the library falls back silently
 * to the kernel keyring when the Secret Service is unreachable (memory only, gone at the next reboot).
 */
export const ENTRY_OPTIONS = { linux: { store: 'secret-service' } } as const;

/** The OS keychain through @napi-rs/keyring; every failure becomes a `keychain_unavailable` error that says what to do. */
export function createOsKeychain(service: string = KEYCHAIN_SERVICE): SecretStore {
  const entry = (account: string) => new Entry(service, account, ENTRY_OPTIONS);
  return {
    set(account, secret) {
      guarded('store the secret', () => entry(account).setPassword(secret));
      // Read it back: some backends accept a write they cannot keep (a locked or absent collection).
      const stored = guarded('read back the secret', () => entry(account).getPassword());
      if (stored !== secret) throw unavailable('the keychain accepted the secret but did not keep it');
    },
    get(account) {
      return guarded('read the secret', () => entry(account).getPassword());
    },
    delete(account) {
      guarded('delete the secret', () => entry(account).deleteCredential());
    },
  };
}

function guarded<T>(what: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof GantryError) throw error;
    throw unavailable(`could not ${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function unavailable(reason: string): GantryError {
  const where =
    process.platform === 'darwin'
      ? 'the macOS Keychain'
      : process.platform === 'win32'
        ? 'the Windows Credential Manager'
        : 'a Secret Service keychain (GNOME Keyring or KWallet, unlocked, on the session D-Bus)';
  return new GantryError(
    'keychain_unavailable',
    `The OS keychain is not usable (${reason}). Gantry keeps passwords, passphrases and imported keys only in ${where}, so it did not store this secret. Unlock or start the keychain, or use ssh-agent or a key file without a stored secret.`,
  );
}
