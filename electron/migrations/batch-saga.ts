/**
 * The saga of a batch: the preflight steps one after the other, then each resource's steps as its
 * own branch, branches in parallel (at most `concurrency` at once on the target server), a branch
 * starting only once everything it depends on passed its wait-healthy step. The journal stays the
 * one record: every step row keeps its seq and gets its start and end times.
 *
 * When a branch fails, it and every branch that depends on it (transitively) stop at their next
 * step boundary (their current step is aborted) and are undone; the independent branches run to
 * the end. With `allOrNothing`, or when the operator cancels, every branch stops and everything
 * that ran is undone. Undo always goes newest first by start order, across branches.
 */
import { GantryError } from '@shared/ipc/result';
import { dependantsOf, type BatchLayout } from '@shared/migration/batch-levels';
import type { JobContext } from '../jobs/registry';
import type { StepPause } from './fault-pause';
import type { MigrationJournal } from './journal';
import { asGantryError, compensate, recordOf, type SagaStep, type StepJob, type UndoRetry } from './saga';

/** Why one resource of a batch was undone. */
export interface UndoneResource {
  resourceId: string;
  name: string;
  /** The failure itself, or which failed resource it depends on. */
  reason: string;
  /** False for a dependant stopped before its first step: nothing of it ran, so nothing was undone. */
  started: boolean;
}

/** How a batch ended. */
export type BatchOutcome =
  | { status: 'completed'; completed: string[] }
  /** Some resources completed, the failed ones and their dependants were undone. */
  | { status: 'partial'; completed: string[]; undone: UndoneResource[]; error: GantryError; undoFailures: string[] }
  | { status: 'failed' | 'cancelled'; completed: []; undone: UndoneResource[]; error: GantryError; compensated: boolean; undoFailures: string[] };

