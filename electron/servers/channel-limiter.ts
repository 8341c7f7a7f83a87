import { cancelled } from './ssh-connect';

/**
 * Caps the channels open at once on one SSH connection. OpenSSH allows 10 sessions per
 * connection by default (MaxSessions); going past it makes the server refuse channels, so extra
 * work waits here in order instead.
 */
export class ChannelLimiter {
  private active = 0;
  private readonly waiting: { grant: () => void }[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`Channel capacity must be a positive integer (got ${capacity})`);
  }

  /** Channels in use and callers waiting for one. */
  get usage(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  /** Waits for a free slot; resolves with the function that frees it (safe to call twice). */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(cancelled(signal));
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.active--;
          this.waiting.shift()?.grant();
        });
      };
      const ticket = { grant };
      const onAbort = () => {
        const index = this.waiting.indexOf(ticket);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(cancelled(signal!));
      };
      if (this.active < this.capacity) return grant();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(ticket);
    });
  }
}
