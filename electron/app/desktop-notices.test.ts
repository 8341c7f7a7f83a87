import { describe, expect, it } from 'vitest';
import type { MigrationSummary } from '@shared/migration/views';
import { watchMigrationEnds } from './desktop-notices';
import { EventHub } from './events';

function summary(id: string, status: MigrationSummary['status'], message: string | null = null): MigrationSummary {
  return {
    id,
    kind: 'migrate',
    status,
    projectId: 'p',
    sourceEnvironmentId: 'e-dev',
    targetEnvironmentId: 'e-uat',
    sourceName: 'dev',
    targetName: 'uat',
    resources: [],
    rollbackOf: null,
    rolledBackBy: null,
    domainChange: null,
    jobId: null,
    message,
    createdAt: 0,
    startedAt: 0,
    endedAt: null,
  };
}

describe('watchMigrationEnds', () => {
  it('tells each ending once, never progress, and stops when asked', () => {
    const events = new EventHub();
    const shown: { title: string; body: string; migrationId: string }[] = [];
    const stop = watchMigrationEnds(events, (notice) => shown.push(notice));
    events.emit('migrations:changed', { migration: summary('m1', 'running') });
    events.emit('job:event', { jobId: 'j', type: 'log', message: 'completed', at: 0 } as never);
    expect(shown).toEqual([]);
    events.emit('migrations:changed', { migration: summary('m1', 'completed') });
    events.emit('migrations:changed', { migration: summary('m1', 'completed') });
    events.emit('migrations:changed', { migration: summary('m2', 'failed', 'uat ran out of disk') });
    expect(shown).toEqual([
      { migrationId: 'm1', title: 'Migration dev → uat completed', body: 'Every step finished.', tone: 'ok' },
      { migrationId: 'm2', title: 'Migration dev → uat failed', body: 'The steps that ran were undone: uat ran out of disk', tone: 'bad' },
    ]);
    stop();
    events.emit('migrations:changed', { migration: summary('m3', 'cancelled') });
    expect(shown).toHaveLength(2);
  });
});
