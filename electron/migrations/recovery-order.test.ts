import { describe, expect, it } from 'vitest';
import { inStartOrder } from './recovery';

describe('inStartOrder (what recovery undoes, newest first, after a batch)', () => {
  it('orders journaled steps by when they started, not by seq: parallel branches interleave', () => {
    // Two branches: seq 0-1 (db), seq 2-3 (app, started after db was healthy), seq 4 (an independent resource, started first).
    const rows = [
      { seq: 0, startedAt: 1000 },
      { seq: 1, startedAt: 1500 },
      { seq: 2, startedAt: 3000 },
      { seq: 3, startedAt: 3200 },
      { seq: 4, startedAt: 900 },
    ];
    expect(inStartOrder(rows).map((row) => row.seq)).toEqual([4, 0, 1, 2, 3]);
  });
  it('keeps seq order for steps that started in the same millisecond, and puts a never-started step last', () => {
    expect(inStartOrder([{ seq: 2, startedAt: null }, { seq: 1, startedAt: 5 }, { seq: 0, startedAt: 5 }]).map((row) => row.seq)).toEqual([0, 1, 2]);
  });
});
