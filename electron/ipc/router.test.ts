import { describe, expect, it } from 'vitest';
import { requestChannelNames } from '@shared/ipc/contract';
import { GantryError } from '@shared/ipc/result';
import { createApp } from '../app/create-app';
import { Router } from './router';
import { registerIpc, type IpcMainLike } from './register-ipc';

const silentLogger = { info() {}, warn() {}, error() {} };

function testApp() {
  return createApp({ dataDir: '/nonexistent-never-written', databaseFile: ':memory:', version: '0.0.0-test', logger: silentLogger });
}

describe('the IPC contract', () => {
  it('has exactly one handler for every channel once the app is built', async () => {
    const app = testApp();
    expect(app.router.missingChannels()).toEqual([]);
    expect(() => app.router.handle('app:info', () => ({}) as never)).toThrow(/already has a handler/);
    await app.close();
  });

  it('refuses to register Electron IPC while a channel has no handler', () => {
    const router = new Router();
    const fakeIpc: IpcMainLike = { handle() {}, removeHandler() {} };
    expect(() => registerIpc(fakeIpc, router, () => true)).toThrow(/without a handler: app:info/);
  });

  it('names every channel area:verb', () => {
    for (const name of requestChannelNames) expect(name).toMatch(/^[a-z]+:[a-z][a-zA-Z-]*$/);
  });
});

describe('dispatch', () => {
  it('answers a well-formed request with a value', async () => {
    const app = testApp();
    const result = await app.router.dispatch('app:info', {}, { bridge: 'browser' });
    expect(result).toMatchObject({ ok: true, value: { name: 'Gantry', version: '0.0.0-test', bridge: 'browser' } });
    await app.close();
  });

  it('returns a validation error value for a malformed payload, naming the field, and keeps serving', async () => {
    const app = testApp();
    const bad = await app.router.dispatch('settings:set-defaults', { defaults: { healthTimeoutSec: 'soon', httpCheckPath: null } }, { bridge: 'browser' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('invalid_request');
      expect(bad.error.message).toMatch(/settings:set-defaults/);
      expect(bad.error.message).toMatch(/healthTimeoutSec/);
    }
    const extra = await app.router.dispatch('app:info', { sneaky: true }, { bridge: 'browser' });
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    const notAnObject = await app.router.dispatch('jobs:cancel', 'drop table', { bridge: 'browser' });
    expect(notAnObject).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    const good = await app.router.dispatch('settings:set-defaults', { defaults: { healthTimeoutSec: 60, httpCheckPath: '/health' } }, { bridge: 'browser' });
    expect(good).toMatchObject({ ok: true, value: { defaults: { healthTimeoutSec: 60, httpCheckPath: '/health' } } });
    await app.close();
  });

  it('returns unknown_channel for a channel outside the contract, including prototype names', async () => {
    const router = new Router();
    for (const channel of ['servers:nope', '__proto__', 'constructor', 42, null]) {
      expect(await router.dispatch(channel, {}, { bridge: 'electron' })).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
    }
  });

  it('turns a GantryError into its code and an unexpected error into internal, without leaking the message', async () => {
    const failures: string[] = [];
    const router = new Router((channel) => failures.push(channel));
    router.handle('jobs:list', () => {
      throw new GantryError('conflict', 'Another migration is running on uat.');
    });
    router.handle('jobs:cancel', () => {
      throw new Error('secret internals at /home/x');
    });
    expect(await router.dispatch('jobs:list', {}, { bridge: 'electron' })).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'Another migration is running on uat.' },
    });
    const internal = await router.dispatch('jobs:cancel', { jobId: 'x' }, { bridge: 'electron' });
    expect(internal).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(internal)).not.toMatch(/secret internals/);
    expect(failures).toEqual(['jobs:cancel']);
  });
});

describe('Electron IPC registration', () => {
  it('refuses calls from a frame that is not the app renderer, before parsing', async () => {
    const app = testApp();
    const listeners = new Map<string, (event: { senderFrame: { url: string } | null }, payload: unknown) => Promise<unknown>>();
    registerIpc({ handle: (channel, listener) => listeners.set(channel, listener), removeHandler: () => {} }, app.router, (url) =>
      url.startsWith('file:///app/'),
    );
    expect(listeners.size).toBe(requestChannelNames.length);
    const infoListener = listeners.get('app:info')!;
    expect(await infoListener({ senderFrame: { url: 'https://evil.example/' } }, {})).toMatchObject({ ok: false, error: { code: 'untrusted_sender' } });
    expect(await infoListener({ senderFrame: null }, {})).toMatchObject({ ok: false, error: { code: 'untrusted_sender' } });
    expect(await infoListener({ senderFrame: { url: 'file:///app/index.html' } }, {})).toMatchObject({ ok: true, value: { bridge: 'electron' } });
    await app.close();
  });
});
