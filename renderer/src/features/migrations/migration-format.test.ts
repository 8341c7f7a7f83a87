import { describe, expect, it } from 'vitest';
import { finishNotice, formatDuration, migrationHash, migrationIdFromHash, stepDuration } from './migration-format';

describe('how migrations read', () => {
  it('routes #/migrations/<id> to the detail page and back', () => {
    expect(migrationIdFromHash(migrationHash('m 1'))).toBe('m 1');
    expect(migrationIdFromHash('#/migrations')).toBeNull();
    expect(migrationIdFromHash('#/history')).toBeNull();
  });

  it('tells the operator when a migration ends, and only then', () => {
    const base = { kind: 'migrate' as const, sourceName: 'dev', targetName: 'uat', message: null };
    expect(finishNotice({ ...base, status: 'completed' })).toMatchObject({ title: 'Migration dev → uat completed', tone: 'ok' });
    expect(finishNotice({ ...base, status: 'failed', message: 'port 8080 is taken' })).toMatchObject({ tone: 'bad', body: 'The steps that ran were undone: port 8080 is taken' });
    expect(finishNotice({ ...base, kind: 'rollback', status: 'completed' })?.title).toBe('Rollback of uat completed');
    expect(finishNotice({ ...base, status: 'running' })).toBeNull();
  });

  it('writes durations the way people say them', () => {
    expect(formatDuration(400)).toBe('<1 s');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(83_000)).toBe('1 min 23 s');
    expect(stepDuration({ startedAt: 1000, endedAt: null }, 6000)).toBe(5000);
    expect(stepDuration({ startedAt: null, endedAt: null }, 6000)).toBeNull();
  });
});
