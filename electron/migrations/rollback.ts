/**
 * Rollback of a completed migration: a new migration (kind `rollback`) that puts the target back
 * as the snapshots recorded it. A promoted resource is recreated from its snapshot (kept on the
 * target server) with its old image re-tagged; a cloned resource is retired (its container
 * removed; its volumes are kept, so no data is lost). It runs as a saga like any migration:
 * if it fails, what it did is undone and the target keeps the migrated version.
 */
import { randomUUID } from 'node:crypto';
import { GantryError } from '@shared/ipc/result';
import type { MigrationPlan, PlannedResource } from '@shared/migration/plan';
import type { MigrationStep } from '@shared/migration/steps';
import { specFromInspect } from '@shared/spec/spec-from-inspect';
import type { JobRegistry } from '../jobs/registry';
import type { MigrationEngine, RunOptions } from './engine';
import { recordOf, type SagaStep } from './saga';
import { shellQuote, type RemoteHost } from './remote-host';
import { readSnapshot, type SnapshotRef } from './snapshots';
import { keptName, sagaStepFor, type ExecutionContext } from './step-runners';

/** Starts the rollback of `migrationId`; returns at once with the rollback's own ids. */
export function startRollback(
  engine: MigrationEngine,
  deps: { hosts: (serverId: string) => RemoteHost; jobs: JobRegistry },
  migrationId: string,
  options: RunOptions,
): { migrationId: string; jobId: string } {
  const original = engine.journal.get(migrationId);
  if (!original) throw new GantryError('not_found', `There is no migration ${migrationId}.`);
  if (original.kind !== 'migrate') throw new GantryError('not_rollbackable', 'A rollback cannot itself be rolled back: migrate again instead.');
  if (original.status !== 'completed' && original.status !== 'completed_with_warning') {
    throw new GantryError('not_rollbackable', `Only a completed migration can be rolled back; this one is ${original.status}.`);
  }
  const plan = JSON.parse(original.planJson) as MigrationPlan;
  const newer = engine.views
    .list({ environmentId: original.targetEnvironmentId, limit: 1000 })
    .find(
      (other) =>
        other.id !== original.id &&
        other.createdAt > original.createdAt &&
        other.targetEnvironmentId === original.targetEnvironmentId &&
        ['running', 'completed', 'completed_with_warning'].includes(other.status) &&
        other.resources.some((resource) => plan.resources.some((mine) => mine.resourceId === resource.resourceId)),
    );
  if (newer) {
    throw new GantryError('not_rollbackable', `A newer migration (${newer.id.slice(0, 8)}, ${newer.status}) changed the same resources in ${plan.target.name} since. Roll that one back first.`);
  }

  const steps = engine.journal.steps(migrationId);
  const rollbackId = createRollbackRecord(engine, original, { plan: { ...plan, steps: [] }, options, rollbackOf: migrationId });
  const target = deps.hosts(plan.server.id);
  const jobId = deps.jobs.start('rollback', `Roll back ${plan.resources.map((resource) => resource.name).join(', ')} in ${plan.target.name}`, async (job) => {
    const resources: PlannedResource[] = [];
    // After the rollback each instance is again as promoted before the migration.
    const promotedFrom: Record<string, string | null> = {};
    for (const step of steps.filter((each) => each.stepId.startsWith('record-resource:'))) {
      const previous = recordOf(step).result?.previous as { resourceId: string; promotedFromHash: string | null } | null | undefined;
      if (previous) promotedFrom[previous.resourceId] = previous.promotedFromHash;
    }
    const sagaSteps: SagaStep<ExecutionContext>[] = [];
    for (const resource of plan.resources) {
      if (resource.mode === 'promote') {
        const snapshot = snapshotOf(steps, resource.resourceId);
        if (!snapshot) throw new GantryError('snapshot_missing', `Migration ${migrationId.slice(0, 8)} kept no snapshot of ${resource.name}; it cannot be rolled back.`);
        const restored = await restoreFromSnapshot(target, resource, snapshot, options, job.signal);
        resources.push(restored.resource);
        sagaSteps.push(...restored.steps);
      } else {
        resources.push({ ...resource, mode: 'promote' });
        sagaSteps.push(retireClone(resource, original.targetEnvironmentId, engine));
      }
    }
    // The scheduled tasks the migration added go too (the target's own tasks stay).
    const markers = plan.steps.flatMap((step) => (step.kind === 'install-schedules' ? step.params.entries.map((entry) => entry.marker) : []));
    if (markers.length > 0) sagaSteps.push(removeSchedules(markers));
    return engine.execute({
      migrationId: rollbackId,
      projectId: original.projectId ?? '',
      targetEnvironment: plan.target,
      source: target,
      target,
      targetServerId: plan.server.id,
      resources,
      steps: sagaSteps,
      options,
      job,
      event: 'rolled_back',
      promotedFrom,
      afterSuccess: () => {
        engine.journal.setStatus(migrationId, 'rolled_back', { message: `Rolled back by ${rollbackId.slice(0, 8)}.` });
        engine.changed(migrationId);
      },
    });
  });
  engine.journal.setJob(rollbackId, jobId);
  engine.changed(rollbackId);
  return { migrationId: rollbackId, jobId };
}

