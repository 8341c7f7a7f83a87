import { describe, expect, it } from 'vitest';
import { snapshotsToPrune, type RetentionRun } from './snapshot-retention';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const run = (n: number, overrides: Partial<RetentionRun> = {}): RetentionRun => ({ id: id(n), kind: 'migrate', status: 'completed', createdAt: n * 1000, rolledBackBy: null, resources: [{ resourceId: 'web' }], ...overrides });
const file = (n: number, resourceId = 'web') => `${id(n)}-${resourceId}.json`;

describe('snapshot retention on a server', () => {
  it('keeps the newest snapshots of each resource and removes older ones', () => {
    const runs = Array.from({ length: 8 }, (_, i) => run(i + 1));
    const files = runs.map((_, i) => file(i + 1));
    expect(snapshotsToPrune(files, runs, 5)).toEqual([file(1), file(2), file(3)]);
  });

  it('keeps the snapshot the latest completed migration of a resource needs for its rollback, however old', () => {
    // web was promoted by run 1 and never since; db was promoted many times after.
    const runs = [run(1), ...Array.from({ length: 6 }, (_, i) => run(i + 2, { resources: [{ resourceId: 'db' }] }))];
    const files = [file(1), ...runs.slice(1).map((each) => file(each.createdAt / 1000, 'db'))];
    expect(snapshotsToPrune(files, runs, 2)).toEqual([file(2, 'db'), file(3, 'db'), file(4, 'db'), file(5, 'db')]);
    expect(snapshotsToPrune(files, runs, 2)).not.toContain(file(1));
  });

  it('lets a rolled-back or failed migration’s snapshot go once newer ones fill the quota', () => {
    const runs = [run(1), run(2, { rolledBackBy: id(3) }), run(3, { kind: 'rollback', resources: [{ resourceId: 'web' }] }), run(4, { status: 'failed' }), run(5, { status: 'failed' })];
    // The latest change to web is the rollback (run 3): no migration can be rolled back, only the newest two stay.
    expect(snapshotsToPrune([file(1), file(2), file(4), file(5)], runs, 2)).toEqual([file(1), file(2)]);
  });

  it('does not count a later run that found the resource unchanged as a change to it', () => {
    const runs = [run(1), run(2, { resources: [{ resourceId: 'web', mode: 'unchanged' }, { resourceId: 'db' }] }), run(3, { status: 'failed' }), run(4, { status: 'failed' })];
    expect(snapshotsToPrune([file(1), file(3), file(4)], runs, 2)).toEqual([]);
    expect(snapshotsToPrune([file(1), file(3), file(4)], runs.map((each) => ({ ...each, resources: [{ resourceId: 'web' }] })), 2)).toEqual([file(1)]);
  });

  it('never touches files of runs it does not know (another installation’s) or that are not snapshots', () => {
    const runs = [run(1), run(2), run(3)];
    expect(snapshotsToPrune([file(1), file(2), file(3), file(99), 'notes.txt', `${id(1)}-web.json.tmp`], runs, 1)).toEqual([file(1), file(2)]);
  });
});
