/**
 * The migration engine: plans (dry runs), starts runs of every kind on the one run path (a
 * journaled plan of registered steps under the target's lock), cancels, and recovers runs a dead
 * engine left half-done. Everything acts on the servers over SSH; the source environment is only
 * ever read.
 */
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { GantryError } from '@shared/ipc/result';
import { maskPlan, planMigration, type MigrationPlan } from '@shared/migration/plan';
import { copyDataEmitter, stepsFor } from '@shared/migration/plan-steps';
import type { CopyEstimate } from '@shared/migration/data-copy';
import type { RevealRequest } from '@shared/migration/reveal';
import { webhookReminderSummary, webhookReminders } from '@shared/migration/webhook-reminders';
import type { MigrationStep } from '@shared/migration/steps';
import { FACTORY_BATCH_CONCURRENCY } from '@shared/settings/settings-view';
import type { EventHub } from '../app/events';
import type { Logger } from '../app/logger';
import type { InventoryArea } from '../inventory/inventory-area';
import type { JobRegistry } from '../jobs/registry';
import type { RemoteHost } from '../servers/remote-host';
import type { SecretStore } from '../keychain/secret-store';
import { readRunDefaults } from '../settings/settings-area';
import type { GantryDatabase } from '../store/open-database';
import { confirmationFor, copyChoices, estimateCopy } from './data-copy';
import { rotationOf, rotationSummary, withRotatedCredentials } from '../databases/rotation';
import { faultPauseFromEnv } from './fault-pause';
import { gatherPlanInput } from './gather';
import { MigrationJournal } from './journal';
import type { Operator } from './lock-wait';
import { PlanCache, type CachedPlan } from './plan-cache';
import { MigrationRecords } from './records';
import { recoverInterrupted } from './recovery';
import { rollbackRun, restoreRun } from './rollback';
import type { RunOptions } from './run-options';
import { RunPath, type RunApprovalGate } from './run-path';
import { maskSteps } from './steps/registry';
import type { StoredRun } from './stored-run';
import { MigrationViews } from './views';

export type { RunOptions } from './run-options';

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
  /** The approval check of protected runs (electron/approvals); without it no run is gated. */
  approvalGate?: RunApprovalGate;
  /** The OS keychain, for steps that keep a secret across a crash (a rotation's passwords). */
  secrets?: SecretStore;
}

/** A plan safe to show or store: resources masked by the planner, steps by their kinds' modules. */
export function maskedPlan(plan: MigrationPlan): MigrationPlan {
  return maskPlan(plan, maskSteps);
}

/** The migration engine of one Gantry process. */
export class MigrationEngine {
  readonly journal: MigrationJournal;
  readonly views: MigrationViews;
  readonly runPath: RunPath;
  private readonly records: MigrationRecords;
  private readonly plans: PlanCache;
  private readonly engineInstance: string;
  private readonly operator: Operator = { operator: safeUser(), machine: hostname() };

  constructor(private readonly deps: MigrationEngineDeps) {
    this.journal = new MigrationJournal(deps.db);
    this.records = new MigrationRecords(deps.db, deps.inventory.store, deps.inventory.sealer);
    this.views = new MigrationViews(deps.db, this.journal, deps.inventory.store);
    this.engineInstance = deps.engineInstance ?? randomUUID();
    this.plans = new PlanCache(deps.logger);
    const pause = faultPauseFromEnv();
    this.runPath = new RunPath({
      ...deps,
      ...(pause ? { pause } : {}),
      journal: this.journal,
      views: this.views,
      records: this.records,
      sealer: deps.inventory.sealer,
      engineInstance: this.engineInstance,
      operator: this.operator,
      batchConcurrency: () => readRunDefaults(deps.db).batchConcurrency ?? FACTORY_BATCH_CONCURRENCY,
    });
  }

  /** This engine process's id in the journal. */
  get instanceId(): string {
    return this.engineInstance;
  }

