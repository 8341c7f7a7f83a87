/**
 * A batch migration on the lab: two PostgreSQL databases and three apps dev → uat in one run.
 * `api` cannot start on uat (its published port is taken there after the plan was made), `web`
 * depends on `api`; `db1`, `db2` and `report` do not. The batch undoes api and web and completes
 * the rest — checked with `docker inspect` on uat — and the journal's timestamps show nothing
 * started before what it depends on was healthy. Then all-or-nothing undoes everything, and a
 * partly completed batch rolls back.
 * Run: flock /tmp/gantry-labtest.lock bash .ci/with-keyring.sh npx vitest run --project integration electron/migrations/batch.int.test.ts
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { batchProgress } from '@shared/migration/batch-levels';
import { journalTimes, orderViolations, startBatchLab, type BatchLab } from './testing/batch-lab';
import { inProcessDriver } from './testing/batch-lab-app';

const lab = inject('lab');
const PREFIX = 'batchit';
const PORT = 18391;
let batch: BatchLab;

const members = [
  { name: 'db1', kind: 'database' as const },
  { name: 'db2', kind: 'database' as const },
  { name: 'api', kind: 'application' as const, database: 'db1', hostPort: PORT },
  { name: 'report', kind: 'application' as const, database: 'db2' },
  { name: 'web', kind: 'application' as const, database: 'db1', links: ['api'] },
];
const all = members.map((member) => member.name);

/** `docker inspect` of this batch's containers on uat: name → running state ('absent' when there is none). */
async function onUat(): Promise<Record<string, string>> {
  const states: Record<string, string> = {};
  for (const name of all) {
    const container = batch.containerOf('uat', name);
    states[name] = await batch.sh('uat', `docker inspect --format '{{.State.Status}}' ${container} 2>/dev/null || echo absent`);
  }
  return states;
}

/** Plans, takes uat's port 18391 (so api's container cannot start there), then runs the batch. */
async function migrateWithPortTaken(options: { allOrNothing?: boolean } = {}) {
  const planned = await batch.call('migrations:plan', { projectId: batch.projectId, sourceEnvId: batch.env.dev, targetEnvId: batch.env.uat, resourceIds: all.map((name) => batch.ids[name]!) });
  expect(planned.plan.blocking, JSON.stringify(planned.plan.prechecks)).toBe(false);
  await batch.sh('uat', `docker rm -fv ${PREFIX}-blocker >/dev/null 2>&1; docker run -d --name ${PREFIX}-blocker -p ${PORT}:8080 gantry-lab/webapp:1 >/dev/null`);
  try {
    const { migrationId } = await batch.call('migrations:start', { planId: planned.planId, options: { waitForReady: true, healthTimeoutSec: 120, ...options } });
    return await batch.settled(migrationId);
  } finally {
    await batch.sh('uat', `docker rm -fv ${PREFIX}-blocker >/dev/null 2>&1 || true`);
  }
}

beforeAll(async () => {
  batch = await startBatchLab(await inProcessDriver(lab, PREFIX), PREFIX, members);
}, 180_000);

afterAll(async () => {
  await batch?.close();
});

describe('a batch where one app fails', () => {
  let migrationId = '';

  it('undoes the failed app and its dependant, and completes the independent resources', async () => {
    const detail = await migrateWithPortTaken();
    migrationId = detail.migration.id;
    expect(detail.migration.status, detail.migration.message ?? '').toBe('completed_with_warning');
    expect(detail.migration.message).toMatch(/3 of 5 resources completed \((db1|db2|report), (db1|db2|report), (db1|db2|report)\)/);
    expect(detail.migration.message).toMatch(/undone: api \(.*port.*\); not started: web \(it depends on api, which failed\)/is);
    const states = await onUat();
    expect(states).toEqual({ db1: 'running', db2: 'running', report: 'running', api: 'absent', web: 'absent' });
    // The migration page's per-resource view of the same journal.
    const progress = batchProgress(detail.plan!.steps, detail.plan!.resources, detail.steps, true);
    expect(Object.fromEntries(progress.map((entry) => [entry.name, entry.status]))).toEqual({ db1: 'completed', db2: 'completed', api: 'undone', report: 'completed', web: 'skipped' });
    // Order from the journal's timestamps: each app started only after its database was healthy.
    expect(orderViolations(detail)).toEqual([]);
    const times = journalTimes(detail);
    expect(times.get(batch.ids.report!)!.firstStart).toBeGreaterThanOrEqual(times.get(batch.ids.db2!)!.healthyEnd!);
    expect(times.get(batch.ids.api!)!.firstStart).toBeGreaterThanOrEqual(times.get(batch.ids.db1!)!.healthyEnd!);
    // web never started: nothing of it is journaled, nothing of it exists.
    expect(times.has(batch.ids.web!)).toBe(false);
    // The databases ran in parallel: db2 started before db1's health wait ended.
    expect(times.get(batch.ids.db2!)!.firstStart).toBeLessThan(times.get(batch.ids.db1!)!.healthyEnd!);
  }, 300_000);

  it('rolls the partly completed batch back: what it completed is removed', async () => {
    const rollback = await batch.rollBack(migrationId);
    expect(rollback.migration.status, rollback.migration.message ?? '').toMatch(/^completed/);
    expect(Object.values(await onUat()).every((state) => state === 'absent')).toBe(true);
  }, 300_000);

  it('all or nothing: the same failure undoes every resource, the independent ones too', async () => {
    const detail = await migrateWithPortTaken({ allOrNothing: true });
    expect(detail.migration.status).toBe('failed');
    expect(detail.migration.message).toMatch(/was undone/);
    expect(Object.values(await onUat()).every((state) => state === 'absent')).toBe(true);
    expect(await batch.sh('uat', `docker volume ls -q --filter name=${PREFIX}`)).toBe('');
  }, 300_000);
});