/** Sets a cloned container aside (removed when the rollback completes) and forgets its record. */
function retireClone(resource: PlannedResource, environmentId: string, engine: MigrationEngine): SagaStep<ExecutionContext> {
  const name = resource.target.containerName;
  return {
    id: `retire-container:${resource.resourceId}`,
    title: `Remove ${name} (its volumes are kept)`,
    intent: { containerName: name },
    async run(context, job) {
      const kept = keptName(name, context.migrationId);
      job.checkpoint({ stopping: true });
      const result = await context.target.exec(`docker stop ${shellQuote(name)} >/dev/null && docker rename ${shellQuote(name)} ${shellQuote(kept)}`, { signal: job.signal });
      if (result.code !== 0) throw new GantryError('docker_error', `Could not stop ${name} on ${context.target.label}: ${result.stderr.trim()}`);
      const previous = engine.forgetInstance(resource.resourceId, environmentId);
      return { previous };
    },
    async undo(context, record) {
      const kept = keptName(name, context.migrationId);
      const exists = await context.target.exec(`docker inspect ${shellQuote(kept)} >/dev/null 2>&1`, {});
      if (exists.code === 0) await context.target.exec(`docker rename ${shellQuote(kept)} ${shellQuote(name)} && docker start ${shellQuote(name)} >/dev/null`, {});
      engine.restoreInstance(record.result?.previous ?? null);
    },
  };
}

/** Where a rollback keeps the crontab lines it removed, on the target server (they may hold secrets). */
const REMOVED_CRON_DIR = '$HOME/.gantry/rollbacks';

/**
 * Removes the crontab lines a migration installed (found by their markers). The removed lines are
 * kept on the target server, so an undo puts exactly them back and nothing secret travels.
 */
function removeSchedules(markers: string[]): SagaStep<ExecutionContext> {
  const patterns = markers.map((marker) => `-e ${shellQuote(marker)}`).join(' ');
  return {
    id: 'remove-schedules',
    title: `Remove the ${markers.length === 1 ? 'scheduled task' : `${markers.length} scheduled tasks`} the migration added`,
    intent: { markers },
    async run(context, job) {
      const kept = `${REMOVED_CRON_DIR}/${context.migrationId}.cron`;
      const script = [
        'command -v crontab >/dev/null || exit 0',
        `umask 077 && mkdir -p ${REMOVED_CRON_DIR}`,
        `crontab -l 2>/dev/null > ${kept}.all || true`,
        `grep -F ${patterns} ${kept}.all > ${kept} || true`,
        `grep -vF ${patterns} ${kept}.all | crontab -`,
        `rm -f ${kept}.all`,
        `wc -l < ${kept}`,
      ].join('\n');
      const result = await context.target.exec(`sh -c ${shellQuote(script)}`, { signal: job.signal });
      if (result.code !== 0) throw new GantryError('cron_failed', `Could not remove the scheduled tasks on ${context.target.label}: ${result.stderr.trim() || `exit ${result.code}`}`);
      return { removed: Number(result.stdout.trim() || 0) };
    },
    async undo(context) {
      const kept = `${REMOVED_CRON_DIR}/${context.migrationId}.cron`;
      await context.target.exec(`sh -c ${shellQuote(`[ -s ${kept} ] || exit 0; (crontab -l 2>/dev/null | grep -vF ${patterns}; cat ${kept}) | crontab - && rm -f ${kept}`)}`, {});
    },
  };
}

