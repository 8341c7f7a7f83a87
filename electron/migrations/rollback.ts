/**
 * Rollback and restore as runs on the one run path: each is a journaled plan of registered steps.
 * A rollback puts the target back as a completed migration's snapshots recorded it: a promoted
 * resource is restored from its snapshot (kept on the target server, read when the step runs); a
 * cloned resource is retired (its container removed, its volumes kept, so no data is lost); the
 * scheduled tasks the migration added are removed. A restore does the same for one resource,
 * whatever came after. Both are undone like any run if they fail, and completed if the engine
 * dies mid-way.
 */
import { GantryError } from '@shared/ipc/result';
import type { PlannedResource } from '@shared/migration/plan';
import type { MigrationStep, StepOf } from '@shared/migration/steps';
import { domainChangeRunOf, domainChangeUndoRun } from './domain-change-undo';
import { rotationRollbackRefusal } from '../databases/rotation';
import type { MigrationJournal, MigrationRow } from './journal';
import type { RunOptions } from './run-options';
import type { LaunchRequest } from './run-path';
import { recordOf } from './saga';
import type { SnapshotRef } from './snapshots';
import { journaledResult } from './steps/registry';
import { readStoredRun, type StoredRun } from './stored-run';
import type { MigrationViews } from './views';

/** A journaled step of an earlier run with what it did (parsed through its kind's schema). */
interface DoneStep {
  step: MigrationStep;
  result: Record<string, unknown> | null;
}

/** The steps of a run that completed, with their journaled results. */
function doneSteps(journal: MigrationJournal, row: MigrationRow, run: StoredRun): DoneStep[] {
  const byId = new Map(run.steps.map((step) => [step.id, step]));
  return journal.steps(row.id).flatMap((entry) => {
    const step = byId.get(entry.stepId);
    return step && entry.status === 'done' ? [{ step, result: journaledResult(step, recordOf(entry)) }] : [];
  });
}

/** The snapshot an earlier run kept of `resourceId`'s container before replacing it, if it replaced it. */
function snapshotOf(done: DoneStep[], resourceId: string): SnapshotRef | undefined {
  for (const { step, result } of done) {
    if ((step.kind === 'replace-container' || step.kind === 'restore-container') && step.resourceId === resourceId) {
      const snapshot = result?.snapshot as SnapshotRef | undefined;
      if (snapshot) return snapshot;
    }
  }
  return undefined;
}

function restoreSteps(resource: PlannedResource, snapshot: SnapshotRef, options: RunOptions): MigrationStep[] {
  const name = resource.target.containerName;
  const { resourceId } = resource;
  return [
    { id: `restore-container:${resourceId}`, kind: 'restore-container', title: `Restore ${name} from its snapshot`, resourceId, undo: `Put the current ${name} back`, params: { containerName: name, snapshot } },
    { id: `wait-healthy:${resourceId}`, kind: 'wait-healthy', title: `Wait for ${name} to be healthy`, resourceId, undo: null, params: { containerName: name, timeoutMs: options.healthTimeoutSec * 1000 } },
    { id: `record-resource:${resourceId}`, kind: 'record-resource', title: `Record ${name}`, resourceId, undo: 'Restore the previous record', params: { containerName: name, tags: resource.tags } },
  ];
}

