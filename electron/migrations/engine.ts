/**
 * The migration engine: plans (dry runs), runs plans as journaled sagas under the target's lock,
 * cancels, and recovers migrations a dead engine left half-done. Everything acts on the servers
 * over SSH; the source environment is only ever read.
 */
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { GantryError } from '@shared/ipc/result';
import { maskPlan, planMigration, type MigrationPlan, type PlannedResource } from '@shared/migration/plan';
import { clearValueOf, describeField, type RevealRequest } from '@shared/migration/reveal';
import type { MigrationStatus } from '@shared/migration/status';
import { gantryLabels, type ResourceSpec } from '@shared/spec/resource-spec';
import type { EventHub } from '../app/events';
import type { Logger } from '../app/logger';
import type { InventoryArea } from '../inventory/handlers';
import type { InstanceRow } from '../inventory/inventory-store';
import { abortableDelay, type JobRegistry } from '../jobs/registry';
import type { GantryDatabase } from '../store/open-database';
import { gatherPlanInput, TARGET_LOCK_KEY } from './gather';
import { MigrationJournal } from './journal';
import { MigrationRecords } from './records';
import { shellQuote, type RemoteHost } from './remote-host';
import { compensate, recordOf, runSaga, type SagaStep } from './saga';
import { keptName, sagaStepFor, type ExecutionContext } from './step-runners';
import { acquireTargetLock } from './target-lock';
import { MigrationViews } from './views';

/** How long a plan shown to the operator may be started. */
const PLAN_TTL_MS = 15 * 60 * 1000;
/** How long a pending migration waits for another migration on its server before giving up. */
const LOCK_WAIT_MS = 30 * 60 * 1000;
/** How often a pending migration asks for the server's lock again. */
const LOCK_RETRY_MS = 2000;

/** What the engine is built from. */
export interface MigrationEngineDeps {
  db: GantryDatabase;
  jobs: JobRegistry;
  events: EventHub;
  logger: Logger;
  inventory: InventoryArea;
  hosts: (serverId: string) => RemoteHost;
  /** Identifies this engine process in the journal (a restart gets a new one). */
  engineInstance?: string;
}

interface CachedPlan {
  plan: MigrationPlan;
  /** Each resource's source spec hash when planned: the promotion baseline that tells "behind". */
  sourceHashes: Record<string, string>;
  /** Each resource's diff baseline in clear (the target's spec on a promote, the source's on a clone), for `reveal`. */
  baselines: Record<string, ResourceSpec>;
  projectId: string;
  sourceServerId: string;
  targetServerId: string;
  expiresAt: number;
}

/** Options of one run. */
export interface RunOptions {
  waitForReady: boolean;
  healthTimeoutSec: number;
  /** GET this path on a resource's published port when it has no Docker health check. */
  httpCheckPath?: string | null;
}

/** The migration engine of one Gantry process. */
export class MigrationEngine {
  readonly journal: MigrationJournal;
  readonly views: MigrationViews;
  private readonly records: MigrationRecords;
  private readonly plans = new Map<string, CachedPlan>();
  private readonly engineInstance: string;
  /** This engine process's id in the journal. */
  get instanceId(): string {
    return this.engineInstance;
  }
  private readonly operator = { operator: safeUser(), machine: hostname() };

  constructor(private readonly deps: MigrationEngineDeps) {
    this.journal = new MigrationJournal(deps.db);
    this.records = new MigrationRecords(deps.db, deps.inventory.store, deps.inventory.sealer);
    this.views = new MigrationViews(deps.db, this.journal, deps.inventory.store);
    this.engineInstance = deps.engineInstance ?? randomUUID();
  }

  /** The dry run: gathers live facts and plans. Touches nothing on any server. */
  async plan(request: Parameters<typeof gatherPlanInput>[1], signal: AbortSignal = new AbortController().signal): Promise<{ planId: string; expiresAt: number; plan: MigrationPlan }> {
    const gathered = await gatherPlanInput({ inventory: this.deps.inventory.store, hosts: this.deps.hosts, sealer: this.deps.inventory.sealer }, request, signal);
    const plan = planMigration(gathered.input);
    const sourceHashes = Object.fromEntries(
      (gathered.input.sourceResources ?? []).map((resource) => [resource.resourceId, this.deps.inventory.sealer().seal(resource.spec).hash]),
    );
    const baselines = Object.fromEntries(
      plan.resources.flatMap((resource) => {
        const side = resource.mode === 'promote' ? gathered.input.targetResources : gathered.input.sourceResources;
        const baseline = side?.find((entry) => entry.resourceId === resource.resourceId)?.spec;
        return baseline ? [[resource.resourceId, baseline]] : [];
      }),
    );
    const planId = randomUUID();
    const expiresAt = Date.now() + PLAN_TTL_MS;
    for (const [id, cached] of this.plans) if (cached.expiresAt < Date.now()) this.plans.delete(id);
    this.plans.set(planId, { plan, sourceHashes, baselines, projectId: request.projectId, sourceServerId: gathered.source.serverId, targetServerId: gathered.target.serverId, expiresAt });
    return { planId, expiresAt, plan: maskPlan(plan) };
  }

