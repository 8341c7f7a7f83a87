import type { EventChannel, EventOf, RequestChannel, RequestOf, ResponseOf } from './contract';
import type { Result } from './result';

/**
 * What the renderer holds to reach the main side. The Electron preload and the browser-mode
 * WebSocket client both implement it, so feature code never knows which one it has.
 */
export interface GantryBridge {
  readonly kind: 'electron' | 'browser';
  invoke<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  on<E extends EventChannel>(event: E, callback: (payload: EventOf<E>) => void): () => void;
}

/** The message frames of the browser-mode WebSocket bridge. */
export type BridgeClientFrame = { type: 'invoke'; id: number; channel: string; request: unknown };
/** Frames the browser-mode server sends. */
export type BridgeServerFrame =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; event: string; payload: unknown };