/** The run that rolls back `migrationId`; refuses what cannot be rolled back, saying why. */
export function rollbackRun(journal: MigrationJournal, views: MigrationViews, migrationId: string, options: RunOptions): LaunchRequest {
  const original = journal.get(migrationId);
  if (!original) throw new GantryError('not_found', `There is no migration ${migrationId}.`);
  if (original.kind !== 'migrate' && domainChangeRunOf(original)) return domainChangeUndoRun(journal, views, original, options);
  if (original.kind !== 'migrate') throw new GantryError('not_rollbackable', rotationRollbackRefusal(readStoredRun(original.planJson, original.kind).steps, migrationId) ?? 'A rollback cannot itself be rolled back: migrate again instead.');
  if (original.status !== 'completed' && original.status !== 'completed_with_warning') {
    throw new GantryError('not_rollbackable', `Only a completed migration can be rolled back; this one is ${original.status}.`);
  }
  const migrated = readStoredRun(original.planJson, original.kind);
  const { plan } = migrated;
  const newer = views
    .list({ environmentId: original.targetEnvironmentId, limit: 1000 })
    .find(
      (other) =>
        other.id !== original.id &&
        other.createdAt > original.createdAt &&
        other.targetEnvironmentId === original.targetEnvironmentId &&
        ['running', 'completed', 'completed_with_warning'].includes(other.status) &&
        // Only what each run changed counts: a resource it found unchanged was never touched.
        other.resources.some((resource) => resource.mode !== 'unchanged' && plan.resources.some((mine) => !mine.unchanged && mine.resourceId === resource.resourceId)),
    );
  if (newer) throw new GantryError('not_rollbackable', `A newer migration (${newer.id.slice(0, 8)}, ${newer.status}) changed the same resources in ${plan.target.name} since. Roll that one back first.`);

  const done = doneSteps(journal, original, migrated);
  const steps: MigrationStep[] = [];
  // After the rollback each instance is again as promoted before the migration.
  const promotedFrom: Record<string, string | null> = {};
  const expected: StoredRun['expected'] = [];
  for (const { step, result } of done) {
    if (step.kind !== 'record-resource' || !step.resourceId) continue;
    const previous = result?.previous as { promotedFromHash: string | null } | null | undefined;
    if (previous) promotedFrom[step.resourceId] = previous.promotedFromHash;
    const resource = plan.resources.find((each) => each.resourceId === step.resourceId);
    if (resource && typeof result?.hash === 'string') expected.push({ resourceId: resource.resourceId, name: resource.name, containerName: step.params.containerName, beforeHash: result.hash });
  }
  // A batch that completed in part undid some resources itself (or never started them): nothing of them is left to roll back.
  const resourceOfStep = new Map(migrated.steps.map((step) => [step.id, step.resourceId]));
  const journaled = journal.steps(original.id);
  const undoneInBatch = new Set(
    plan.resources
      .filter((resource) => !journaled.some((row) => resourceOfStep.get(row.stepId) === resource.resourceId && row.status === 'done' && row.stepId.startsWith('record-resource:')))
      .filter((resource) => migrated.steps.some((step) => step.resourceId === resource.resourceId && step.kind === 'record-resource'))
      .map((resource) => resource.resourceId),
  );
  for (const resource of plan.resources) {
    if (resource.unchanged) continue; // the migration never touched it
    if (undoneInBatch.has(resource.resourceId)) continue;
    if (resource.mode === 'promote') {
      const snapshot = snapshotOf(done, resource.resourceId);
      if (!snapshot) throw new GantryError('snapshot_missing', `Migration ${migrationId.slice(0, 8)} kept no snapshot of ${resource.name}; it cannot be rolled back.`);
      steps.push(...restoreSteps(resource, snapshot, options));
    } else {
      const name = resource.target.containerName;
      // The domain the clone got goes with it (a Caddy route; labels leave with the container).
      const routed = migrated.steps.find((step): step is StepOf<'route-domain'> => step.kind === 'route-domain' && step.resourceId === resource.resourceId && !step.params.remove);
      if (routed) steps.push({ id: `route-domain:${resource.resourceId}`, kind: 'route-domain', title: `Remove the route of ${routed.params.domain}`, resourceId: resource.resourceId, undo: `Route ${routed.params.domain} again`, params: { ...routed.params, remove: true } });
      steps.push({ id: `retire-container:${resource.resourceId}`, kind: 'retire-container', title: `Remove ${name} (its volumes are kept)`, resourceId: resource.resourceId, undo: `Start ${name} again`, params: { containerName: name, environmentId: original.targetEnvironmentId } });
    }
  }
  // The scheduled tasks the migration added go too (the target's own tasks stay).
  const markers = migrated.steps.flatMap((step) => (step.kind === 'install-schedules' && !undoneInBatch.has(step.resourceId ?? '') ? (step as StepOf<'install-schedules'>).params.entries.map((entry) => entry.marker) : []));
  if (markers.length > 0) {
    steps.push({ id: 'remove-schedules', kind: 'remove-schedules', title: `Remove the ${markers.length === 1 ? 'scheduled task' : `${markers.length} scheduled tasks`} the migration added`, undo: 'Put the removed crontab lines back', params: { markers } });
  }
  return {
    run: { format: 1, kind: 'rollback', plan, steps, sourceServerId: plan.server.id, promotedFrom, event: 'rolled_back', expected },
    options,
    projectId: original.projectId,
    sourceEnvironmentId: null,
    targetEnvironmentId: original.targetEnvironmentId,
    rollbackOf: migrationId,
    resources: plan.resources,
    title: `Roll back ${plan.resources.map((resource) => resource.name).join(', ')} in ${plan.target.name}`,
  };
}

/**
 * The run that restores one resource to the spec it had before `migrationId` replaced it
 * ("restore this snapshot" in History), from the snapshot that migration kept on the target
 * server. Unlike a rollback it touches only that resource, works whatever came after, and leaves
 * the migration's own status alone.
 */
export function restoreRun(journal: MigrationJournal, request: { migrationId: string; resourceId: string; options: RunOptions }): LaunchRequest {
  const original = journal.get(request.migrationId);
  if (!original) throw new GantryError('not_found', `There is no migration ${request.migrationId}.`);
  const migrated = readStoredRun(original.planJson, original.kind);
  const refusal = rotationRollbackRefusal(migrated.steps, request.migrationId);
  if (refusal) throw new GantryError('not_rollbackable', refusal);
  const { plan } = migrated;
  const resource = plan.resources.find((each) => each.resourceId === request.resourceId);
  if (!resource) throw new GantryError('not_found', `Migration ${request.migrationId.slice(0, 8)} did not change that resource.`);
  const snapshot = snapshotOf(doneSteps(journal, original, migrated), resource.resourceId);
  if (!snapshot) throw new GantryError('snapshot_missing', `Migration ${request.migrationId.slice(0, 8)} kept no snapshot of ${resource.name} (it created it rather than replacing it), so there is nothing to restore from.`);
  const restored = { ...plan, resources: [resource] };
  return {
    run: { format: 1, kind: 'restore', plan: restored, steps: restoreSteps(resource, snapshot, request.options), sourceServerId: plan.server.id, promotedFrom: {}, event: 'rolled_back', expected: [] },
    options: request.options,
    projectId: original.projectId,
    sourceEnvironmentId: null,
    targetEnvironmentId: original.targetEnvironmentId,
    rollbackOf: null,
    resources: [resource],
    title: `Restore ${resource.name} in ${plan.target.name}`,
    firstLog: `Restores ${resource.name} in ${plan.target.name} to its spec before migration ${request.migrationId.slice(0, 8)}, from the snapshot that migration kept.`,
  };
}
