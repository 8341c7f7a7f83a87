/**
 * A dead network often shows no error, only silence. A stream's calls run under this watchdog:
 * silence for its time (no answer, no byte) aborts its signal with an error that says so, instead
 * of waiting for TCP to give up. It follows the caller's signal (a cancel).
 */
import { GantryError } from '@shared/ipc/result';

/** Aborts its signal when `alive` is not called for `ms`; follows the parent signal. */
export class StallWatchdog {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  /** The error it aborted with, once silence was seen. */
  fired: GantryError | null = null;

  constructor(
    parent: AbortSignal,
    private readonly ms: number,
    private readonly error: () => GantryError,
  ) {
    if (parent.aborted) this.controller.abort(parent.reason);
    parent.addEventListener('abort', () => this.controller.abort(parent.reason), { once: true });
    this.alive();
  }

  /** The signal every call of the stream takes. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Something moved: restart the countdown (`ms` for a slow phase such as `docker load`). */
  alive(ms: number = this.ms): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = this.error();
      this.controller.abort(this.fired);
    }, ms);
  }

  /** No more countdown (the work ended, or what follows is slow by nature, not silence). */
  stop(): void {
    clearTimeout(this.timer);
  }
}

/**
 * Rejects once `signal` aborts: raced against the work, because a call stuck on a dead connection
 * may never notice its abort. The watchdog's own error and other GantryErrors pass as they are; a
 * bare abort is a cancel, reported as `cancelled()`.
 */
export function rejectWhenAborted(signal: AbortSignal, cancelled: () => GantryError): Promise<never> {
  return new Promise((_resolve, reject) => {
    const fail = () => reject(signal.reason instanceof GantryError ? signal.reason : cancelled());
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}
