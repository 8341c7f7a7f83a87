/**
 * The step registry: every kind declared in `shared/migration/steps.ts` mapped to its module.
 * `satisfies` makes a kind without a module, a module under the wrong kind, or a module whose
 * params do not match its kind's schema a compile error. The saga knows no kind by name: it runs
 * what `sagaStepFor` builds from a journaled step.
 */
import { GantryError } from '@shared/ipc/result';
import type { MigrationStep, MigrationStepKind } from '@shared/migration/steps';
import type { SagaStep, StepRecord } from '../saga';
import { backupDatabaseStep } from './backup-database';
import { restoreDatabaseStep } from './restore-database';
import { setDatabasePasswordStep } from './set-database-password';
import { copyDataStep } from './copy-data';
import { createContainerStep } from './create-container';
import { checkCertificateStep } from './check-certificate';
import { createVolumesStep } from './create-volumes';
import { installSchedulesStep } from './install-schedules';
import { linkResourcesStep } from './link-resources';
import { recordResourceStep } from './record-resource';
import { removeSchedulesStep } from './remove-schedules';
import { replaceContainerStep } from './replace-container';
import { restoreContainerStep } from './restore-container';
import { retireContainerStep } from './retire-container';
import { routeDomainStep } from './route-domain';
import type { ExecutionContext } from './step-context';
import type { StepModule } from './step-module';
import { transferImageStep } from './transfer-image';
import { waitHealthyStep } from './wait-healthy';

/** Every step kind's module. */
export const stepRegistry = {
  'transfer-image': transferImageStep,
  'create-volumes': createVolumesStep,
  'create-container': createContainerStep,
  'replace-container': replaceContainerStep,
  'restore-container': restoreContainerStep,
  'retire-container': retireContainerStep,
  'wait-healthy': waitHealthyStep,
  'install-schedules': installSchedulesStep,
  'remove-schedules': removeSchedulesStep,
  'link-resources': linkResourcesStep,
  'record-resource': recordResourceStep,
  'route-domain': routeDomainStep,
  'check-certificate': checkCertificateStep,
  'backup-database': backupDatabaseStep,
  'restore-database': restoreDatabaseStep,
  'set-database-password': setDatabasePasswordStep,
  'copy-data': copyDataStep,
} satisfies { [K in MigrationStepKind]: StepModule<K, Record<string, unknown>> };

/** Every registered kind (the fault matrix iterates over it). */
export const registeredKinds = Object.keys(stepRegistry) as MigrationStepKind[];

// The registry's modules, seen through the one signature the saga needs (the lookup by a
// runtime kind cannot keep the pairing of a kind and its module's types).
type AnyStepModule = StepModule<MigrationStepKind, Record<string, unknown>> & {
  intent?(step: MigrationStep): Record<string, unknown>;
  run(step: MigrationStep, context: ExecutionContext, job: Parameters<StepModule<MigrationStepKind, Record<string, unknown>>['run']>[2]): Promise<Record<string, unknown>>;
  undo?(step: MigrationStep, context: ExecutionContext, done: Record<string, unknown> | null): Promise<void>;
  finalize?(step: MigrationStep, context: ExecutionContext, log: (level: 'info' | 'warn', message: string) => void): Promise<void>;
  mask?(params: MigrationStep['params']): MigrationStep['params'];
  verify?(step: MigrationStep, context: ExecutionContext, outcome: 'undone' | 'done'): Promise<string[]>;
};

function moduleOf(step: MigrationStep): AnyStepModule {
  return stepRegistry[step.kind] as unknown as AnyStepModule;
}

/** Reads what a journaled step did through its kind's result schema; an unreadable record is an error, never a guess. */
export function journaledResult(step: MigrationStep, record: StepRecord): Record<string, unknown> | null {
  if (record.result === null) return null;
  const parsed = moduleOf(step).result.safeParse(record.result);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  // A step that half ran journaled only its checkpoints: read those fields that are there.
  const partial = (moduleOf(step).result as unknown as { partial?: () => { safeParse(value: unknown): { success: boolean; data?: unknown } } }).partial?.().safeParse(record.result);
  if (partial?.success) return partial.data as Record<string, unknown>;
  throw new GantryError('journal_unreadable', `The journal record of "${step.title}" cannot be read (${parsed.error.issues.map((issue) => issue.path.join('.') || issue.message).join(', ')}); check the target by hand.`);
}

/** The saga step that runs one journaled step through its kind's module. */
export function sagaStepFor(step: MigrationStep): SagaStep<ExecutionContext> {
  const module = moduleOf(step);
  return {
    id: step.id,
    title: step.title,
    kind: step.kind,
    intent: module.intent?.(step) ?? {},
    run: (context, job) => module.run(step, context, job),
    ...(module.undo ? { undo: (context: ExecutionContext, record: StepRecord) => module.undo!(step, context, journaledResult(step, record)) } : {}),
    ...(module.finalize ? { finalize: (context: ExecutionContext, log: (level: 'info' | 'warn', message: string) => void) => module.finalize!(step, context, log) } : {}),
  };
}

/** What of a step's own traces contradicts the outcome a recovery claims (none for most kinds). */
export function verifyStep(step: MigrationStep, context: ExecutionContext, outcome: 'undone' | 'done'): Promise<string[]> {
  return moduleOf(step).verify?.(step, context, outcome) ?? Promise.resolve([]);
}

/** A step safe to show or store: its kind's module masks what its params carry. */
export function maskStep(step: MigrationStep): MigrationStep {
  const mask = moduleOf(step).mask;
  return mask ? ({ ...step, params: mask(step.params) } as MigrationStep) : step;
}

/** Steps safe to show or store. */
export function maskSteps(steps: readonly MigrationStep[]): MigrationStep[] {
  return steps.map(maskStep);
}
