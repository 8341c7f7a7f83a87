import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { GantryError } from '@shared/ipc/result';
import { FACTORY_RUN_DEFAULTS } from '@shared/settings/settings-view';
import { Router } from '../ipc/router';
import { createOsKeychain, type SecretStore } from '../keychain/secret-store';
import { openDatabase } from '../store/open-database';
import { settings } from '../store/schema';
import { registerSettingsHandlers } from './handlers';
import { checkKeychain, readRunDefaults, writeRunDefaults } from './settings-area';

describe('run defaults', () => {
  it('start at the factory values, keep what the operator stores, and fall back when a row is damaged', () => {
    const db = openDatabase(':memory:');
    expect(readRunDefaults(db)).toEqual(FACTORY_RUN_DEFAULTS);
    writeRunDefaults(db, { healthTimeoutSec: 45, httpCheckPath: '/health' });
    expect(readRunDefaults(db)).toEqual({ healthTimeoutSec: 45, httpCheckPath: '/health' });
    writeRunDefaults(db, { healthTimeoutSec: 60, httpCheckPath: null });
    expect(readRunDefaults(db)).toEqual({ healthTimeoutSec: 60, httpCheckPath: null });
    db.update(settings).set({ value: 'ninety' }).run();
    expect(readRunDefaults(db)).toEqual(FACTORY_RUN_DEFAULTS);
  });

  it('keep the batch concurrency (resources at once per server) apart: unset is absent, a damaged value falls back alone', () => {
    const db = openDatabase(':memory:');
    expect(readRunDefaults(db).batchConcurrency).toBeUndefined();
    writeRunDefaults(db, { healthTimeoutSec: 45, httpCheckPath: null, batchConcurrency: 5 });
    expect(readRunDefaults(db)).toEqual({ healthTimeoutSec: 45, httpCheckPath: null, batchConcurrency: 5 });
    // A later save without it (an older page) keeps it.
    writeRunDefaults(db, { healthTimeoutSec: 50, httpCheckPath: null });
    expect(readRunDefaults(db)).toEqual({ healthTimeoutSec: 50, httpCheckPath: null, batchConcurrency: 5 });
    db.update(settings).set({ value: '99' }).where(eq(settings.key, 'defaults.batchConcurrency')).run();
    expect(readRunDefaults(db)).toEqual({ healthTimeoutSec: 50, httpCheckPath: null });
  });

  it('are served by settings:set-defaults, which refuses out-of-range values', async () => {
    const router = new Router();
    const locations = { dataDir: '/tmp/gantry-settings-test', databaseFile: ':memory:', logFile: '/tmp/gantry-settings-test/logs/gantry.log' };
    registerSettingsHandlers(router, { db: openDatabase(':memory:'), secrets: createOsKeychain('Gantry-test-settings'), locations });
    const app = { router };
    const stored = await app.router.dispatch('settings:set-defaults', { defaults: { healthTimeoutSec: 30, httpCheckPath: '/ready' } }, { bridge: 'browser' });
    expect(stored).toMatchObject({ ok: true, value: { defaults: { healthTimeoutSec: 30, httpCheckPath: '/ready' }, dataDir: '/tmp/gantry-settings-test' } });
    const tooShort = await app.router.dispatch('settings:set-defaults', { defaults: { healthTimeoutSec: 1, httpCheckPath: null } }, { bridge: 'browser' });
    expect(tooShort).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    const notAPath = await app.router.dispatch('settings:set-defaults', { defaults: { healthTimeoutSec: 30, httpCheckPath: 'http://x/health' } }, { bridge: 'browser' });
    expect(notAPath).toMatchObject({ ok: false });
  });
});

describe('keychain status', () => {
  it('says the real keychain is usable and leaves no entry behind', () => {
    const written: string[] = [];
    const real = createOsKeychain('Gantry-test-settings');
    const watching: SecretStore = { ...real, set: (account, secret) => (written.push(account), real.set(account, secret)) };
    expect(checkKeychain(watching)).toMatchObject({ usable: true });
    expect(written).toHaveLength(1);
    expect(real.get(written[0]!)).toBeNull();
  });

  it('says why when the keychain refuses (a fake store that refuses every write)', () => {
    const refusing: SecretStore = {
      set: () => {
        throw new GantryError('keychain_unavailable', 'The OS keychain is not usable (locked).');
      },
      get: () => null,
      delete: () => undefined,
    };
    expect(checkKeychain(refusing)).toEqual({ usable: false, message: 'The OS keychain is not usable (locked).' });
  });
});
