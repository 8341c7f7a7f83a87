import { describe, expect, it } from 'vitest';
import { formatDuration, migrationHash, migrationIdFromHash, stepDuration } from './migration-format';

describe('how migrations read', () => {
  it('routes #/migrations/<id> to the detail page and back', () => {
    expect(migrationIdFromHash(migrationHash('m 1'))).toBe('m 1');
    expect(migrationIdFromHash('#/migrations')).toBeNull();
    expect(migrationIdFromHash('#/history')).toBeNull();
  });

  it('writes durations the way people say them', () => {
    expect(formatDuration(400)).toBe('<1 s');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(83_000)).toBe('1 min 23 s');
    expect(stepDuration({ startedAt: 1000, endedAt: null }, 6000)).toBe(5000);
    expect(stepDuration({ startedAt: null, endedAt: null }, 6000)).toBeNull();
  });
});