/** A count of free places; `acquire` waits for one. */
class Slots {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** Settles once: true when what waits on it may go on. */
function gate(): { promise: Promise<boolean>; open(ok: boolean): void } {
  let open: (ok: boolean) => void = () => {};
  const promise = new Promise<boolean>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Thrown into a branch that must stop because of another branch (not a failure of its own). */
class BranchStopped extends Error {}

/** Runs the steps of a batch (see the module comment). */
export async function runBatchSaga<C>(options: {
  migrationId: string;
  steps: SagaStep<C>[];
  layout: BatchLayout;
  context: C;
  journal: MigrationJournal;
  job: JobContext;
  /** Most branches running at once on the target server (at least 1). */
  concurrency: number;
  /** Undo everything when anything fails. */
  allOrNothing?: boolean;
  undoRetry?: UndoRetry;
  pause?: StepPause;
  /** Steps with the same key never run at once (e.g. two resources' transfers of one image: the second then finds it there). */
  exclusiveKey?: (seq: number) => string | null;
}): Promise<BatchOutcome> {
  const { migrationId, steps, layout, context, journal, job } = options;
  const started: { seq: number; step: SagaStep<C> }[] = [];
  let finishedSteps = 0;
  const log = (level: 'info' | 'warn' | 'error', message: string) => {
    journal.log(migrationId, level, message);
    job.log(level, message);
  };

  const exclusive = new Map<string, Promise<void>>();
  /** Runs one step, after any running step with the same exclusive key. */
  const runStep = async (seq: number, signal: AbortSignal, prefix: string): Promise<void> => {
    const key = options.exclusiveKey?.(seq) ?? null;
    if (key === null) return runStepNow(seq, signal, prefix);
    const before = exclusive.get(key) ?? Promise.resolve();
    const mine = before.then(() => runStepNow(seq, signal, prefix));
    exclusive.set(key, mine.catch(() => undefined));
    return mine;
  };

  /** Runs one step under `signal`, journaled before and after; throws what the step threw. */
  const runStepNow = async (seq: number, signal: AbortSignal, prefix: string): Promise<void> => {
    if (signal.aborted) throw new BranchStopped();
    const step = steps[seq]!;
    journal.beginStep(migrationId, seq, step.id, step.title, step.intent ?? {});
    started.push({ seq, step });
    job.step(step.title, 'running');
    journal.log(migrationId, 'info', `▶ ${prefix}${step.title}`);
    try {
      await options.pause?.(step, 'before', (message) => journal.log(migrationId, 'info', message));
      const stepJob: StepJob = {
        signal,
        progress: (percent, message) => job.progress(((finishedSteps + percent / 100) / steps.length) * 100, message),
        log: (level, message) => log(level, `${prefix}${message}`),
        throwIfCancelled: () => {
          if (signal.aborted) throw new GantryError('cancelled', job.signal.aborted ? 'Cancelled by the operator' : 'Stopped: a resource it depends on failed');
        },
        checkpoint: (partial) => journal.checkpointStep(migrationId, seq, partial),
      };
      const result = (await step.run(context, stepJob)) ?? {};
      await options.pause?.(step, 'after', (message) => journal.log(migrationId, 'info', message));
      journal.finishStep(migrationId, seq, 'done', { result });
      job.step(step.title, 'done');
      finishedSteps++;
      job.progress((finishedSteps / steps.length) * 100, step.title);
    } catch (thrown) {
      const error = asGantryError(thrown, signal.aborted);
      journal.finishStep(migrationId, seq, 'failed', { error: error.message });
      job.step(step.title, 'failed');
      throw error;
    }
  };

  const undoAll = async (error: GantryError, status: 'failed' | 'cancelled', undone: UndoneResource[]): Promise<BatchOutcome> => {
    log('error', status === 'cancelled' ? `Cancelled: ${error.message}` : `Failed: ${error.message}`);
    const undoFailures = await compensate(migrationId, withRecords(started), context, journal, (title, undoStatus) => job.step(title, undoStatus), options.undoRetry);
    return { status, completed: [], undone, error, compensated: undoFailures.length === 0, undoFailures };
  };
  const withRecords = (ran: { seq: number; step: SagaStep<C> }[]) => {
    const rows = journal.steps(migrationId);
    return ran.map(({ seq, step }) => ({ seq, step, record: recordOf(rows.find((row) => row.seq === seq)) }));
  };

  // Preflight: one after the other; a failure undoes what ran (nothing of any resource has).
  for (const seq of layout.preflight) {
    try {
      job.throwIfCancelled();
      await runStep(seq, job.signal, '');
    } catch (thrown) {
      const cancelled = job.signal.aborted;
      return undoAll(asGantryError(thrown, cancelled), cancelled ? 'cancelled' : 'failed', []);
    }
  }

  const byId = new Map(layout.branches.map((branch) => [branch.resourceId, branch]));
  const healthy = new Map(layout.branches.map((branch) => [branch.resourceId, gate()]));
  const controllers = new Map(layout.branches.map((branch) => [branch.resourceId, new AbortController()]));
  const stopEverything = () => controllers.forEach((controller) => controller.abort());
  if (job.signal.aborted) stopEverything();
  else job.signal.addEventListener('abort', stopEverything, { once: true });
  const slots = new Slots(Math.max(1, Math.floor(options.concurrency)));
  /** Resources to undo, with why (whether any of their steps ran is read at the end). */
  const doomed = new Map<string, Omit<UndoneResource, 'started'>>();
  const completed: string[] = [];
  let firstError: GantryError | null = null;
  let stopAll = false;

  const fail = (resourceId: string, error: GantryError) => {
    const branch = byId.get(resourceId)!;
    firstError ??= error;
    doomed.set(resourceId, { resourceId, name: branch.name, reason: error.message });
    const dependants = dependantsOf(resourceId, layout.branches);
    for (const id of dependants) {
      if (!doomed.has(id)) doomed.set(id, { resourceId: id, name: byId.get(id)!.name, reason: `it depends on ${branch.name}, which failed` });
      controllers.get(id)!.abort();
      healthy.get(id)!.open(false);
    }
    if (options.allOrNothing) {
      stopAll = true;
      stopEverything();
    }
    log('error', `${branch.name} failed: ${error.message}${dependants.length > 0 ? ` Its dependants stop (what of them ran is undone): ${dependants.map((id) => byId.get(id)!.name).join(', ')}.` : ''}`);
  };

  const runBranch = async (resourceId: string): Promise<void> => {
    const branch = byId.get(resourceId)!;
    const ready = await Promise.all(branch.dependsOn.map((id) => healthy.get(id)!.promise));
    const signal = controllers.get(resourceId)!.signal;
    if (!ready.every(Boolean) || signal.aborted || stopAll) {
      healthy.get(resourceId)!.open(false);
      return;
    }
    await slots.acquire();
    try {
      const prefix = `[${branch.name}] `;
      for (const seq of branch.seqs) {
        if (signal.aborted || stopAll || doomed.has(resourceId)) throw new BranchStopped();
        await runStep(seq, signal, prefix);
        if (seq === branch.healthySeq) healthy.get(resourceId)!.open(true);
      }
      healthy.get(resourceId)!.open(true);
      completed.push(resourceId);
    } catch (thrown) {
      healthy.get(resourceId)!.open(false);
      // Stopped from outside (cancel, all or nothing, or a failed dependency): not a failure of its own.
      if (thrown instanceof BranchStopped || job.signal.aborted || doomed.has(resourceId) || stopAll) return;
      fail(resourceId, asGantryError(thrown, false));
    } finally {
      slots.release();
    }
  };

  log('info', `Batch of ${layout.branches.length} resources in ${1 + Math.max(0, ...layout.branches.map((branch) => branch.level))} level(s), at most ${Math.max(1, Math.floor(options.concurrency))} at once on the target server${options.allOrNothing ? ', all or nothing' : ''}.`);
  await Promise.all(layout.branches.map((branch) => runBranch(branch.resourceId)));
  job.signal.removeEventListener('abort', stopEverything);

  const resourceOf = new Map(layout.branches.flatMap((branch) => branch.seqs.map((seq) => [seq, branch.resourceId] as const)));
  const ran = new Set(started.map(({ seq }) => resourceOf.get(seq)));
  const undone = [...doomed.values()].map((entry) => ({ ...entry, started: ran.has(entry.resourceId) }));
  if (job.signal.aborted) return undoAll(new GantryError('cancelled', 'Cancelled by the operator'), 'cancelled', undone);
  if (stopAll && firstError) return undoAll(firstError, 'failed', undone);
  if (!firstError) return { status: 'completed', completed };
  const error: GantryError = firstError;
  const ofDoomed = started.filter(({ seq }) => doomed.has(resourceOf.get(seq) ?? ''));
  // A dependant may have finished before what it depends on failed in a later step: it is undone too.
  const stillCompleted = completed.filter((id) => !doomed.has(id));
  const undoFailures = await compensate(migrationId, withRecords(ofDoomed), context, journal, (title, undoStatus) => job.step(title, undoStatus), options.undoRetry);
  if (stillCompleted.length === 0) return { status: 'failed', completed: [], undone, error, compensated: undoFailures.length === 0, undoFailures };
  return { status: 'partial', completed: stillCompleted, undone, error, undoFailures };
}
