import { describe, expect, it } from 'vitest';
import { GantryError } from '@shared/ipc/result';
import { batchLayout } from '@shared/migration/batch-levels';
import { JobRegistry, abortableDelay } from '../jobs/registry';
import { openDatabase } from '../store/open-database';
import { partialNote } from './batch-run';
import { runBatchSaga, type BatchOutcome } from './batch-saga';
import { MigrationJournal } from './journal';
import type { SagaStep } from './saga';

/** A pretend target: which containers exist, and when each became healthy. */
interface World {
  containers: Set<string>;
  healthy: Set<string>;
  /** Resources running right now (to see the bound on concurrency). */
  active: Set<string>;
  mostActive: number;
  /** For each started resource: what of its dependencies was healthy at the time. */
  startedWith: Map<string, string[]>;
}

interface Resource {
  resourceId: string;
  name: string;
  dependsOn?: string[];
}

/** Each resource: create (undo: remove), wait-healthy (may never pass), record. */
function stepsFor(resources: Resource[], behaviour: { unhealthy?: string[]; waitMs?: number; failRecord?: string[] } = {}): { steps: SagaStep<World>[]; kinds: { id: string; kind: string; resourceId: string }[] } {
  const kinds: { id: string; kind: string; resourceId: string }[] = [];
  const steps: SagaStep<World>[] = [];
  for (const resource of resources) {
    const id = resource.resourceId;
    kinds.push({ id: `create-container:${id}`, kind: 'create-container', resourceId: id }, { id: `wait-healthy:${id}`, kind: 'wait-healthy', resourceId: id }, { id: `record-resource:${id}`, kind: 'record-resource', resourceId: id });
    steps.push(
      {
        id: `create-container:${id}`,
        title: `Create ${id}`,
        intent: { name: id },
        async run(world) {
          world.active.add(id);
          world.mostActive = Math.max(world.mostActive, world.active.size);
          world.startedWith.set(id, (resource.dependsOn ?? []).filter((dep) => world.healthy.has(dep)));
          world.containers.add(id);
        },
        async undo(world) {
          world.containers.delete(id);
        },
      },
      {
        id: `wait-healthy:${id}`,
        title: `Wait for ${id}`,
        async run(world, job) {
          await abortableDelay(behaviour.waitMs ?? 30, job.signal);
          if (behaviour.unhealthy?.includes(id)) throw new GantryError('unhealthy', `${id} never became healthy`);
          world.healthy.add(id);
        },
      },
      {
        id: `record-resource:${id}`,
        title: `Record ${id}`,
        async run(world) {
          world.active.delete(id);
          if (behaviour.failRecord?.includes(id)) throw new GantryError('record_failed', `could not record ${id}`);
        },
      },
    );
  }
  return { steps, kinds };
}

async function runBatch(resources: Resource[], options: { unhealthy?: string[]; failRecord?: string[]; concurrency?: number; allOrNothing?: boolean; cancelAfterMs?: number; waitMs?: number; exclusiveKey?: (seq: number) => string | null } = {}) {
  const db = openDatabase(':memory:');
  const journal = new MigrationJournal(db);
  journal.create({ id: 'm1', kind: 'migrate', projectId: null, sourceEnvironmentId: 'dev', targetEnvironmentId: 'uat', status: 'running', planJson: '{}', optionsJson: '{}', rollbackOf: null, jobId: null, engineInstance: 'e1' });
  const jobs = new JobRegistry(() => {});
  const world: World = { containers: new Set(), healthy: new Set(), active: new Set(), mostActive: 0, startedWith: new Map() };
  const { steps, kinds } = stepsFor(resources, options);
  const layout = batchLayout(kinds, resources);
  let outcome: BatchOutcome | undefined;
  const jobId = jobs.start('migration', 'batch', async (job) => {
    outcome = await runBatchSaga({ migrationId: 'm1', steps, layout, context: world, journal, job, concurrency: options.concurrency ?? 3, allOrNothing: options.allOrNothing ?? false, undoRetry: { attempts: 1, delayMs: 1 }, ...(options.exclusiveKey ? { exclusiveKey: options.exclusiveKey } : {}) });
  });
  if (options.cancelAfterMs !== undefined) setTimeout(() => jobs.cancel(jobId), options.cancelAfterMs);
  await jobs.finished(jobId);
  return { outcome: outcome!, world, journal, layout };
}

const shop: Resource[] = [
  { resourceId: 'db', name: 'db' },
  { resourceId: 'cache', name: 'cache' },
  { resourceId: 'api', name: 'api', dependsOn: ['db'] },
  { resourceId: 'web', name: 'web', dependsOn: ['api'] },
  { resourceId: 'worker', name: 'worker', dependsOn: ['cache'] },
  { resourceId: 'lone', name: 'lone' },
];

