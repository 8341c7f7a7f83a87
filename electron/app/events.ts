import type { EventChannel, EventOf } from '@shared/ipc/contract';

/** A listener for every event the main side pushes to renderers. */
export type EventListener = <E extends EventChannel>(event: E, payload: EventOf<E>) => void;

/**
 * Fans main-side events out to whoever shows them: Electron windows, browser-mode sockets, tests.
 * A listener that throws never stops the others.
 */
export class EventHub {
  private readonly listeners = new Set<EventListener>();

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends one event to every listener. */
  emit<E extends EventChannel>(event: E, payload: EventOf<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch {
        // A closed window or socket must not break delivery to the rest.
      }
    }
  }
}
