/**
 * The one run path every kind of run takes (migrate, rollback, restore, and what comes next):
 * journal the run with its steps → job → wait for the target's lock → saga of registered steps →
 * finalize → settle, with events and notifications on every status change. Recovery reads the
 * same journal with the same schemas (`recovery.ts`).
 */
import { randomUUID } from 'node:crypto';
import { GantryError } from '@shared/ipc/result';
import type { MigrationPlan, PlannedResource } from '@shared/migration/plan';
import type { MigrationStep } from '@shared/migration/steps';
import type { MigrationStatus } from '@shared/migration/status';
import { gantryLabels } from '@shared/spec/resource-spec';
import type { EventHub } from '../app/events';
import type { Logger } from '../app/logger';
import type { SpecSealer } from '../inventory/spec-hash';
import type { JobContext, JobRegistry } from '../jobs/registry';
import type { RemoteHost } from '../servers/remote-host';
import type { SecretStore } from '../keychain/secret-store';
import type { MigrationJournal, MigrationRow } from './journal';
import type { StepPause } from './fault-pause';
import { waitForTargetLock, type Operator } from './lock-wait';
import type { TargetLock } from './target-lock';
import type { MigrationRecords } from './records';
import { DEFAULT_BATCH_CONCURRENCY, runStepsOf } from './batch-run';
import type { RunOptions } from './run-options';
import { sagaStepFor } from './steps/registry';
import type { ExecutionContext } from './steps/step-context';
import type { StoredRun } from './stored-run';
import { pruneSnapshots } from './snapshot-retention';
import { pruneBackupsAfterRun } from '../databases/backup-manifest';
import type { MigrationViews } from './views';

/** What the run path is built from. */
export interface RunPathDeps {
  journal: MigrationJournal;
  views: MigrationViews;
  records: MigrationRecords;
  jobs: JobRegistry;
  events: EventHub;
  logger: Logger;
  hosts: (serverId: string) => RemoteHost;
  sealer: () => SpecSealer;
  engineInstance: string;
  operator: Operator;
  /** Test-only pause points for the fault matrix (undefined in real runs). */
  pause?: StepPause;
  /** The approval check of protected runs (electron/approvals); without it no run is gated. */
  approvalGate?: RunApprovalGate;
  /** The OS keychain, for steps that keep a secret across a crash (a rotation's passwords). */
  secrets?: SecretStore;
  /** The settings' bound on a batch's resources running at once on one server. */
  batchConcurrency?: () => number;
}

/** An approved request a run starts from: which one, and the digest of the plan it runs. */
export interface ApprovalTicket {
  serverId: string;
  requestId: string;
  planDigest: string;
}

/** The approval check of protected runs, made under the target's lock before any step (see electron/approvals). */
export interface RunApprovalGate {
  /** The digest of a run as it will start: what an approval covers. */
  digestOf(run: { plan: PlannedRunPlan; steps: MigrationStep[]; facts: { specHashes: { resourceId: string; liveSpecHash: string }[] }; sourceHashes: Record<string, string>; options: RunOptions }): string;
  /**
   * Passes an unprotected run; refuses a protected migration without a valid, unused approval for
   * exactly this plan (and uses it); decides a protected maintenance run (`kind` other than
   * migrate: rollback, restore, …) by the policy. Returns lines for the run's log.
   */
  check(run: { serverId: string; host: RemoteHost; target: { name: string; production: boolean }; migrationId: string; ticket: ApprovalTicket | null; signal?: AbortSignal; kind?: string; steps?: readonly MigrationStep[]; title?: string }): Promise<string[]>;
}

/** The parts of a plan a digest covers. */
type PlannedRunPlan = Pick<MigrationPlan, 'source' | 'target' | 'server' | 'direction' | 'resources'>;

/** One run to journal and start. */
export interface LaunchRequest {
  run: StoredRun;
  options: RunOptions;
  projectId: string | null;
  sourceEnvironmentId: string | null;
  targetEnvironmentId: string;
  /** For a rollback: the migration it reverts (it becomes `rolled_back` when this completes). */
  rollbackOf: string | null;
  /** The plan's resources with desired specs in clear (memory only); a journaled run's masked ones otherwise. */
  resources: PlannedResource[];
  title: string;
  firstLog?: string;
  /** For a protected target: the approved request it runs (checked under the lock). */
  approval?: ApprovalTicket | null;
}

/** The migration lifecycle shared by every kind of run. */
export class RunPath {
  constructor(private readonly deps: RunPathDeps) {}

