/**
 * The operator's settings: the run defaults (kept in the `settings` table, parsed on the way out
 * so a damaged row falls back to the factory value) and a live check of the OS keychain.
 */
import { randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { FACTORY_RUN_DEFAULTS, runDefaults, type RunDefaults, type SettingsView } from '@shared/settings/settings-view';
import type { SecretStore } from '../keychain/secret-store';
import type { GantryDatabase } from '../store/open-database';
import { settings } from '../store/schema';

const KEYS = { healthTimeoutSec: 'defaults.healthTimeoutSec', httpCheckPath: 'defaults.httpCheckPath', batchConcurrency: 'defaults.batchConcurrency' } as const;

/** Where this Gantry keeps its data (shown on the Settings page). */
export interface DataLocations {
  dataDir: string;
  databaseFile: string;
  logFile: string;
}

/** Reads the stored run defaults; a missing or unreadable value is the factory default. */
export function readRunDefaults(db: GantryDatabase): RunDefaults {
  const rows = db.select().from(settings).where(inArray(settings.key, Object.values(KEYS))).all();
  const stored = new Map(rows.map((row) => [row.key, row.value]));
  const timeout = Number(stored.get(KEYS.healthTimeoutSec));
  const path = stored.get(KEYS.httpCheckPath);
  const candidate = {
    healthTimeoutSec: stored.has(KEYS.healthTimeoutSec) ? timeout : FACTORY_RUN_DEFAULTS.healthTimeoutSec,
    httpCheckPath: path ? path : null,
  };
  const parsed = runDefaults.safeParse(candidate);
  const defaults = parsed.success ? parsed.data : FACTORY_RUN_DEFAULTS;
  // A damaged concurrency value falls back on its own; the other defaults stay.
  const concurrency = runDefaults.shape.batchConcurrency.safeParse(stored.has(KEYS.batchConcurrency) ? Number(stored.get(KEYS.batchConcurrency)) : undefined);
  return concurrency.success && concurrency.data !== undefined ? { ...defaults, batchConcurrency: concurrency.data } : defaults;
}

/** Stores the run defaults (both values, in one transaction). */
export function writeRunDefaults(db: GantryDatabase, defaults: RunDefaults): void {
  db.transaction((tx) => {
    const put = (key: string, value: string) => tx.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } }).run();
    put(KEYS.healthTimeoutSec, String(defaults.healthTimeoutSec));
    put(KEYS.httpCheckPath, defaults.httpCheckPath ?? '');
    if (defaults.batchConcurrency !== undefined) put(KEYS.batchConcurrency, String(defaults.batchConcurrency));
  });
}

/**
 * Whether the keychain can keep a secret right now: stores, reads back and deletes a throwaway
 * value under its own account (the only check that catches a locked or absent collection).
 */
export function checkKeychain(secrets: SecretStore): SettingsView['keychain'] {
  const account = `gantry-keychain-check-${randomUUID()}`;
  try {
    secrets.set(account, randomUUID());
    secrets.delete(account);
    return { usable: true, message: 'Passwords, passphrases and imported keys are stored in the OS keychain.' };
  } catch (error) {
    return { usable: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Everything the Settings page shows. */
export function settingsView(db: GantryDatabase, secrets: SecretStore, locations: DataLocations): SettingsView {
  return { defaults: readRunDefaults(db), keychain: checkKeychain(secrets), ...locations };
}
