/**
 * The shape of one step kind's module: everything about a kind in one place (its result schema,
 * run, undo, masking). The registry (`registry.ts`) maps every kind declared in
 * `shared/migration/steps.ts` to its module; a kind without one does not compile.
 */
import type { z } from 'zod';
import type { MigrationStepKind, StepOf } from '@shared/migration/steps';
import type { JobContext } from '../../jobs/registry';
import type { ExecutionContext } from './step-context';

/** What a running step may report through. */
export type StepJob<T> = Pick<JobContext, 'signal' | 'log' | 'progress' | 'throwIfCancelled'> & {
  /** Journals what the step has done so far, so an undo after a crash mid-step knows it. */
  checkpoint(partial: Partial<T>): void;
};

/**
 * One step kind. `run` gets the journaled step and the run's context; `undo` must work from the
 * journal alone (the engine may have restarted since: `done` is what was journaled, possibly only
 * the checkpoints of a step that half ran, or null), and must be safe to repeat. A run honours
 * cancellation through `job.signal` (every server call takes it) and reports through `job`.
 */
export interface StepModule<K extends MigrationStepKind, T extends Record<string, unknown>> {
  readonly kind: K;
  /** What the step journals as its result; fields a checkpoint writes are optional. */
  readonly result: z.ZodType<T>;
  /** Written to the journal before `run` touches anything (e.g. names it will create). */
  intent?(step: StepOf<K>): Record<string, unknown>;
  run(step: StepOf<K>, context: ExecutionContext, job: StepJob<T>): Promise<T>;
  undo?(step: StepOf<K>, context: ExecutionContext, done: Partial<T> | null): Promise<void>;
  /** After the whole run completed: let go of what undo needed (e.g. a container kept aside). Never fails the run. */
  finalize?(step: StepOf<K>, context: ExecutionContext, log: (level: 'info' | 'warn', message: string) => void): Promise<void>;
  /**
   * After a recovery: what of this step's own traces contradicts the outcome claimed ('undone':
   * as if it never ran; 'done': as it left things), in the operator's words. Containers, volumes
   * and networks are checked by the engine for every kind; this is for the rest (e.g. crontab lines).
   */
  verify?(step: StepOf<K>, context: ExecutionContext, outcome: 'undone' | 'done'): Promise<string[]>;
  /** The step's parameters safe to show or store (the default: they hold nothing secret). */
  mask?(params: StepOf<K>['params']): StepOf<K>['params'];
}

/** Declares a step module, inferring its result type from its schema. */
export function defineStep<K extends MigrationStepKind, T extends Record<string, unknown>>(module: StepModule<K, T>): StepModule<K, T> {
  return module;
}
