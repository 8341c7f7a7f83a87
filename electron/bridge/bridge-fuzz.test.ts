import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { BridgeServerFrame } from '@shared/ipc/bridge';
import { requestChannelNames, requestChannels } from '@shared/ipc/contract';
import type { Result } from '@shared/ipc/result';
import { createApp, type GantryApp } from '../app/create-app';
import type { SecretStore } from '../keychain/secret-store';
import { startBrowserServer, type BrowserServer } from './browser-server';
import { rawExchange, sendAndReset, settledHeap, statusOf } from './testing/raw-client';
import { arbitraryFor, pathsOf, replaceAt } from './testing/schema-arbitrary';

/** A fake keychain (a Map): the fuzzer saves thousands of servers and must not fill the real one. */
function fakeKeychain(): SecretStore {
  const secrets = new Map<string, string>();
  return { set: (a, s) => void secrets.set(a, s), get: (a) => secrets.get(a) ?? null, delete: (a) => void secrets.delete(a) };
}

const silentLogger = { info() {}, warn() {}, error() {} };
const internalFailures: string[] = [];
let app: GantryApp;
let server: BrowserServer;
let dir: string;
let ws: WebSocket;
const waiting = new Map<number, (frame: BridgeServerFrame) => void>();
let nextId = 1;
let heapAtStart = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gantry-fuzz-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Gantry</title>');
  mkdirSync(join(dir, 'files'));
  const logger = { ...silentLogger, error: (message: string) => void internalFailures.push(message) };
  app = createApp({ dataDir: dir, databaseFile: ':memory:', version: '0.0.0-fuzz', logger, secretStore: fakeKeychain(), servers: { knownHostsFiles: [], sshConfigFile: join(dir, 'ssh_config'), tuning: { readyTimeoutMs: 500 } } as never });
  server = await startBrowserServer({ app, rendererDir: dir });
  ws = await openSocket();
  heapAtStart = settledHeap();
});
afterAll(async () => {
  ws?.close();
  await server.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

async function openSocket(): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/bridge?token=${server.token}`, { headers: { Origin: `http://127.0.0.1:${server.port}` } });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as BridgeServerFrame;
    if (frame.type === 'result') waiting.get(frame.id)?.(frame);
  });
  return socket;
}

function invoke(channel: string, request: unknown): Promise<Result<unknown>> {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, (frame) => {
      waiting.delete(id);
      if (frame.type === 'result') resolve(frame.result);
    });
    ws.send(JSON.stringify({ type: 'invoke', id, channel, request }));
  });
}

/** Keeps generated requests on this machine: hosts become loopback port 9 (closed), files live in the temp folder, jobs are short. */
function keepLocal(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keepLocal);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      if (k === 'host' && typeof v === 'string') return [k, '127.0.0.1'];
      if (k === 'port' && typeof v === 'number') return [k, 9];
      if ((k === 'path' || k === 'keyPath') && typeof v === 'string') return [k, join(dir, 'files', encodeURIComponent(v).slice(0, 60) || 'x')];
      if (k === 'stepMs' && typeof v === 'number') return [k, 0];
      return [k, keepLocal(v)];
    }),
  );
}

const channels = requestChannelNames;
const tally = { sent: 0, passedValidation: 0 };
const runs = Number(process.env.GANTRY_FUZZ_RUNS ?? 40);

describe('bridge fuzz: every channel of the contract, through the WebSocket', () => {
  it.each(channels)('%s: generated requests never crash a handler', async (channel) => {
    await fc.assert(
      fc.asyncProperty(arbitraryFor(requestChannels[channel].request), async (request) => {
        const result = await invoke(channel, keepLocal(request));
        tally.sent++;
        if (result.ok || result.error.code !== 'invalid_request') tally.passedValidation++;
        expect(result.ok || result.error.code !== 'internal', JSON.stringify(result)).toBe(true);
      }),
      { numRuns: runs },
    );
    expect(internalFailures).toEqual([]);
  }, 30_000);

  it('the generated requests mostly pass validation, so handlers are really exercised', () => {
    expect(tally.passedValidation / tally.sent).toBeGreaterThan(0.9);
  });

  it.each(channels)('%s: a request with one field broken is refused, naming that field', async (channel) => {
    const schema = requestChannels[channel].request;
    const broken = arbitraryFor(schema).chain((request) => {
      const paths = pathsOf(request);
      return fc.tuple(fc.constant(request), paths.length ? fc.constantFrom(...paths) : fc.constant<(string | number)[]>([]), fc.constantFrom<unknown>({ fuzz: [1] }, -0.5, 'x'.repeat(5000), true));
    });
    await fc.assert(
      fc.asyncProperty(broken, async ([request, path, junk]) => {
        const payload = replaceAt(request, path, junk);
        if (schema.safeParse(payload).success) return;
        const result = await invoke(channel, payload);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.error.code).toBe('invalid_request');
        const issues = (result.error.details?.issues ?? []) as string[];
        const field = path.join('.');
        const named = issues.some((issue) => {
          const at = issue.slice(0, issue.indexOf(': '));
          if (path.length === 0) return true;
          return at !== '(request)' && (field === at || field.startsWith(at + '.') || at.startsWith(field + '.'));
        });
        expect(named, `${channel} ${path.join('.')} → ${result.error.message}`).toBe(true);
      }),
      { numRuns: runs },
    );
  }, 30_000);
});

describe('bridge fuzz: raw bytes and hostile transports', () => {
  it('raw text and binary frames get an answer that names the problem, the socket stays usable', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 300 }), fc.jsonValue({ maxDepth: 40 }).map((v) => JSON.stringify(v) ?? 'null')), async (text) => {
        const id = nextId++;
        const answer = new Promise<BridgeServerFrame>((resolve) => {
          const listener = (data: WebSocket.RawData) => {
            const frame = JSON.parse(data.toString()) as BridgeServerFrame;
            if (frame.type === 'result' && (frame.id === -1 || frame.id === id)) {
              ws.off('message', listener);
              resolve(frame);
            }
          };
          ws.on('message', listener);
        });
        ws.send(text);
        const frame = await answer;
        if (frame.type === 'result' && !frame.result.ok) expect(frame.result.error.message).toMatch(/Malformed bridge frame \(.+\)/);
      }),
      { numRuns: 150 },
    );
    expect(await invoke('app:info', {})).toMatchObject({ ok: true });
  }, 30_000);

  it('random bytes on the HTTP port, with and without a reset, never take the server down', async () => {
    const host = `127.0.0.1:${server.port}`;
    const request = fc.oneof(
      fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
      fc.string({ maxLength: 80 }).map((path) => Buffer.from(`GET /${path.replace(/[\r\n ]/g, '%')} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)),
      fc.tuple(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 })).map(([path, token]) =>
        Buffer.from(`GET /${path.replace(/[\r\n ]/g, '%')}?token=${token.replace(/[\r\n ]/g, '')} HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`),
      ),
    );
    await fc.assert(
      fc.asyncProperty(request, fc.boolean(), async (bytes, reset) => {
        if (reset) return sendAndReset(server.port, bytes.toString('latin1'));
        const status = statusOf(await rawExchange(server.port, bytes, 1000));
        expect(status === 0 || status < 500, `status ${status}`).toBe(true);
      }),
      { numRuns: 200 },
    );
    expect(statusOf(await rawExchange(server.port, `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`))).toBe(200);
    expect(await invoke('app:info', {})).toMatchObject({ ok: true });
  }, 60_000);

  it('memory stays bounded over the whole fuzz run', () => {
    expect(settledHeap() - heapAtStart).toBeLessThan(64 * 1024 * 1024);
  });
});