  /** The dry run: gathers live facts and plans. Touches nothing on any server. */
  async plan(request: Parameters<typeof gatherPlanInput>[1], signal: AbortSignal = new AbortController().signal): Promise<{ planId: string; expiresAt: number; plan: MigrationPlan }> {
    const gathered = await gatherPlanInput({ inventory: this.deps.inventory.store, hosts: this.deps.hosts, sealer: this.deps.inventory.sealer }, request, signal);
    // A first clone into production gets new database credentials (memory only, like every clear value of a plan).
    const plan = withRotatedCredentials(planMigration(gathered.input));
    const sealer = this.deps.inventory.sealer();
    const sourceHashes = Object.fromEntries((gathered.input.sourceResources ?? []).map((resource) => [resource.resourceId, sealer.seal(resource.spec).hash]));
    const baselines = Object.fromEntries(
      plan.resources.flatMap((resource) => {
        const side = resource.mode === 'promote' ? gathered.input.targetResources : gathered.input.sourceResources;
        const baseline = side?.find((entry) => entry.resourceId === resource.resourceId)?.spec;
        return baseline ? [[resource.resourceId, baseline]] : [];
      }),
    );
    const { planId, expiresAt } = this.plans.put({
      plan,
      sourceHashes,
      baselines,
      facts: { specHashes: (gathered.input.target.facts.specHashes ?? []).map((entry) => ({ ...entry, recordedSpecHash: entry.recordedSpecHash ?? null })) },
      projectId: request.projectId,
      sourceServerId: gathered.source.serverId,
      targetServerId: gathered.target.serverId,
    });
    return { planId, expiresAt, plan: maskedPlan(plan) };
  }

  /** One value of a plan in clear, on the operator's demand (see `PlanCache.reveal`). */
  reveal(request: RevealRequest): { value: string } {
    return this.plans.reveal(request);
  }

  /**
   * Starts a planned migration; returns at once. The plan runs exactly as it was shown. A protected
   * target needs `approval` (an approved request); the run path checks it under the target's lock.
   */
  start(planId: string, options: RunOptions, approval: { serverId: string; requestId: string } | null = null): { migrationId: string; jobId: string } {
    const peeked = this.plans.peek(planId);
    if (peeked.plan.blocking) {
      const reasons = peeked.plan.prechecks.filter((check) => check.severity === 'blocking').map((check) => check.message);
      throw new GantryError('blocked', `The pre-checks block this migration: ${reasons.join(' ')}`);
    }
    // A copy into production (or of what is not a database) is refused before the plan is used up.
    copyChoices(this.deps.inventory.store, peeked.projectId, peeked.plan, options.copyData);
    const cached = this.plans.take(planId);
    const { plan } = cached;
    // The steps for the options the run starts with (a production-only or option-dependent step is emitted here).
    const backup = options.backupBeforeProduction !== false;
    const steps = this.stepsToRun(cached, options);
    const ticket = approval && this.deps.approvalGate ? { ...approval, planDigest: this.deps.approvalGate.digestOf({ ...cached, steps, options }) } : null;
    const masked = maskedPlan(plan);
    const run: StoredRun = {
      format: 1,
      kind: 'migrate',
      plan: masked,
      steps: maskSteps(steps),
      sourceServerId: cached.sourceServerId,
      promotedFrom: cached.sourceHashes,
      event: 'migrated',
      expected: plan.resources.map((resource) => ({
        resourceId: resource.resourceId,
        name: resource.name,
        containerName: resource.target.containerName,
        beforeHash: resource.mode === 'promote' ? (cached.facts.specHashes.find((entry) => entry.resourceId === resource.resourceId)?.liveSpecHash ?? null) : null,
      })),
    };
    return this.runPath.launch(
      {
        run,
        options,
        projectId: cached.projectId,
        sourceEnvironmentId: plan.source.id,
        targetEnvironmentId: plan.target.id,
        rollbackOf: null,
        resources: plan.resources,
        title: `${plan.resources.map((resource) => resource.name).join(', ')}: ${plan.source.name} → ${plan.target.name}`,
        ...firstLogOf([plan.target.production && !backup ? 'The operator turned off the backup before this production change: no backup was taken.' : null, rotationSummary(rotationOf(plan), plan.target.name), webhookReminderSummary(webhookReminders(plan))]),
        approval: ticket,
      },
      // The saga runs the steps in clear (a scheduled task's command as it must run); the journal keeps them masked.
      steps,
    );
  }

  /** A planned run exactly as `start` would run it (for an approval request); starts nothing and keeps the plan. */
  runDraft(planId: string, options: RunOptions): CachedPlan & { steps: MigrationStep[]; options: RunOptions } {
    const cached = this.plans.peek(planId);
    return { ...cached, steps: this.stepsToRun(cached, options), options };
  }

  /** Keeps a plan read back from an approved request, so `start` can run it; returns its plan id. */
  adoptPlan(cached: CachedPlan): string {
    return this.plans.put(cached).planId;
  }

  /** The steps for the options the run starts with (a production-only or option-dependent step is emitted here). */
  private stepsToRun(cached: CachedPlan, options: RunOptions): MigrationStep[] {
    // A copy into production, or of what is not a database, is refused here (before the plan is used up).
    const copyData = copyChoices(this.deps.inventory.store, cached.projectId, cached.plan, options.copyData);
    return stepsFor(cached.plan.resources, { source: cached.plan.source, target: cached.plan.target, facts: cached.facts, options: { waitForReady: options.waitForReady, backup: options.backupBeforeProduction !== false, copyData } });
  }