  /**
   * One value of a plan in clear, for the operator who asked to see it: from the desired spec
   * ('after') or the diff's baseline ('before'). Logged without the value.
   */
  reveal({ planId, resourceId, side, field }: RevealRequest): { value: string } {
    const cached = this.plans.get(planId);
    if (!cached || cached.expiresAt < Date.now()) throw new GantryError('plan_expired', 'This plan is no longer available (plans are kept 15 minutes, and a started plan is gone). Run the dry run again to see its values.');
    const resource = cached.plan.resources.find((entry) => entry.resourceId === resourceId);
    if (!resource) throw new GantryError('not_found', `The plan has no resource ${resourceId}.`);
    const spec = side === 'after' ? resource.desiredSpec : cached.baselines[resourceId];
    const value = spec ? clearValueOf(spec, field) : null;
    if (value === null) throw new GantryError('not_found', `${resource.name} has no ${describeField(field)} ${side === 'after' ? 'after the migration' : 'before it'}.`);
    this.deps.logger.info('secret revealed to the operator', { planId, resource: resource.name, side, field: describeField(field) });
    return { value };
  }

  /** Starts a planned migration; returns at once. The plan runs exactly as it was shown. */
  start(planId: string, options: RunOptions): { migrationId: string; jobId: string } {
    const cached = this.plans.get(planId);
    if (!cached || cached.expiresAt < Date.now()) throw new GantryError('plan_expired', 'This plan is no longer available (plans are kept 15 minutes). Run the dry run again.');
    if (cached.plan.blocking) {
      const reasons = cached.plan.prechecks.filter((check) => check.severity === 'blocking').map((check) => check.message);
      throw new GantryError('blocked', `The pre-checks block this migration: ${reasons.join(' ')}`);
    }
    this.plans.delete(planId);
    const { plan } = cached;
    const migrationId = randomUUID();
    this.journal.create({
      id: migrationId,
      kind: 'migrate',
      projectId: cached.projectId,
      sourceEnvironmentId: plan.source.id,
      targetEnvironmentId: plan.target.id,
      // Pending until it holds the target server's lock; then running.
      status: 'pending',
      planJson: JSON.stringify({ ...maskPlan(plan), sourceServerId: cached.sourceServerId, sourceHashes: cached.sourceHashes }),
      optionsJson: JSON.stringify(options),
      rollbackOf: null,
      jobId: null,
      engineInstance: this.engineInstance,
    });
    const title = `${plan.resources.map((resource) => resource.name).join(', ')}: ${plan.source.name} → ${plan.target.name}`;
    const jobId = this.deps.jobs.start('migration', title, (job) =>
      this.execute({
        migrationId,
        projectId: cached.projectId,
        targetEnvironment: plan.target,
        source: this.deps.hosts(cached.sourceServerId),
        target: this.deps.hosts(cached.targetServerId),
        targetServerId: cached.targetServerId,
        resources: plan.resources,
        steps: plan.steps.map(sagaStepFor),
        options,
        job,
        event: 'migrated',
        promotedFrom: cached.sourceHashes,
      }),
    );
    this.journal.setJob(migrationId, jobId);
    this.changed(migrationId);
    return { migrationId, jobId };
  }

