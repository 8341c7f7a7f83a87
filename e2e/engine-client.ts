/**
 * Talks to a browser-mode engine from the test process, over the same token-checked WebSocket
 * bridge the renderer uses: for setup that belongs to another section (e.g. registering lab
 * servers) so a test can focus its UI steps on what it is about.
 */
import WebSocket from 'ws';
import type { BridgeServerFrame } from '@shared/ipc/bridge';
import type { RequestChannel, RequestOf, ResponseOf } from '@shared/ipc/contract';
import type { Engine } from './fixtures';

/** A connected bridge client; `invoke` throws on an error value. */
export interface EngineClient {
  invoke<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  close(): void;
}

/** Connects to the engine's bridge with its per-run token and its own origin. */
export async function connectEngine(engine: Engine): Promise<EngineClient> {
  const address = new URL(engine.url);
  const token = /token=([^&]+)/.exec(address.hash)?.[1] ?? '';
  const socket = new WebSocket(`ws://${address.host}/bridge?token=${token}`, { headers: { origin: `http://${address.host}` } });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const pending = new Map<number, (frame: Extract<BridgeServerFrame, { type: 'result' }>) => void>();
  socket.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as BridgeServerFrame;
    if (frame.type === 'result') pending.get(frame.id)?.(frame);
  });
  let nextId = 1;
  return {
    invoke(channel, request) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, ({ result }) => {
          pending.delete(id);
          if (result.ok) resolve(result.value as never);
          else reject(new Error(`${channel}: ${result.error.code}: ${result.error.message}`));
        });
        socket.send(JSON.stringify({ type: 'invoke', id, channel, request }));
      });
    },
    close: () => socket.close(),
  };
}
