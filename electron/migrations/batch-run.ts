/**
 * Which saga a run's steps go through: a migration of two or more resources with steps is a
 * batch (branches in parallel, see batch-saga.ts); everything else (one resource, a rollback, a
 * restore, a data copy) runs its steps one after the other as before.
 */
import { batchLayout, type BatchLayout } from '@shared/migration/batch-levels';
import { FACTORY_BATCH_CONCURRENCY } from '@shared/settings/settings-view';
import type { JobContext } from '../jobs/registry';
import { runBatchSaga, type UndoneResource } from './batch-saga';
import type { StepPause } from './fault-pause';
import type { MigrationJournal } from './journal';
import type { RunOptions } from './run-options';
import { runSaga, type SagaOutcome, type SagaStep } from './saga';
import type { StoredRun } from './stored-run';

/** Branches running at once on one server when neither the run nor the settings say otherwise. */
export const DEFAULT_BATCH_CONCURRENCY = FACTORY_BATCH_CONCURRENCY;

/** The batch layout of a run, or null when its steps run one after the other. */
export function batchLayoutFor(run: Pick<StoredRun, 'kind' | 'steps' | 'plan'>): BatchLayout | null {
  if (run.kind !== 'migrate') return null;
  const layout = batchLayout(run.steps, run.plan.resources);
  return layout.branches.length > 1 ? layout : null;
}

/** How a run's steps ended: as a saga's outcome, or completed with some resources undone. */
export type StepsOutcome = Exclude<SagaOutcome, { status: 'completed' }> | { status: 'completed'; note: string | null; finalize: (seq: number) => boolean };

/** Runs a run's steps as a batch or one after the other (see the module comment). */
export async function runStepsOf<C>(options: {
  migrationId: string;
  run: Pick<StoredRun, 'kind' | 'steps' | 'plan'>;
  steps: SagaStep<C>[];
  context: C;
  journal: MigrationJournal;
  job: JobContext;
  runOptions: RunOptions;
  /** The concurrency of the settings, when the run does not set its own. */
  defaultConcurrency: number;
  pause?: StepPause;
}): Promise<StepsOutcome> {
  const { migrationId, steps, context, journal, job } = options;
  const layout = batchLayoutFor(options.run);
  const pause = options.pause ? { pause: options.pause } : {};
  if (!layout) {
    const outcome = await runSaga({ migrationId, steps, context, journal, job, ...pause });
    return outcome.status === 'completed' ? { status: 'completed', note: null, finalize: () => true } : outcome;
  }
  const outcome = await runBatchSaga({
    migrationId,
    steps,
    layout,
    context,
    journal,
    job,
    concurrency: options.runOptions.batchConcurrency ?? options.defaultConcurrency,
    allOrNothing: options.runOptions.allOrNothing === true,
    exclusiveKey: (seq) => {
      const step = options.run.steps[seq];
      return step?.kind === 'transfer-image' ? `image ${step.params.imageId ?? step.params.imageRef}` : null;
    },
    ...pause,
  });
  if (outcome.status === 'completed') return { status: 'completed', note: null, finalize: () => true };
  if (outcome.status !== 'partial') return { status: outcome.status, error: outcome.error, compensated: outcome.compensated, undoFailures: outcome.undoFailures };
  const kept = new Set(outcome.completed);
  const resourceOf = new Map(layout.branches.flatMap((branch) => branch.seqs.map((seq) => [seq, branch.resourceId] as const)));
  return {
    status: 'completed',
    note: partialNote(layout, outcome.completed, outcome.undone, outcome.undoFailures),
    // Preflight steps and the completed resources' steps are finalized; an undone resource's were undone instead.
    finalize: (seq) => !resourceOf.has(seq) || kept.has(resourceOf.get(seq)!),
  };
}

/** What a partly completed batch says: which resources completed, which were undone, which never started, and why. */
export function partialNote(layout: BatchLayout, completed: readonly string[], undone: readonly UndoneResource[], undoFailures: readonly string[]): string {
  const nameOf = (id: string) => layout.branches.find((branch) => branch.resourceId === id)?.name ?? id;
  const listed = (entries: readonly UndoneResource[]) => entries.map((entry) => `${entry.name} (${entry.reason.replace(/[.\s]+$/, '')})`).join(', ');
  const parts = [`${completed.length} of ${layout.branches.length} resources completed (${completed.map(nameOf).join(', ')})`];
  const ran = undone.filter((entry) => entry.started);
  const stopped = undone.filter((entry) => !entry.started);
  if (ran.length > 0) parts.push(`undone: ${listed(ran)}`);
  if (stopped.length > 0) parts.push(`not started: ${listed(stopped)}`);
  if (undoFailures.length > 0) parts.push(`these steps could not be undone and need your attention: ${undoFailures.join('; ')}`);
  return parts.join('; ');
}