  /**
   * Journals the run (pending until it holds the target's lock) and starts it; returns at once.
   * `stepsInClear` are the journaled steps before masking, when a step must run with a secret.
   */
  launch(request: LaunchRequest, stepsInClear: MigrationStep[] = request.run.steps): { migrationId: string; jobId: string } {
    const migrationId = randomUUID();
    this.deps.journal.create({
      id: migrationId,
      kind: request.run.kind === 'migrate' ? 'migrate' : 'rollback',
      projectId: request.projectId,
      sourceEnvironmentId: request.sourceEnvironmentId,
      targetEnvironmentId: request.targetEnvironmentId,
      status: 'pending',
      planJson: JSON.stringify(request.run),
      optionsJson: JSON.stringify(request.options),
      rollbackOf: request.rollbackOf,
      jobId: null,
      engineInstance: this.deps.engineInstance,
    });
    if (request.firstLog) this.deps.journal.log(migrationId, 'info', request.firstLog);
    const jobId = this.deps.jobs.start(request.run.kind === 'migrate' ? 'migration' : 'rollback', request.title, (job) => this.execute(migrationId, { ...request.run, steps: stepsInClear }, request.options, request.resources, job, request.approval ?? null));
    this.deps.journal.setJob(migrationId, jobId);
    this.changed(migrationId);
    return { migrationId, jobId };
  }

  /** Waits for the target's lock, runs the saga and settles the run's status. */
  async execute(migrationId: string, run: StoredRun, options: RunOptions, resources: PlannedResource[], job: JobContext, approval: ApprovalTicket | null = null): Promise<{ status: MigrationStatus }> {
    const row = this.deps.journal.get(migrationId);
    if (!row) throw new GantryError('not_found', `There is no migration ${migrationId}.`);
    const target = this.deps.hosts(run.plan.server.id);
    const log = (level: 'info' | 'warn' | 'error', message: string) => {
      this.deps.journal.log(migrationId, level, message);
      job.log(level, message);
    };
    let lock;
    try {
      lock = await waitForTargetLock(target, { migrationId, targetName: run.plan.target.name, operator: this.deps.operator, job, log });
    } catch (error) {
      const cancelled = job.signal.aborted;
      const message = cancelled ? 'Cancelled before it started: nothing on the target was changed.' : error instanceof Error ? error.message : String(error);
      this.settle(migrationId, cancelled ? 'cancelled' : 'failed', message, cancelled ? 'cancelled' : error instanceof GantryError ? error.code : 'lock_failed');
      throw error;
    }
    // Every kind of run into a protected environment passes the gate: migrations need an approval, maintenance runs the policy's say.
    if (this.deps.approvalGate) await this.passApprovalGate(migrationId, run, approval, target, job, lock, log);
    this.deps.journal.setStatus(migrationId, 'running');
    this.changed(migrationId);
    log('info', `Holding the migration lock of ${target.label} (for ${run.plan.target.name})`);
    try {
      return await this.runSteps(row, run, options, resources, job);
    } finally {
      await lock.release();
    }
  }

  /** The approval check under the lock, before any step: a refusal fails the run with nothing changed. */
  private async passApprovalGate(migrationId: string, run: StoredRun, approval: ApprovalTicket | null, target: RemoteHost, job: JobContext, lock: TargetLock, log: (level: 'info', message: string) => void): Promise<void> {
    try {
      const lines = await this.deps.approvalGate!.check({ serverId: run.plan.server.id, host: target, target: run.plan.target, migrationId, ticket: approval, signal: job.signal, kind: run.kind, steps: run.steps });
      for (const line of lines) log('info', line);
    } catch (error) {
      await lock.release();
      this.settle(migrationId, 'failed', `${sentence(error instanceof Error ? error.message : String(error))} Nothing on the target was changed.`, error instanceof GantryError ? error.code : 'approval_refused');
      throw error;
    }
  }