/** The steps that put `resource` back as `snapshot` (kept on the target server) recorded it. */
async function restoreFromSnapshot(target: RemoteHost, resource: PlannedResource, snapshot: SnapshotRef, options: RunOptions, signal: AbortSignal): Promise<{ resource: PlannedResource; steps: SagaStep<ExecutionContext>[] }> {
  const spec = specFromInspect(await readSnapshot(target, snapshot, signal));
  const restored: PlannedResource = { ...resource, mode: 'promote', desiredSpec: spec, volumesToCreate: [], scheduledTasks: [], linksToCreate: [] };
  const steps: MigrationStep[] = [
    { id: `transfer-image:${resource.resourceId}`, kind: 'transfer-image', title: `Put image ${spec.image.ref} back for ${resource.name}`, resourceId: resource.resourceId, undo: null, params: { imageRef: spec.image.ref, imageId: snapshot.imageId } },
    { id: `replace-container:${resource.resourceId}`, kind: 'replace-container', title: `Restore ${resource.target.containerName} from its snapshot`, resourceId: resource.resourceId, undo: null, params: { containerName: resource.target.containerName, previousSpecHash: null } },
    { id: `wait-healthy:${resource.resourceId}`, kind: 'wait-healthy', title: `Wait for ${resource.target.containerName} to be healthy`, resourceId: resource.resourceId, undo: null, params: { containerName: resource.target.containerName, timeoutMs: options.healthTimeoutSec * 1000 } },
    { id: `record-resource:${resource.resourceId}`, kind: 'record-resource', title: `Record ${resource.target.containerName}`, resourceId: resource.resourceId, undo: null, params: { containerName: resource.target.containerName, tags: resource.tags } },
  ];
  return { resource: restored, steps: steps.map(sagaStepFor) };
}

/**
 * Restores one resource to the spec it had before `migrationId` replaced it ("restore this
 * snapshot" in History), from the snapshot that migration kept on the target server. Unlike a
 * rollback it touches only that resource, works whatever came after, and leaves the migration's
 * own status alone. Runs as a journaled saga (kind rollback) under the server's lock.
 */
export function startRestore(
  engine: MigrationEngine,
  deps: { hosts: (serverId: string) => RemoteHost; jobs: JobRegistry },
  request: { migrationId: string; resourceId: string; options: RunOptions },
): { migrationId: string; jobId: string } {
  const original = engine.journal.get(request.migrationId);
  if (!original) throw new GantryError('not_found', `There is no migration ${request.migrationId}.`);
  const plan = JSON.parse(original.planJson) as MigrationPlan;
  const resource = plan.resources.find((each) => each.resourceId === request.resourceId);
  if (!resource) throw new GantryError('not_found', `Migration ${request.migrationId.slice(0, 8)} did not change that resource.`);
  const snapshot = snapshotOf(engine.journal.steps(request.migrationId), resource.resourceId);
  if (!snapshot) throw new GantryError('snapshot_missing', `Migration ${request.migrationId.slice(0, 8)} kept no snapshot of ${resource.name} (it created it rather than replacing it), so there is nothing to restore from.`);
  const restoreId = createRollbackRecord(engine, original, { plan: { ...plan, resources: [resource], steps: [] }, options: request.options, rollbackOf: null });
  const target = deps.hosts(plan.server.id);
  engine.journal.log(restoreId, 'info', `Restores ${resource.name} in ${plan.target.name} to its spec before migration ${request.migrationId.slice(0, 8)}, from the snapshot that migration kept.`);
  const jobId = deps.jobs.start('rollback', `Restore ${resource.name} in ${plan.target.name}`, async (job) => {
    const restored = await restoreFromSnapshot(target, resource, snapshot, request.options, job.signal);
    return engine.execute({
      migrationId: restoreId,
      projectId: original.projectId ?? '',
      targetEnvironment: plan.target,
      source: target,
      target,
      targetServerId: plan.server.id,
      resources: [restored.resource],
      steps: restored.steps,
      options: request.options,
      job,
      event: 'rolled_back',
      promotedFrom: {},
    });
  });
  engine.journal.setJob(restoreId, jobId);
  engine.changed(restoreId);
  return { migrationId: restoreId, jobId };
}

/** The snapshot a migration's replace step kept of `resourceId`'s previous container, if any. */
function snapshotOf(steps: ReturnType<MigrationEngine['journal']['steps']>, resourceId: string): SnapshotRef | undefined {
  const replaced = steps.find((step) => step.stepId === `replace-container:${resourceId}`);
  return replaced ? (recordOf(replaced).result?.snapshot as SnapshotRef | undefined) : undefined;
}

/** Journals a new rollback-kind migration (pending until it holds the server's lock); returns its id. */
function createRollbackRecord(
  engine: MigrationEngine,
  original: { projectId: string | null; targetEnvironmentId: string },
  record: { plan: MigrationPlan; options: RunOptions; rollbackOf: string | null },
): string {
  const id = randomUUID();
  engine.journal.create({
    id,
    kind: 'rollback',
    projectId: original.projectId,
    sourceEnvironmentId: null,
    targetEnvironmentId: original.targetEnvironmentId,
    status: 'pending',
    planJson: JSON.stringify(record.plan),
    optionsJson: JSON.stringify(record.options),
    rollbackOf: record.rollbackOf,
    jobId: null,
    engineInstance: engine.instanceId,
  });
  return id;
}
