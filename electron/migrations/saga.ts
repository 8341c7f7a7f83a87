import { GantryError } from '@shared/ipc/result';
import type { JobContext } from '../jobs/registry';
import type { StepPause } from './fault-pause';
import { parseObject, type MigrationJournal, type StepRow } from './journal';

/** What a step's undo gets: what the step meant to do and, if it finished, what it did. */
export interface StepRecord {
  intent: Record<string, unknown>;
  result: Record<string, unknown> | null;
}

/**
 * One named step of a migration. `run` may only rely on its context; `undo` must work from the
 * journal record alone (the engine may have restarted since), must tolerate a step that only
 * half ran, and must be safe to repeat.
 */
export interface SagaStep<C> {
  id: string;
  title: string;
  /** The step kind, for messages and the fault matrix. */
  kind?: string;
  /** Written to the journal before `run` touches anything (e.g. names it will create). */
  intent?: Record<string, unknown>;
  run(context: C, job: StepJob): Promise<Record<string, unknown> | void>;
  undo?(context: C, record: StepRecord): Promise<void>;
  /** After the whole run completed (e.g. remove a container kept aside for undo). */
  finalize?(context: C, log: (level: 'info' | 'warn', message: string) => void): Promise<void>;
}

/** What a running step may report through. */
export type StepJob = Pick<JobContext, 'signal' | 'log' | 'progress' | 'throwIfCancelled'> & {
  /** Journals what the step has done so far, so an undo after a crash mid-step knows it. */
  checkpoint(partial: Record<string, unknown>): void;
};

/** How a saga ended. */
export type SagaOutcome =
  | { status: 'completed' }
  | { status: 'failed' | 'cancelled'; error: GantryError; compensated: boolean; undoFailures: string[] };

/**
 * Runs steps in order, journaling each before and after. On failure or cancellation (checked at
 * every step boundary) it undoes every step that ran or started, newest first.
 */
export async function runSaga<C>(options: {
  migrationId: string;
  steps: SagaStep<C>[];
  context: C;
  journal: MigrationJournal;
  job: JobContext;
  undoRetry?: UndoRetry;
  /** Test-only pause points (see fault-pause.ts). */
  pause?: StepPause;
}): Promise<SagaOutcome> {
  const { migrationId, steps, context, journal, job } = options;
  const started: { seq: number; step: SagaStep<C> }[] = [];
  try {
    for (const [seq, step] of steps.entries()) {
      job.throwIfCancelled();
      journal.beginStep(migrationId, seq, step.id, step.title, step.intent ?? {});
      started.push({ seq, step });
      job.step(step.title, 'running');
      journal.log(migrationId, 'info', `▶ ${step.title}`);
      await options.pause?.(step, 'before', (message) => journal.log(migrationId, 'info', message));
      const stepJob: StepJob = {
        signal: job.signal,
        progress: (percent, message) => job.progress(((seq + percent / 100) / steps.length) * 100, message),
        log: (level, message) => {
          journal.log(migrationId, level, message);
          job.log(level, message);
        },
        throwIfCancelled: job.throwIfCancelled,
        checkpoint: (partial) => journal.checkpointStep(migrationId, seq, partial),
      };
      const result = (await step.run(context, stepJob)) ?? {};
      await options.pause?.(step, 'after', (message) => journal.log(migrationId, 'info', message));
      journal.finishStep(migrationId, seq, 'done', { result });
      job.step(step.title, 'done');
      job.progress(((seq + 1) / steps.length) * 100, step.title);
    }
    return { status: 'completed' };
  } catch (thrown) {
    const cancelled = job.signal.aborted;
    const error = asGantryError(thrown, cancelled);
    const last = started.at(-1);
    if (last) {
      journal.finishStep(migrationId, last.seq, 'failed', { error: error.message });
      job.step(last.step.title, 'failed');
    }
    journal.log(migrationId, 'error', cancelled ? `Cancelled: ${error.message}` : `Failed: ${error.message}`);
    const undoFailures = await compensate(
      migrationId,
      started.map(({ seq, step }) => ({ seq, step, record: recordOf(journal.steps(migrationId).find((row) => row.seq === seq)) })),
      context,
      journal,
      (title, status) => job.step(title, status),
      options.undoRetry,
    );
    return { status: cancelled ? 'cancelled' : 'failed', error, compensated: undoFailures.length === 0, undoFailures };
  }
}

/** How hard an undo is retried: a server that just dropped (dockerd restarting, sshd back) often returns within seconds. */
export interface UndoRetry {
  attempts: number;
  delayMs: number;
}

const defaultUndoRetry: UndoRetry = { attempts: 6, delayMs: 5000 };

/**
 * Undoes journaled steps newest first, retrying each undo while its server recovers. Used after a failure and, after a crash, for an
 * interrupted migration whose steps are rebuilt from the journal. Returns the titles of steps
 * whose undo failed (they need the operator).
 */
export async function compensate<C>(
  migrationId: string,
  ran: { seq: number; step: SagaStep<C>; record: StepRecord }[],
  context: C,
  journal: MigrationJournal,
  report: (title: string, status: 'undone' | 'failed') => void = () => {},
  retry: UndoRetry = defaultUndoRetry,
): Promise<string[]> {
  const failures: string[] = [];
  for (const { seq, step, record } of [...ran].reverse()) {
    const undo = step.undo;
    if (!undo) continue;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await undo(context, record);
          break;
        } catch (error) {
          if (attempt >= retry.attempts) throw error;
          journal.log(migrationId, 'warn', `Undo of "${step.title}" failed (${(error as Error).message}); trying again in ${Math.round(retry.delayMs / 1000)} s.`);
          await new Promise((resolve) => setTimeout(resolve, retry.delayMs));
        }
      }
      journal.finishStep(migrationId, seq, 'undone');
      journal.log(migrationId, 'info', `↶ Undone: ${step.title}`);
      report(step.title, 'undone');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      journal.finishStep(migrationId, seq, 'undo_failed', { error: message });
      journal.log(migrationId, 'error', `Could not undo "${step.title}": ${message}`);
      report(step.title, 'failed');
      failures.push(step.title);
    }
  }
  return failures;
}

/** Reads what a journaled step meant to do and what it did. */
export function recordOf(row: StepRow | undefined): StepRecord {
  return {
    intent: row ? parseObject(row.intentJson) : {},
    result: row?.resultJson ? parseObject(row.resultJson) : null,
  };
}

/** A thrown value as a GantryError (a cancellation when the job was cancelled). */
export function asGantryError(thrown: unknown, cancelled: boolean): GantryError {
  if (thrown instanceof GantryError) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new GantryError(cancelled ? 'cancelled' : 'step_failed', message);
}
