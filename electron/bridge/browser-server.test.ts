import { get as httpGet } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { BridgeServerFrame } from '@shared/ipc/bridge';
import type { JobEvent } from '@shared/ipc/jobs';
import type { GantryApp } from '../app/create-app';
import { startTestBridge, type TestBridge } from './testing/test-bridge';
import { abortableDelay } from '../jobs/registry';
import type { BrowserServer } from './browser-server';

let app: GantryApp;
let server: BrowserServer;

let bridge: TestBridge;

beforeAll(async () => {
  bridge = await startTestBridge({ 'app.js': 'console.log(1)' });
  ({ app, server } = bridge);
});
afterAll(() => bridge.stop());

function origin(): string {
  return `http://127.0.0.1:${server.port}`;
}

/** Opens a socket with the given token, Host and Origin; resolves 'open' or the refusal status. */
function tryConnect(options: { token?: string; host?: string; origin?: string | null; path?: string }): Promise<string> {
  const token = options.token ?? server.token;
  const headers: Record<string, string> = { Host: options.host ?? `127.0.0.1:${server.port}` };
  if (options.origin !== null) headers.Origin = options.origin ?? origin();
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}${options.path ?? '/bridge'}?token=${encodeURIComponent(token)}`, { headers });
  return new Promise((resolve) => {
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
    ws.on('error', (error) => resolve(`error: ${error.message}`));
  });
}

async function connected(): Promise<{ ws: WebSocket; call: (frame: unknown) => Promise<BridgeServerFrame>; events: JobEvent[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/bridge?token=${server.token}`, { headers: { Origin: origin() } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const events: JobEvent[] = [];
  const waiting: ((frame: BridgeServerFrame) => void)[] = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as BridgeServerFrame;
    if (frame.type === 'event') events.push(frame.payload as JobEvent);
    else waiting.shift()?.(frame);
  });
  const call = (frame: unknown) =>
    new Promise<BridgeServerFrame>((resolve) => {
      waiting.push(resolve);
      ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
    });
  return { ws, call, events };
}

describe('browser-mode bridge: who may connect', () => {
  it('binds loopback only and prints an address that carries the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(40);
  });

  it('accepts the right token from its own origin', async () => {
    expect(await tryConnect({})).toBe('open');
    expect(await tryConnect({ host: `localhost:${server.port}`, origin: `http://localhost:${server.port}` })).toBe('open');
  });

  it('refuses a connection without the token or with a wrong one', async () => {
    expect(await tryConnect({ token: '' })).toBe('401');
    expect(await tryConnect({ token: server.token.slice(0, -1) + (server.token.endsWith('A') ? 'B' : 'A') })).toBe('401');
  });

  it('refuses a foreign or missing Origin even with the right token', async () => {
    expect(await tryConnect({ origin: 'http://evil.example' })).toBe('403');
    expect(await tryConnect({ origin: `http://127.0.0.1:${server.port + 1}` })).toBe('403');
    expect(await tryConnect({ origin: null })).toBe('403');
  });

  it('refuses a foreign Host header (DNS rebinding) for sockets and pages alike', async () => {
    expect(await tryConnect({ host: `rebind.example:${server.port}`, origin: `http://rebind.example:${server.port}` })).toBe('421');
    const status = await new Promise<number>((resolve, reject) =>
      httpGet({ host: '127.0.0.1', port: server.port, path: '/', headers: { Host: 'rebind.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject),
    );
    expect(status).toBe(421);
  });

  it('serves the renderer build and never files outside it', async () => {
    expect(await (await fetch(`${origin()}/`)).text()).toContain('<title>Gantry</title>');
    expect(await (await fetch(`${origin()}/assets/app.js`)).text()).toBe('console.log(1)');
    const traversal = await fetch(`${origin()}/..%2f..%2f..%2fetc%2fpasswd`);
    expect(await traversal.text()).not.toContain('root:');
  });
});

describe('browser-mode bridge: requests', () => {
  it('round-trips app:info and reports the browser bridge', async () => {
    const { ws, call } = await connected();
    const frame = await call({ type: 'invoke', id: 7, channel: 'app:info', request: {} });
    expect(frame).toMatchObject({ type: 'result', id: 7, result: { ok: true, value: { bridge: 'browser', version: '0.0.0-test' } } });
    ws.close();
  });

  it('validates payloads exactly like IPC and survives garbage', async () => {
    const { ws, call } = await connected();
    expect(await call('not json at all')).toMatchObject({ result: { ok: false, error: { code: 'invalid_request' } } });
    expect(await call({ type: 'invoke', id: 1, channel: 'jobs:cancel', request: { jobId: 5 } })).toMatchObject({
      id: 1,
      result: { ok: false, error: { code: 'invalid_request' } },
    });
    expect(await call({ type: 'invoke', id: 2, channel: 'nope:nope', request: {} })).toMatchObject({ id: 2, result: { ok: false, error: { code: 'unknown_channel' } } });
    expect(await call({ type: 'invoke', id: 3, channel: 'app:info', request: {} })).toMatchObject({ id: 3, result: { ok: true } });
    ws.close();
  });

  it('streams job events and cancels a job through jobs:cancel', async () => {
    const { ws, call, events } = await connected();
    // A job started by the engine itself (no channel starts a job that does nothing useful).
    const jobId = app.jobs.start('selftest', 'test job', async (job) => {
      for (let index = 1; index <= 50; index++) {
        await abortableDelay(50, job.signal);
        job.progress(index * 2, `step ${index}`);
      }
    });
    await new Promise((r) => setTimeout(r, 180));
    expect(await call({ type: 'invoke', id: 2, channel: 'jobs:cancel', request: { jobId } })).toMatchObject({ result: { ok: true, value: { cancelled: true } } });
    await app.jobs.finished(jobId);
    await new Promise((r) => setTimeout(r, 50));
    const mine = events.filter((e) => e.jobId === jobId);
    expect(mine[0]?.type).toBe('started');
    expect(mine.some((e) => e.type === 'progress')).toBe(true);
    expect(mine.at(-1)).toMatchObject({ type: 'cancelled' });
    expect(mine.some((e) => e.type === 'done')).toBe(false);
    ws.close();
  });
});