describe('runBatchSaga', () => {
  it('runs independent resources in parallel, never more than the bound, each only after its dependencies are healthy', async () => {
    const { outcome, world, journal } = await runBatch(shop, { concurrency: 2 });
    expect(outcome.status).toBe('completed');
    expect(world.containers.size).toBe(6);
    expect(world.mostActive).toBe(2);
    for (const resource of shop) expect(world.startedWith.get(resource.resourceId)).toEqual(resource.dependsOn ?? []);
    // The journal's timestamps say the same: a dependant's first step starts after its dependency's wait-healthy ended.
    const rows = journal.steps('m1');
    const row = (id: string) => rows.find((entry) => entry.stepId === id)!;
    expect(row('create-container:api').startedAt!).toBeGreaterThanOrEqual(row('wait-healthy:db').endedAt!);
    expect(row('create-container:web').startedAt!).toBeGreaterThanOrEqual(row('wait-healthy:api').endedAt!);
    expect(rows.map((entry) => entry.seq)).toEqual([...Array(18).keys()]);
  });

  it('with room for all, runs every independent resource at once; with 1, one after the other', async () => {
    const wide = Array.from({ length: 6 }, (_, i) => ({ resourceId: `r${i}`, name: `r${i}` }));
    const serial = await runBatch(wide, { concurrency: 1, waitMs: 20 });
    expect(serial.world.mostActive).toBe(1);
    const rows = serial.journal.steps('m1');
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.startedAt!).toBeGreaterThanOrEqual(rows[i - 1]!.endedAt!);
    const parallel = await runBatch(wide, { concurrency: 6, waitMs: 20 });
    expect(parallel.world.mostActive).toBe(6);
  });

  it('undoes the failed resource and everything that depends on it; the independent ones complete', async () => {
    const { outcome, world, journal, layout } = await runBatch(shop, { unhealthy: ['db'] });
    expect(outcome.status).toBe('partial');
    if (outcome.status !== 'partial') return;
    // The run's message tells what was undone from what never started.
    expect(partialNote(layout, outcome.completed, outcome.undone, outcome.undoFailures)).toMatch(/^3 of 6 resources completed \((cache|lone|worker), (cache|lone|worker), (cache|lone|worker)\); undone: db \(db never became healthy\); not started: api \(it depends on db, which failed\), web \(it depends on db, which failed\)$/);
    expect([...outcome.completed].sort()).toEqual(['cache', 'lone', 'worker']);
    expect(outcome.undone.map((entry) => [entry.name, entry.reason, entry.started])).toEqual([
      ['db', 'db never became healthy', true],
      ['api', 'it depends on db, which failed', false],
      ['web', 'it depends on db, which failed', false],
    ]);
    expect([...world.containers].sort()).toEqual(['cache', 'lone', 'worker']);
    // Neither dependant ever started: nothing of them is journaled.
    expect(journal.steps('m1').filter((entry) => /:(api|web)$/.test(entry.stepId))).toEqual([]);
    expect(journal.steps('m1').find((entry) => entry.stepId === 'create-container:db')!.status).toBe('undone');
  });

  it('undoes a dependant that had already started when its dependency failed in a later step', async () => {
    const { outcome, world } = await runBatch([{ resourceId: 'db', name: 'db' }, { resourceId: 'api', name: 'api', dependsOn: ['db'] }, { resourceId: 'lone', name: 'lone' }], { failRecord: ['db'] });
    expect(outcome.status).toBe('partial');
    expect([...world.containers]).toEqual(['lone']);
    // api had run its steps: it counts as undone, not as never started.
    if (outcome.status === 'partial') expect(outcome.undone.map((entry) => [entry.name, entry.started])).toEqual([['db', true], ['api', true]]);
  });

  it('ends failed when nothing completed', async () => {
    const { outcome, world } = await runBatch([{ resourceId: 'db', name: 'db' }, { resourceId: 'api', name: 'api', dependsOn: ['db'] }], { unhealthy: ['db'] });
    expect(outcome).toMatchObject({ status: 'failed', compensated: true });
    expect(world.containers.size).toBe(0);
  });

  it('all or nothing: one failure undoes every resource, the independent ones too', async () => {
    const { outcome, world, journal } = await runBatch(shop, { unhealthy: ['worker'], allOrNothing: true });
    expect(outcome).toMatchObject({ status: 'failed', compensated: true, error: { message: 'worker never became healthy' } });
    expect(world.containers.size).toBe(0);
    expect(journal.steps('m1').filter((entry) => entry.status === 'done' && entry.stepId.startsWith('create'))).toEqual([]);
  });

  it('cancel stops every branch and undoes everything, newest first', async () => {
    const { outcome, world, journal } = await runBatch(shop, { cancelAfterMs: 50, waitMs: 40 });
    expect(outcome.status).toBe('cancelled');
    expect(world.containers.size).toBe(0);
    const undone = journal.logLines('m1').filter((line) => line.message.startsWith('↶ Undone'));
    expect(undone.length).toBeGreaterThan(0);
    const rows = journal.steps('m1');
    const startOf = (message: string) => rows.find((row) => message.endsWith(row.title))!.startedAt!;
    const starts = undone.map((line) => startOf(line.message));
    expect([...starts].sort((a, b) => b - a)).toEqual(starts);
  });

  it('never runs two steps with the same exclusive key at once (one image for several resources)', async () => {
    const wide = Array.from({ length: 4 }, (_, i) => ({ resourceId: `r${i}`, name: `r${i}` }));
    // Every wait-healthy step (seq 1, 4, 7, 10) shares one key: they run one after the other, the rest in parallel.
    const { outcome, journal } = await runBatch(wide, { concurrency: 4, waitMs: 40, exclusiveKey: (seq) => (seq % 3 === 1 ? 'one image' : null) });
    expect(outcome.status).toBe('completed');
    const waits = journal.steps('m1').filter((row) => row.stepId.startsWith('wait-healthy')).sort((a, b) => a.startedAt! - b.startedAt!);
    for (let i = 1; i < waits.length; i++) expect(waits[i]!.startedAt!).toBeGreaterThanOrEqual(waits[i - 1]!.endedAt!);
  });
});
