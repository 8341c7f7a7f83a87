import { describe, expect, it } from 'vitest';
import { batchLayout, batchProgress, dependantsOf } from './batch-levels';

const stepsOf = (resourceId: string) => [
  { id: `transfer-image:${resourceId}`, kind: 'transfer-image', resourceId },
  { id: `create-container:${resourceId}`, kind: 'create-container', resourceId },
  { id: `wait-healthy:${resourceId}`, kind: 'wait-healthy', resourceId },
  { id: `record-resource:${resourceId}`, kind: 'record-resource', resourceId },
];

describe('batchLayout', () => {
  const resources = [
    { resourceId: 'db', name: 'db' },
    { resourceId: 'cache', name: 'cache' },
    { resourceId: 'api', name: 'api', dependsOn: ['db', 'cache'] },
    { resourceId: 'web', name: 'web', linksToCreate: [{ toResourceId: 'api' }] },
    { resourceId: 'lone', name: 'lone' },
  ];
  const steps = [{ id: 'backup-database:db', kind: 'backup-database', resourceId: 'db' }, ...resources.flatMap((resource) => stepsOf(resource.resourceId))];

  it('groups each resource’s steps into a branch, by level of its dependencies (links count too)', () => {
    const layout = batchLayout(steps, resources);
    expect(layout.preflight).toEqual([0]);
    expect(layout.branches.map((branch) => [branch.resourceId, branch.level, branch.dependsOn])).toEqual([
      ['db', 0, []],
      ['cache', 0, []],
      ['api', 1, ['db', 'cache']],
      ['web', 2, ['api']],
      ['lone', 0, []],
    ]);
    expect(layout.branches[0]).toMatchObject({ seqs: [1, 2, 3, 4], healthySeq: 3 });
  });

  it('drops a dependency on a resource later in plan order (a cycle), so no branch waits in a circle', () => {
    const layout = batchLayout([...stepsOf('a'), ...stepsOf('b')], [
      { resourceId: 'a', name: 'a', dependsOn: ['b'] },
      { resourceId: 'b', name: 'b', dependsOn: ['a'] },
    ]);
    expect(layout.branches.map((branch) => branch.dependsOn)).toEqual([[], ['a']]);
  });

  it('ignores a dependency with no steps in the run (unchanged, or already in the target)', () => {
    const layout = batchLayout(stepsOf('app'), [{ resourceId: 'db', name: 'db' }, { resourceId: 'app', name: 'app', dependsOn: ['db'] }]);
    expect(layout.branches).toHaveLength(1);
    expect(layout.branches[0]!.dependsOn).toEqual([]);
  });

  it('finds dependants transitively', () => {
    const { branches } = batchLayout(steps, resources);
    expect(dependantsOf('db', branches).sort()).toEqual(['api', 'web']);
    expect(dependantsOf('web', branches)).toEqual([]);
  });
});

describe('batchProgress', () => {
  const resources = [{ resourceId: 'db', name: 'db' }, { resourceId: 'app', name: 'app', dependsOn: ['db'] }, { resourceId: 'other', name: 'other' }];
  const steps = resources.flatMap((resource) => stepsOf(resource.resourceId));
  it('gives each resource its own status and count of steps done', () => {
    const journaled = [
      ...stepsOf('db').map((step) => ({ stepId: step.id, status: 'done' })),
      { stepId: 'transfer-image:app', status: 'done' },
      { stepId: 'create-container:app', status: 'running' },
    ];
    expect(batchProgress(steps, resources, journaled, false).map((entry) => [entry.name, entry.status, entry.done, entry.total])).toEqual([
      ['db', 'completed', 4, 4],
      ['app', 'running', 1, 4],
      ['other', 'waiting', 0, 4],
    ]);
  });
  it('says undone, needs attention or skipped once the run is over', () => {
    const journaled = [
      { stepId: 'transfer-image:db', status: 'undone' },
      { stepId: 'wait-healthy:db', status: 'failed' },
      { stepId: 'transfer-image:other', status: 'undo_failed' },
    ];
    expect(batchProgress(steps, resources, journaled, true).map((entry) => entry.status)).toEqual(['undone', 'skipped', 'needs-attention']);
  });
});