  /** Runs steps under the target lock and settles the migration's status. */
  async execute(run: {
    migrationId: string;
    projectId: string;
    targetEnvironment: { id: string; name: string };
    source: RemoteHost;
    target: RemoteHost;
    targetServerId: string;
    resources: PlannedResource[];
    steps: SagaStep<ExecutionContext>[];
    options: RunOptions;
    job: Parameters<Parameters<JobRegistry['start']>[2]>[0];
    event: 'migrated' | 'rolled_back';
    /** The promotion baseline to record per resource (null: none). */
    promotedFrom: Record<string, string | null>;
    afterSuccess?: () => void;
  }): Promise<{ status: MigrationStatus }> {
    const { migrationId, job } = run;
    const log = (level: 'info' | 'warn' | 'error', message: string) => {
      this.journal.log(migrationId, level, message);
      job.log(level, message);
    };
    // Pending: waits its turn while another migration (from any Gantry) holds the server.
    let lock;
    const giveUpAt = Date.now() + LOCK_WAIT_MS;
    let waitingFor = '';
    for (;;) {
      try {
        lock = await acquireTargetLock(run.target, {
          lockKey: TARGET_LOCK_KEY,
          holder: { migrationId, target: run.targetEnvironment.name, ...this.operator, since: new Date().toISOString() },
          signal: job.signal,
        });
        break;
      } catch (error) {
        const busy = error instanceof GantryError && error.code === 'target_locked';
        if (busy && !job.signal.aborted && Date.now() < giveUpAt) {
          // Told once per holder: a queue behind several migrations names each in turn.
          const holder = (error as Error).message.replace(/ Wait for it to finish.*$/, '');
          if (holder !== waitingFor) log('info', `Waiting its turn: ${holder}`);
          waitingFor = holder;
          job.progress(0, `Waiting for another migration on ${run.target.label} to finish`);
          await abortableDelay(LOCK_RETRY_MS, job.signal).catch(() => undefined);
          continue;
        }
        const cancelled = job.signal.aborted;
        const message = cancelled
          ? 'Cancelled before it started: nothing on the target was changed.'
          : busy
            ? `${(error as Error).message} Gave up after waiting ${Math.round(LOCK_WAIT_MS / 60_000)} minutes.`
            : error instanceof Error
              ? error.message
              : String(error);
        this.settle(migrationId, cancelled ? 'cancelled' : 'failed', message, cancelled ? 'cancelled' : error instanceof GantryError ? error.code : 'lock_failed');
        throw error;
      }
    }
    this.journal.setStatus(migrationId, 'running');
    this.changed(migrationId);
    log('info', `Holding the migration lock of ${run.target.label} (for ${run.targetEnvironment.name})`);
    const context = this.contextFor(run);
    try {
      const outcome = await runSaga({ migrationId, steps: run.steps, context, journal: this.journal, job });
      if (outcome.status !== 'completed') {
        const undone = outcome.compensated
          ? `Everything it did on ${run.target.label} was undone.`
          : `These steps could not be undone and need your attention: ${outcome.undoFailures.join('; ')}.`;
        this.settle(migrationId, outcome.status, `${sentence(outcome.error.message)} ${undone}`, outcome.error.code);
        throw outcome.error;
      }
      await this.removeKeptContainers(run.target, run.resources, migrationId, log);
      run.afterSuccess?.();
      const status: MigrationStatus = context.warnings.length > 0 ? 'completed_with_warning' : 'completed';
      this.settle(migrationId, status, context.warnings.length > 0 ? `Completed, but: ${context.warnings.join('; ')}` : 'Completed.', null);
      return { status };
    } finally {
      await lock.release();
    }
  }

  /** Cancels a migration: a pending one at once, a running one at the next step boundary (undoing what it did). */
  cancel(migrationId: string): void {
    const row = this.journal.get(migrationId);
    if (!row) throw new GantryError('not_found', `There is no migration ${migrationId}.`);
    if ((row.status !== 'running' && row.status !== 'pending') || !row.jobId) {
      throw new GantryError('not_cancellable', `Migration ${migrationId.slice(0, 8)} is ${row.status}; only a pending or running migration can be cancelled.`);
    }
    if (row.engineInstance !== this.engineInstance) throw new GantryError('not_cancellable', 'This migration is run by another Gantry process; cancel it there.');
    this.deps.jobs.cancel(row.jobId, 'Cancelled by the operator');
  }

  /**
   * Finds migrations a previous engine process left running (it crashed or was killed) and undoes
   * their journaled steps on the target, newest first. Each ends `interrupted` with an explanation.
   */
  async recoverInterrupted(): Promise<string[]> {
    const recovered: string[] = [];
    for (const row of this.journal.interrupted(this.engineInstance)) {
      const plan = JSON.parse(row.planJson) as MigrationPlan;
      const target = this.deps.hosts(plan.server.id);
      const byId = new Map(plan.steps.map((step) => [step.id, sagaStepFor(step)]));
      const context = this.contextFor({
        migrationId: row.id,
        projectId: row.projectId ?? '',
        targetEnvironment: plan.target,
        source: target,
        target,
        targetServerId: plan.server.id,
        resources: plan.resources,
        options: { waitForReady: false, healthTimeoutSec: 5 },
        promotedFrom: {},
      });
      const ran = this.journal
        .steps(row.id)
        .filter((step) => step.status === 'running' || step.status === 'done')
        .flatMap((step) => {
          const saga = byId.get(step.stepId);
          return saga ? [{ seq: step.seq, step: saga, record: recordOf(step) }] : [];
        });
      // Undo under the server's migration lock, like any migration: nobody else changes it meanwhile.
      let lock: Awaited<ReturnType<typeof acquireTargetLock>>;
      try {
        lock = await acquireTargetLock(target, { lockKey: TARGET_LOCK_KEY, holder: { migrationId: row.id, target: plan.target.name, ...this.operator, since: new Date().toISOString() } });
      } catch (error) {
        this.journal.log(row.id, 'warn', `The engine that ran this migration stopped mid-way; undoing it waits for ${target.label}: ${(error as Error).message} Gantry tries again at its next start.`);
        continue;
      }
      this.journal.log(row.id, 'warn', `The engine that ran this migration stopped mid-way. Undoing its ${ran.length} journaled step(s) on ${target.label}.`);
      let failures: string[];
      try {
        failures = await compensate(row.id, ran, context, this.journal);
      } catch (error) {
        failures = [(error as Error).message];
      } finally {
        await lock.release();
      }
      const message =
        failures.length === 0
          ? `Interrupted: the engine stopped mid-way; on restart Gantry undid the ${ran.length} step(s) it had journaled, so ${plan.target.name} is as it was before.`
          : `Interrupted: the engine stopped mid-way and these steps could not be undone automatically: ${failures.join('; ')}. Check ${target.label}.`;
      this.settle(row.id, 'interrupted', message, failures.length === 0 ? 'interrupted' : 'interrupted_needs_attention');
      recovered.push(row.id);
    }
    return recovered;
  }

