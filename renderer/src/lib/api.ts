/**
 * The renderer's one way to reach the main side. At start-up it picks the bridge: the Electron
 * preload (`window.gantry`) when present, otherwise the browser-mode WebSocket. Feature code
 * calls `invoke` and `on` and never knows which one it has.
 */
import type { GantryBridge } from '@shared/ipc/bridge';
import type { EventChannel, EventOf, RequestChannel, RequestOf, ResponseOf } from '@shared/ipc/contract';
import type { Result } from '@shared/ipc/result';
import { connectWebSocketBridge } from './websocket-bridge';

declare global {
  interface Window {
    gantry?: GantryBridge;
  }
}

let bridge: GantryBridge | null = null;

/** Connects the bridge once; call before rendering. */
export async function connectBridge(): Promise<GantryBridge> {
  bridge ??= window.gantry ?? (await connectWebSocketBridge(window.location));
  return bridge;
}

function current(): GantryBridge {
  if (!bridge) throw new Error('The Gantry bridge is not connected yet');
  return bridge;
}

/** Sends one request; resolves with the result value or error value (never rejects for server errors). */
export function invoke<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
  return current().invoke(channel, request);
}

/** Subscribes to an event from the main side; returns the unsubscribe function. */
export function on<E extends EventChannel>(event: E, callback: (payload: EventOf<E>) => void): () => void {
  return current().on(event, callback);
}