  /** Runs a journaled run's steps as a saga (the caller holds the lock) and settles it. */
  async runSteps(
    row: MigrationRow,
    run: StoredRun,
    options: RunOptions,
    resources: PlannedResource[],
    job: JobContext,
    /** Checks the target before the run is called completed; its note becomes the message (recovery uses it). */
    verify?: () => Promise<{ note: string; ok: boolean }>,
  ): Promise<{ status: MigrationStatus }> {
    const context = this.contextFor(row, run, options, resources);
    const steps = run.steps.map(sagaStepFor);
    // Two or more resources run as a batch (branches in parallel); anything else one step after the other.
    const outcome = await runStepsOf({ migrationId: row.id, run, steps, context, journal: this.deps.journal, job, runOptions: options, defaultConcurrency: this.deps.batchConcurrency?.() ?? DEFAULT_BATCH_CONCURRENCY, ...(this.deps.pause ? { pause: this.deps.pause } : {}) });
    if (outcome.status !== 'completed') {
      const undone = outcome.compensated
        ? `Everything it did on ${context.target.label} was undone.`
        : `These steps could not be undone and need your attention: ${outcome.undoFailures.join('; ')}.`;
      this.settle(row.id, outcome.status, `${sentence(outcome.error.message)} ${undone}`, outcome.error.code);
      throw outcome.error;
    }
    const log = (level: 'info' | 'warn', message: string) => {
      this.deps.journal.log(row.id, level, message);
      job.log(level, message);
    };
    for (const [seq, step] of steps.entries()) if (outcome.finalize(seq)) await step.finalize?.(context, log).catch((error: Error) => log('warn', `${step.title}: ${error.message}`));
    const checked = verify ? await verify() : null;
    const warnings = [...(outcome.note ? [outcome.note] : []), ...(checked && !checked.ok ? [...context.warnings, checked.note] : context.warnings)];
    const status = this.complete(row, warnings, checked?.ok ? checked.note : null);
    await pruneSnapshots(context.target, this.deps.views.list({ limit: 1000 }), log);
    await pruneBackupsAfterRun(context.target, { id: row.id, steps: run.steps }, this.deps.views.list({ limit: 1000 }), log);
    return { status };
  }

  /** Settles a run whose steps all ran: completed (with its warnings), and the run it rolled back marked so. */
  complete(row: MigrationRow, warnings: readonly string[], note: string | null = null): MigrationStatus {
    const status: MigrationStatus = warnings.length > 0 ? 'completed_with_warning' : 'completed';
    this.settle(row.id, status, warnings.length > 0 ? `Completed, but: ${warnings.join('; ')}` : (note ?? 'Completed.'), null);
    if (row.rollbackOf) {
      this.deps.journal.setStatus(row.rollbackOf, 'rolled_back', { message: `Rolled back by ${row.id.slice(0, 8)}.` });
      this.changed(row.rollbackOf);
    }
    return status;
  }

  /** The context the step modules share for one run. */
  contextFor(row: MigrationRow, run: StoredRun, options: RunOptions, resources: PlannedResource[]): ExecutionContext {
    const target = this.deps.hosts(run.plan.server.id);
    const environment = { id: row.targetEnvironmentId, name: run.plan.target.name };
    return {
      migrationId: row.id,
      source: this.deps.hosts(run.sourceServerId),
      target,
      resources: new Map(resources.map((resource) => [resource.resourceId, resource])),
      labelsFor: (resource) => ({
        [gantryLabels.resource]: resource.resourceId,
        [gantryLabels.environment]: environment.name,
        [gantryLabels.project]: row.projectId ?? '',
        [gantryLabels.configHash]: this.deps.sealer().seal(resource.desiredSpec).hash,
      }),
      waitForReady: options.waitForReady,
      healthTimeoutMs: options.healthTimeoutSec * 1000,
      httpCheckPath: options.httpCheckPath ?? null,
      warnings: [],
      ...(this.deps.secrets ? { secrets: this.deps.secrets } : {}),
      local: {
        recordResource: (resourceId, containerName) =>
          this.deps.records.record({ host: target, resourceId, environmentId: environment.id, serverId: run.plan.server.id, containerName, event: run.event, promotedFromHash: run.promotedFrom[resourceId] ?? null }),
        currentRecord: (resourceId) => this.deps.records.current(resourceId, environment.id),
        undoRecordResource: (resourceId, result) => this.deps.records.undo(resourceId, environment.id, result),
        forgetInstance: (resourceId, environmentId) => {
          const previous = this.deps.records.current(resourceId, environmentId);
          this.deps.records.forget(resourceId, environmentId);
          return previous;
        },
        restoreInstance: (previous) => this.deps.records.undo(previous.resourceId, previous.environmentId, { previous, historyId: null }),
      },
    };
  }

  /** Sets a run's final status and tells the UI. */
  settle(migrationId: string, status: MigrationStatus, message: string, errorCode: string | null): void {
    this.deps.journal.setStatus(migrationId, status, { message, errorCode });
    this.deps.journal.log(migrationId, status.startsWith('completed') ? 'info' : 'error', message);
    this.deps.logger.info(`Migration ${migrationId} ${status}`, { message });
    this.changed(migrationId);
  }

  /** Emits `migrations:changed` for one run. */
  changed(migrationId: string): void {
    const summary = this.deps.views.summary(migrationId);
    if (summary) this.deps.events.emit('migrations:changed', { migration: summary });
  }
}

/** Ends a message with a full stop unless it already ends a sentence. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
