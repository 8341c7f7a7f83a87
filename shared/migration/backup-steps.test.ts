import { describe, expect, it } from 'vitest';
import { planMigration } from './plan';
import { stepsFor } from './plan-steps';
import { devToUat, healthyFacts, sequentialUuids, uatDb, uatWeb } from './test-fixtures';

/** uat → production where production already runs web and db: a promote of both. */
function uatToProduction() {
  // Production's database runs an older image: a promote that changes it (an unchanged one gets no steps, no backup).
  const prodDb = { ...uatDb(), containerName: 'production-db', uuid: 'prod-db', spec: { ...uatDb().spec, image: { ref: 'gantry-lab/postgres:14', id: 'sha256:pg14', digest: null } } };
  const prodWeb = { ...uatWeb(), containerName: 'production-web', uuid: 'prod-web' };
  return devToUat({
    sourceEnvId: 'env-uat',
    targetEnvId: 'env-prod',
    sourceResources: [uatWeb(), uatDb()],
    targetResources: [prodWeb, prodDb],
    resourceIds: ['web', 'db'],
    target: { server: { id: 'srv-prod', name: 'prod-server' }, facts: healthyFacts({ publishedPorts: [], containerNames: ['production-web', 'production-db'] }) },
  });
}

describe('the backup before a production change', () => {
  const plan = planMigration(uatToProduction(), { newUuid: sequentialUuids() });

  it('is the first step of a promote into production, one per database, before any image or container step', () => {
    expect(plan.steps[0]).toMatchObject({ kind: 'backup-database', resourceId: 'db', params: { containerName: 'production-db', resourceName: 'db' }, undo: null });
    expect(plan.steps.filter((step) => step.kind === 'backup-database')).toHaveLength(1);
  });

  it('is left out only when the operator turns it off for the run', () => {
    const off = stepsFor(plan.resources, { target: plan.target, facts: { specHashes: [] }, options: { waitForReady: true, backup: false } });
    expect(off.some((step) => step.kind === 'backup-database')).toBe(false);
    const on = stepsFor(plan.resources, { target: plan.target, facts: { specHashes: [] }, options: { waitForReady: true } });
    expect(on[0]?.kind).toBe('backup-database');
  });

  it('is not taken outside production, nor for a database production does not have yet (a clone)', () => {
    const uat = planMigration(devToUat({ resourceIds: ['web'], includeMissingDependencies: true }), { newUuid: sequentialUuids() });
    expect(uat.steps.some((step) => step.kind === 'backup-database')).toBe(false);
    const clone = planMigration({ ...uatToProduction(), targetResources: [], target: { server: { id: 'srv-prod', name: 'prod-server' }, facts: healthyFacts({ publishedPorts: [], containerNames: [], volumes: [], specHashes: [] }) } }, { newUuid: sequentialUuids() });
    expect(clone.resources.map((resource) => resource.mode)).toEqual(['clone', 'clone']);
    expect(clone.steps.some((step) => step.kind === 'backup-database')).toBe(false);
  });
});
