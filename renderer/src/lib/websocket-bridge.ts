import type { BridgeClientFrame, BridgeServerFrame, GantryBridge } from '@shared/ipc/bridge';
import type { Result } from '@shared/ipc/result';

const TOKEN_KEY = 'gantry.bridge-token';

/**
 * Reads the per-run token from `#token=...` (then removes it from the address bar so it never
 * shows in screenshots or history), keeping it for reloads in sessionStorage.
 */
function takeToken(location: Location): string {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) throw new Error('Open Gantry with the address printed by `npm start` (it carries the access token).');
  return token;
}

/** The browser-mode bridge: the same contract over a loopback WebSocket to the engine. */
export function connectWebSocketBridge(location: Location): Promise<GantryBridge> {
  const token = takeToken(location);
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/bridge?token=${encodeURIComponent(token)}`;
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;

  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.addEventListener('open', () => resolve(bridge));
    socket.addEventListener('error', () => reject(new Error('Could not reach the Gantry engine. Is `npm start` still running, and was the address copied whole?')));
    socket.addEventListener('close', () => {
      for (const settle of pending.values()) settle({ ok: false, error: { code: 'bridge_disconnected', message: 'The connection to the Gantry engine was lost. Restart it and reload this page.' } });
      pending.clear();
      document.documentElement.dataset.bridge = 'disconnected';
    });
    socket.addEventListener('message', (message) => {
      const frame = JSON.parse(String(message.data)) as BridgeServerFrame;
      if (frame.type === 'result') {
        pending.get(frame.id)?.(frame.result);
        pending.delete(frame.id);
      } else {
        listeners.get(frame.event)?.forEach((callback) => callback(frame.payload));
      }
    });

    const bridge: GantryBridge = {
      kind: 'browser',
      invoke(channel, request) {
        if (socket.readyState !== WebSocket.OPEN) {
          return Promise.resolve({ ok: false, error: { code: 'bridge_disconnected', message: 'The connection to the Gantry engine was lost. Restart it and reload this page.' } });
        }
        const id = nextId++;
        const frame: BridgeClientFrame = { type: 'invoke', id, channel, request };
        return new Promise((settle) => {
          pending.set(id, settle as (result: Result<unknown>) => void);
          socket.send(JSON.stringify(frame));
        });
      },
      on(event, callback) {
        const set = listeners.get(event) ?? new Set();
        listeners.set(event, set);
        const listener = callback as (payload: unknown) => void;
        set.add(listener);
        return () => set.delete(listener);
      },
    };
  });
}
