import { describe, expect, it } from 'vitest';
import { ChannelLimiter } from './channel-limiter';

describe('ChannelLimiter', () => {
  it('never grants more than its capacity, and serves waiters in order', async () => {
    const limiter = new ChannelLimiter(2);
    const order: number[] = [];
    const releases = await Promise.all([limiter.acquire(), limiter.acquire()]);
    const third = limiter.acquire().then((release) => (order.push(3), release));
    const fourth = limiter.acquire().then((release) => (order.push(4), release));
    expect(limiter.usage).toEqual({ active: 2, waiting: 2 });
    releases[0]!();
    releases[0]!(); // releasing twice frees one slot, not two
    await third;
    expect(limiter.usage).toEqual({ active: 2, waiting: 1 });
    releases[1]!();
    (await fourth)();
    expect(order).toEqual([3, 4]);
  });

  it('drops a waiter whose signal aborts, with a cancelled error', async () => {
    const limiter = new ChannelLimiter(1);
    const release = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'cancelled' });
    expect(limiter.usage).toEqual({ active: 1, waiting: 0 });
    release();
    expect(limiter.usage.active).toBe(0);
  });
});
