import { describe, expect, it } from 'vitest';
import { planMigration } from './plan';
import { stepsFor } from './plan-steps';
import { devDb, devDb2, devToUat, sequentialUuids } from './test-fixtures';

describe('the test-data copy step', () => {
  // web (a promote) and the database it needs, added as a missing dependency (a clone).
  const plan = planMigration(devToUat({ resourceIds: ['web'], includeMissingDependencies: true }), { newUuid: sequentialUuids() });
  const db = plan.resources.find((resource) => resource.kind === 'database')!;
  const copyDb = [{ resourceId: db.resourceId, databaseType: 'postgresql' as const }];
  const context = (production: boolean, copyData = copyDb) => ({ source: { id: 'env-dev', name: 'dev' }, target: { ...plan.target, production }, facts: { specHashes: [] }, options: { waitForReady: true, copyData } });

  it('comes right after the database is healthy and before anything that uses it is created', () => {
    const steps = stepsFor(plan.resources, context(false));
    const kinds = steps.map((step) => `${step.kind}:${step.resourceId}`);
    const copy = kinds.indexOf(`copy-data:${db.resourceId}`);
    expect(copy).toBe(kinds.indexOf(`wait-healthy:${db.resourceId}`) + 1);
    expect(copy).toBeLessThan(kinds.indexOf('replace-container:web'));
    expect(steps[copy]).toMatchObject({ params: { databaseType: 'postgresql', sourceEnvironment: 'dev', targetEnvironment: plan.target.name, targetProduction: false, resourceName: db.name } });
    expect(steps[copy]!.undo).toContain('previous data back');
  });

  it('is never emitted into production, nor for a resource nobody ticked', () => {
    expect(stepsFor(plan.resources, context(true)).some((step) => step.kind === 'copy-data')).toBe(false);
    expect(stepsFor(plan.resources, context(false, [])).some((step) => step.kind === 'copy-data')).toBe(false);
    expect(stepsFor(plan.resources, context(false, [{ resourceId: 'web', databaseType: 'postgresql' }])).some((step) => step.kind === 'copy-data')).toBe(false);
  });

  it('still copies into a database whose spec is unchanged (nothing else of it is touched)', () => {
    const unchanged = plan.resources.map((resource) => (resource.resourceId === db.resourceId ? { ...resource, unchanged: true } : resource));
    const steps = stepsFor(unchanged, context(false));
    expect(steps.filter((step) => step.resourceId === db.resourceId).map((step) => step.kind)).toEqual(['copy-data']);
  });
});

describe('an anonymous volume (an image VOLUME without a name)', () => {
  it('stays anonymous on the target: nothing to create, never one shared volume for every clone', () => {
    const anonymous = (resource: ReturnType<typeof devDb>) => ({ ...resource, spec: { ...resource.spec, mounts: [{ type: 'volume' as const, source: '', target: '/var/lib/mysql', readOnly: false }] } });
    const plan = planMigration(devToUat({ sourceResources: [anonymous(devDb()), anonymous(devDb2())], resourceIds: ['db', 'db2'] }), { newUuid: sequentialUuids() });
    for (const resource of plan.resources) {
      expect(resource.volumesToCreate).toEqual([]);
      expect(resource.desiredSpec.mounts).toEqual([{ type: 'volume', source: '', target: '/var/lib/mysql', readOnly: false }]);
    }
    expect(plan.steps.some((step) => step.kind === 'create-volumes')).toBe(false);
    expect(plan.prechecks.filter((check) => check.check === 'volumes' && check.severity === 'blocking')).toEqual([]);
  });
});