  /** The execution context the step runners share. */
  contextFor(run: {
    migrationId: string;
    projectId: string;
    targetEnvironment: { id: string; name: string };
    source: RemoteHost;
    target: RemoteHost;
    targetServerId: string;
    resources: PlannedResource[];
    options: RunOptions;
    event?: 'migrated' | 'rolled_back';
    promotedFrom: Record<string, string | null>;
  }): ExecutionContext {
    const resources = new Map(run.resources.map((resource) => [resource.resourceId, resource]));
    return {
      migrationId: run.migrationId,
      source: run.source,
      target: run.target,
      resources,
      labelsFor: (resource) => ({
        [gantryLabels.resource]: resource.resourceId,
        [gantryLabels.environment]: run.targetEnvironment.name,
        [gantryLabels.project]: run.projectId,
        [gantryLabels.configHash]: this.deps.inventory.sealer().seal(resource.desiredSpec).hash,
      }),
      waitForReady: run.options.waitForReady,
      healthTimeoutMs: run.options.healthTimeoutSec * 1000,
      httpCheckPath: run.options.httpCheckPath ?? null,
      warnings: [],
      local: {
        recordResource: (resourceId, containerName) =>
          this.records.record({
            host: run.target,
            resourceId,
            environmentId: run.targetEnvironment.id,
            serverId: run.targetServerId,
            containerName,
            event: run.event ?? 'migrated',
            promotedFromHash: run.promotedFrom[resourceId] ?? null,
          }),
        undoRecordResource: async (resourceId, result) => this.records.undo(resourceId, run.targetEnvironment.id, result),
      },
    };
  }

  private async removeKeptContainers(target: RemoteHost, resources: PlannedResource[], migrationId: string, log: (level: 'info' | 'warn', message: string) => void): Promise<void> {
    for (const resource of resources) {
      if (resource.mode !== 'promote') continue;
      const kept = keptName(resource.target.containerName, migrationId);
      const removed = await target.exec(`docker rm -f ${shellQuote(kept)}`, {});
      if (removed.code === 0) log('info', `Removed the previous ${resource.target.containerName} (its snapshot stays on ${target.label} for rollback)`);
      else log('warn', `The previous ${resource.target.containerName} was kept as ${kept} on ${target.label}: removing it failed (${removed.stderr.trim()}). Remove it by hand once you are happy with the new one.`);
    }
  }

  /** Drops an instance record (a rollback retired its container); returns it for undo. */
  forgetInstance(resourceId: string, environmentId: string): InstanceRow | null {
    const previous = this.records.current(resourceId, environmentId);
    this.records.forget(resourceId, environmentId);
    return previous;
  }

  /** Puts back an instance record `forgetInstance` dropped. */
  restoreInstance(previous: unknown): void {
    if (previous && typeof previous === 'object') this.records.undo((previous as InstanceRow).resourceId, (previous as InstanceRow).environmentId, { previous: previous as InstanceRow, historyId: null });
  }

  /** Sets a migration's final status and tells the UI. */
  settle(migrationId: string, status: MigrationStatus, message: string, errorCode: string | null): void {
    this.journal.setStatus(migrationId, status, { message, errorCode });
    this.journal.log(migrationId, status.startsWith('completed') ? 'info' : 'error', message);
    this.deps.logger.info(`Migration ${migrationId} ${status}`, { message });
    this.changed(migrationId);
  }

  /** Emits `migrations:changed` for one migration. */
  changed(migrationId: string): void {
    const summary = this.views.summary(migrationId);
    if (summary) this.deps.events.emit('migrations:changed', { migration: summary });
  }
}

/** Ends a message with a full stop unless it already ends a sentence. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
