import { describe, expect, it } from 'vitest';
import { finishNotice } from './notice';

describe('finishNotice', () => {
  it('tells the operator when a migration ends, and only then', () => {
    const base = { kind: 'migrate' as const, sourceName: 'dev', targetName: 'uat', message: null };
    expect(finishNotice({ ...base, status: 'completed' })).toMatchObject({ title: 'Migration dev → uat completed', tone: 'ok' });
    expect(finishNotice({ ...base, status: 'failed', message: 'port 8080 is taken' })).toMatchObject({ tone: 'bad', body: 'The steps that ran were undone: port 8080 is taken' });
    expect(finishNotice({ ...base, kind: 'rollback', status: 'completed' })?.title).toBe('Rollback of uat completed');
    expect(finishNotice({ ...base, kind: 'rollback', status: 'failed', domainChange: { resourceName: 'web', from: null, to: 'shop.example.com', undo: false } })?.title).toBe('Change domain of web in uat failed');
    expect(finishNotice({ ...base, status: 'running' })).toBeNull();
  });
});