  /** What copying one database's data of a plan would replace, and about how much it sends (reads the source only). */
  async estimateCopy(planId: string, resourceId: string, signal?: AbortSignal): Promise<CopyEstimate> {
    const cached = this.plans.peek(planId);
    const [choice] = copyChoices(this.deps.inventory.store, cached.projectId, cached.plan, [resourceId]);
    const planned = cached.plan.resources.find((resource) => resource.resourceId === resourceId)!;
    return estimateCopy(planned, choice!, { source: this.deps.hosts(cached.sourceServerId), targetServerName: cached.plan.server.name, targetEnvironment: cached.plan.target.name }, signal);
  }

  /**
   * "Copy data": replaces one database's data in the plan's target with the source's, as a
   * journaled run of one step (the resource must exist on both; nothing else of it changes).
   * `confirmation` must be the text `estimateCopy` gave: the operator read what is replaced.
   */
  copyData(request: { planId: string; resourceId: string; confirmation: string }): { migrationId: string; jobId: string } {
    const peeked = this.plans.peek(request.planId);
    const [choice] = copyChoices(this.deps.inventory.store, peeked.projectId, peeked.plan, [request.resourceId]);
    const planned = peeked.plan.resources.find((resource) => resource.resourceId === request.resourceId)!;
    if (planned.mode !== 'promote') {
      throw new GantryError('invalid_request', `${planned.name} does not exist in ${peeked.plan.target.name} yet: clone it there first (the migration wizard can copy its data right after).`);
    }
    const expected = confirmationFor(peeked.plan.target.name, planned.name, peeked.plan.server.name);
    if (request.confirmation !== expected) throw new GantryError('confirmation_required', `Confirm the copy first: "${expected}".`);
    const unreachable = peeked.plan.prechecks.find((check) => check.check === 'server' && check.severity === 'blocking');
    if (unreachable) throw new GantryError('blocked', unreachable.message);
    const cached = this.plans.take(request.planId);
    const { plan } = cached;
    // One step, whether or not the resource's spec differs between the two (its spec is not touched).
    const steps = copyDataEmitter(planned, { source: plan.source, target: plan.target, facts: cached.facts, options: { waitForReady: false, copyData: [choice!] } });
    const run: StoredRun = {
      format: 1,
      kind: 'migrate',
      plan: maskedPlan({ ...plan, resources: plan.resources.filter((resource) => resource.resourceId === planned.resourceId), steps }),
      steps: maskSteps(steps),
      sourceServerId: cached.sourceServerId,
      promotedFrom: {},
      event: 'migrated',
      expected: [{ resourceId: planned.resourceId, name: planned.name, containerName: planned.target.containerName, beforeHash: cached.facts.specHashes.find((entry) => entry.resourceId === planned.resourceId)?.liveSpecHash ?? null }],
    };
    return this.runPath.launch({
      run,
      options: { waitForReady: false, healthTimeoutSec: 300, httpCheckPath: null, copyData: [planned.resourceId] },
      projectId: cached.projectId,
      sourceEnvironmentId: plan.source.id,
      targetEnvironmentId: plan.target.id,
      rollbackOf: null,
      resources: [planned],
      title: `Copy data of ${planned.name}: ${plan.source.name} → ${plan.target.name}`,
      firstLog: `${expected}: confirmed by the operator.`,
      approval: null,
    });
  }

  /** Starts a rollback of a completed migration: its target put back as it was before. */
  rollback(migrationId: string, options: RunOptions): { migrationId: string; jobId: string } {
    return this.runPath.launch(rollbackRun(this.journal, this.views, migrationId, options));
  }

  /** Starts a restore of one resource to its spec before `migrationId` replaced it. */
  restore(request: { migrationId: string; resourceId: string; options: RunOptions }): { migrationId: string; jobId: string } {
    return this.runPath.launch(restoreRun(this.journal, request));
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

  /** Undoes (or, for an undo run, completes) the runs a previous engine process left half-done; returns their ids. */
  recoverInterrupted(): Promise<string[]> {
    return recoverInterrupted({ journal: this.journal, runPath: this.runPath, hosts: this.deps.hosts, sealer: this.deps.inventory.sealer, engineInstance: this.engineInstance, operator: this.operator });
  }

  /** Emits `migrations:changed` for one migration. */
  changed(migrationId: string): void {
    this.runPath.changed(migrationId);
  }
}

/** The first log line of a run from its notes (none when it has none). */
function firstLogOf(notes: (string | null)[]): { firstLog?: string } {
  const text = notes.filter((note): note is string => note !== null).join(' ');
  return text ? { firstLog: text } : {};
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
