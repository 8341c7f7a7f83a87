import { describe, expect, it } from 'vitest';
import { GantryError } from '@shared/ipc/result';
import type { JobEvent } from '@shared/ipc/jobs';
import { JobRegistry, abortableDelay } from '../jobs/registry';
import { openDatabase } from '../store/open-database';
import { MigrationJournal } from './journal';
import { compensate, recordOf, runSaga, type SagaOutcome, type SagaStep } from './saga';

/** A pretend target whose state the steps change, so tests can see what undo restored. */
interface World {
  containers: string[];
  actions: string[];
}

function setup() {
  const db = openDatabase(':memory:');
  const journal = new MigrationJournal(db);
  journal.create({ id: 'm1', kind: 'migrate', projectId: null, sourceEnvironmentId: 'dev', targetEnvironmentId: 'uat', status: 'running', planJson: '{}', optionsJson: '{}', rollbackOf: null, jobId: null, engineInstance: 'e1' });
  const events: JobEvent[] = [];
  const jobs = new JobRegistry((event) => events.push(event));
  return { db, journal, jobs, events };
}

function addContainer(name: string, opts: { failRun?: boolean; slow?: boolean } = {}): SagaStep<World> {
  return {
    id: `create:${name}`,
    title: `Create ${name}`,
    intent: { name },
    async run(world, job) {
      if (opts.slow) await abortableDelay(200, job.signal);
      world.containers.push(name);
      world.actions.push(`create ${name}`);
      if (opts.failRun) throw new GantryError('docker_error', `Docker refused to start ${name}: port is already allocated`);
      return { id: `${name}-id` };
    },
    async undo(world, record) {
      const target = String(record.intent.name);
      world.containers = world.containers.filter((c) => c !== target);
      world.actions.push(`remove ${target}`);
    },
  };
}

async function run(steps: SagaStep<World>[], world: World, cancelAfterMs?: number): Promise<SagaOutcome> {
  const { journal, jobs } = setup();
  let outcome: SagaOutcome | undefined;
  const jobId = jobs.start('migration', 'test', async (job) => {
    outcome = await runSaga({ migrationId: 'm1', steps, context: world, journal, job, undoRetry: { attempts: 2, delayMs: 10 } });
  });
  if (cancelAfterMs !== undefined) setTimeout(() => jobs.cancel(jobId), cancelAfterMs);
  await jobs.finished(jobId);
  return outcome!;
}

describe('runSaga', () => {
  it('runs every step in order and journals each as done with its result', async () => {
    const { journal, jobs } = setup();
    const world: World = { containers: [], actions: [] };
    const jobId = jobs.start('migration', 't', (job) => runSaga({ migrationId: 'm1', steps: [addContainer('db'), addContainer('app')], context: world, journal, job }));
    expect(await jobs.finished(jobId)).toMatchObject({ type: 'done', result: { status: 'completed' } });
    expect(world.containers).toEqual(['db', 'app']);
    const steps = journal.steps('m1');
    expect(steps.map((s) => [s.stepId, s.status])).toEqual([['create:db', 'done'], ['create:app', 'done']]);
    expect(recordOf(steps[1])).toEqual({ intent: { name: 'app' }, result: { id: 'app-id' } });
    expect(journal.logLines('m1').map((l) => l.message)).toEqual(['▶ Create db', '▶ Create app']);
  });

  it('undoes everything that ran, newest first, when a step fails — the target ends as it was', async () => {
    const world: World = { containers: ['existing'], actions: [] };
    const outcome = await run([addContainer('db'), addContainer('app', { failRun: true }), addContainer('never')], world);
    expect(outcome).toMatchObject({ status: 'failed', compensated: true, error: { code: 'docker_error' } });
    expect(world.containers).toEqual(['existing']);
    expect(world.actions).toEqual(['create db', 'create app', 'remove app', 'remove db']);
  });

  it('stops at the next step boundary when cancelled and compensates', async () => {
    const world: World = { containers: [], actions: [] };
    const outcome = await run([addContainer('a', { slow: true }), addContainer('b', { slow: true }), addContainer('c', { slow: true })], world, 250);
    expect(outcome.status).toBe('cancelled');
    expect(world.containers).toEqual([]);
    expect(world.actions).not.toContain('create c');
  });

  it('retries an undo whose server is briefly away, then succeeds', async () => {
    const world: World = { containers: [], actions: [] };
    let failuresLeft = 1;
    const flaky: SagaStep<World> = {
      ...addContainer('flaky'),
      async undo(w, record) {
        if (failuresLeft-- > 0) throw new Error('uat dockerd is restarting');
        await addContainer('flaky').undo!(w, record);
      },
    };
    const outcome = await run([flaky, addContainer('app', { failRun: true })], world);
    expect(outcome).toMatchObject({ status: 'failed', compensated: true });
    expect(world.containers).toEqual([]);
  });

  it('reports undo failures by step so the operator knows what needs attention', async () => {
    const world: World = { containers: [], actions: [] };
    const stubborn: SagaStep<World> = {
      ...addContainer('stubborn'),
      async undo() {
        throw new Error('uat dockerd is not answering');
      },
    };
    const outcome = await run([stubborn, addContainer('app', { failRun: true })], world);
    expect(outcome).toMatchObject({ status: 'failed', compensated: false, undoFailures: ['Create stubborn'] });
  });
});

describe('compensate after a crash', () => {
  it('rebuilds undo from the journal alone, including a step that was running when the engine died', async () => {
    const { journal } = setup();
    journal.beginStep('m1', 0, 'create:db', 'Create db', { name: 'db' });
    journal.finishStep('m1', 0, 'done', { result: { id: 'db-id' } });
    journal.beginStep('m1', 1, 'create:app', 'Create app', { name: 'app' });
    // The engine "dies" here: step 1 stays running. A new engine finds it:
    expect(journal.interrupted('e2').map((m) => m.id)).toEqual(['m1']);
    expect(journal.interrupted('e1')).toEqual([]);

    const world: World = { containers: ['db', 'app'], actions: [] };
    const byId = new Map([addContainer('db'), addContainer('app')].map((s) => [s.id, s]));
    const ran = journal.steps('m1').map((row) => ({ seq: row.seq, step: byId.get(row.stepId)!, record: recordOf(row) }));
    expect(await compensate('m1', ran, world, journal, () => {}, { attempts: 1, delayMs: 0 })).toEqual([]);
    expect(world.containers).toEqual([]);
    expect(journal.steps('m1').map((s) => s.status)).toEqual(['undone', 'undone']);
  });
});
