import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { BridgeServerFrame } from '@shared/ipc/bridge';
import { startTestBridge, type TestBridge } from './testing/test-bridge';
import { MAX_FRAME_BYTES, MAX_FRAME_DEPTH, type BrowserServer } from './browser-server';
import { rawExchange, sendAndReset, settledHeap, statusOf } from './testing/raw-client';

let server: BrowserServer;

let bridge: TestBridge;

beforeAll(async () => {
  bridge = await startTestBridge();
  ({ server } = bridge);
});
afterAll(() => bridge.stop());

function host(): string {
  return `127.0.0.1:${server.port}`;
}

async function open(): Promise<WebSocket> {
  const ws = new WebSocket(`ws://${host()}/bridge?token=${server.token}`, { headers: { Origin: `http://${host()}` } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return ws;
}

/** Resolves the next frame or the close code, whichever comes first. */
function next(ws: WebSocket): Promise<BridgeServerFrame | { closed: number }> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(data.toString()) as BridgeServerFrame));
    ws.once('close', (code) => resolve({ closed: code }));
    ws.once('error', () => undefined);
  });
}

/** The proof that the server still answers: a page and an app:info round trip on a fresh socket. */
async function stillAnswers(): Promise<void> {
  expect(statusOf(await rawExchange(server.port, `GET / HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`))).toBe(200);
  const ws = await open();
  const answer = next(ws);
  ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'app:info', request: {} }));
  expect(await answer).toMatchObject({ type: 'result', id: 1, result: { ok: true } });
  ws.close();
}

describe('browser-mode bridge under hostile input (each crash of issue 17)', () => {
  it('answers a malformed percent-escape with 400 and keeps serving', async () => {
    for (const path of ['/%E0%A4%A', '/%', '/%zz', '/assets/%C0%AF']) {
      const answer = await rawExchange(server.port, `GET ${path} HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`);
      expect(statusOf(answer), path).toBe(400);
    }
    await stillAnswers();
  });

  it('survives clients that reset the connection while their upgrade is refused', async () => {
    const upgrade = `GET /bridge?token=wrong HTTP/1.1\r\nHost: ${host()}\r\nOrigin: http://${host()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    await Promise.all(Array.from({ length: 60 }, () => sendAndReset(server.port, upgrade)));
    await stillAnswers();
  });

  it('closes a socket that sends a frame over the limit (1009) and keeps serving', async () => {
    const ws = await open();
    const closed = next(ws);
    ws.send('x'.repeat(MAX_FRAME_BYTES + 1));
    expect(await closed).toEqual({ closed: 1009 });
    await stillAnswers();
  });

  it('closes a socket that sends invalid UTF-8 in a text frame (1007) and keeps serving', async () => {
    const ws = await open();
    const closed = next(ws);
    ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0xc0, 0x7d]), { binary: false });
    expect(await closed).toEqual({ closed: 1007 });
    await stillAnswers();
  });

  it('refuses deeply nested JSON before parsing it, naming the limit, with memory flat', async () => {
    const ws = await open();
    const depth = Math.floor(MAX_FRAME_BYTES / 2) - 10;
    const nested = '['.repeat(depth) + ']'.repeat(depth);
    const first = next(ws);
    ws.send(nested);
    const answer = await first;
    expect(answer).toMatchObject({ type: 'result', result: { ok: false, error: { code: 'invalid_request' } } });
    expect(JSON.stringify(answer)).toContain(`deeper than ${MAX_FRAME_DEPTH} levels`);
    const before = settledHeap();
    const levels = Math.floor(depth / 6);
    const nestedObject = `{"type":"invoke","id":1,"channel":"app:info","request":${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}}`;
    for (let i = 0; i < 30; i++) {
      const reply = next(ws);
      ws.send(i % 2 ? nested : nestedObject);
      expect(await reply).toMatchObject({ type: 'result', result: { ok: false, error: { code: 'invalid_request' } } });
    }
    const grown = settledHeap() - before;
    expect(grown).toBeLessThan(20 * 1024 * 1024);
    ws.close();
    await stillAnswers();
  });

  it('refuses binary frames with a reason instead of parsing them', async () => {
    const ws = await open();
    const answer = next(ws);
    ws.send(Buffer.from('{"type":"invoke"}'), { binary: true });
    expect(JSON.stringify(await answer)).toContain('Bridge frames are text');
    ws.close();
  });
});
