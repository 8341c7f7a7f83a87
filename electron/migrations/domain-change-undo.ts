/**
 * The undo of a completed "Change domain" run, built from its journal alone (like a rollback):
 * through a plain Caddy the route it replaced is put back (or, when there was none, the new one
 * removed); through a label-reading proxy the container is restored from the snapshot the change
 * kept, with its previous labels. Then the old domain's certificate is waited for and the resource
 * recorded again. It is a rollback of that run (`rollbackOf`), so the run shows as rolled back.
 */
import { GantryError } from '@shared/ipc/result';
import { domainChangeUndoSteps, type DoneDomainChange } from '@shared/domains/domain-change';
import type { CaddyRoute } from '@shared/domains/proxy-routing';
import type { StepOf } from '@shared/migration/steps';
import type { MigrationJournal, MigrationRow } from './journal';
import type { RunOptions } from './run-options';
import type { LaunchRequest } from './run-path';
import { recordOf } from './saga';
import type { SnapshotRef } from './snapshots';
import { journaledResult } from './steps/registry';
import { readStoredRun, type StoredRun } from './stored-run';
import type { MigrationViews } from './views';

/** The journaled run of a row when it is a change-domain run, else null (also when it cannot be read). */
export function domainChangeRunOf(row: Pick<MigrationRow, 'planJson' | 'kind'>): (StoredRun & { domainChange: NonNullable<StoredRun['domainChange']> }) | null {
  try {
    const run = readStoredRun(row.planJson, row.kind);
    return run.domainChange ? (run as StoredRun & { domainChange: NonNullable<StoredRun['domainChange']> }) : null;
  } catch {
    return null;
  }
}

/** The run that undoes the change-domain run `original`; refuses, saying why, when it cannot. */
export function domainChangeUndoRun(journal: MigrationJournal, views: MigrationViews, original: MigrationRow, options: RunOptions): LaunchRequest {
  const run = domainChangeRunOf(original);
  if (!run) throw new GantryError('not_rollbackable', `Run ${original.id.slice(0, 8)} is not a domain change.`);
  if (original.status !== 'completed' && original.status !== 'completed_with_warning') throw new GantryError('not_rollbackable', `Only a completed domain change can be undone; this one is ${original.status}.`);
  const { resourceId, from, to } = run.domainChange;
  const resource = run.plan.resources.find((each) => each.resourceId === resourceId);
  if (!resource) throw new GantryError('journal_unreadable', `The journal of run ${original.id.slice(0, 8)} does not name the resource it changed.`);
  const newer = views
    .list({ environmentId: original.targetEnvironmentId, limit: 1000 })
    .find((other) => other.id !== original.id && other.createdAt > original.createdAt && ['running', 'completed', 'completed_with_warning'].includes(other.status) && other.resources.some((each) => each.resourceId === resourceId && each.mode !== 'unchanged'));
  if (newer) throw new GantryError('not_rollbackable', `A newer run (${newer.id.slice(0, 8)}, ${newer.status}) changed ${resource.name} in ${run.plan.target.name} since; undo that one first, or change the domain back with "Change domain…".`);

  const byId = new Map(run.steps.map((step) => [step.id, step]));
  const done: DoneDomainChange = { change: run.domainChange, containerName: resource.target.containerName, tags: resource.tags, acmeIssuer: null, healthTimeoutMs: options.healthTimeoutSec * 1000 };
  let promotedFromHash: string | null = null;
  for (const entry of journal.steps(original.id)) {
    const step = byId.get(entry.stepId);
    if (!step || entry.status !== 'done') continue;
    const result = journaledResult(step, recordOf(entry));
    if (step.kind === 'route-domain') {
      const { routeId, dial, domain } = (step as StepOf<'route-domain'>).params;
      done.routed = { routeId, dial, domain };
      done.previousRoute = (result?.previous ?? null) as CaddyRoute | null;
    }
    if (step.kind === 'replace-container' && result?.snapshot) done.snapshot = result.snapshot as SnapshotRef;
    if (step.kind === 'check-certificate') done.acmeIssuer = (step as StepOf<'check-certificate'>).params.acmeIssuer;
    if (step.kind === 'record-resource') promotedFromHash = ((result?.previous ?? null) as { promotedFromHash: string | null } | null)?.promotedFromHash ?? null;
  }
  if (!done.routed && !done.snapshot) throw new GantryError('snapshot_missing', `Run ${original.id.slice(0, 8)} journaled neither the Caddy route it replaced nor a snapshot of ${done.containerName}, so it cannot be undone; change the domain back with "Change domain…".`);
  const steps = domainChangeUndoSteps(done);
  return {
    run: { format: 1, kind: 'rollback', plan: run.plan, steps, sourceServerId: run.plan.server.id, promotedFrom: { [resourceId]: promotedFromHash }, event: 'rolled_back', expected: [] },
    options,
    projectId: original.projectId,
    sourceEnvironmentId: null,
    targetEnvironmentId: original.targetEnvironmentId,
    rollbackOf: original.id,
    resources: run.plan.resources,
    title: `Undo the domain change of ${resource.name} in ${run.plan.target.name}`,
    firstLog: from ? `Puts ${resource.name} back at ${from} in ${run.plan.target.name} (undoing the change to ${to} by run ${original.id.slice(0, 8)}).` : `Takes ${to} away from ${resource.name} in ${run.plan.target.name} (it had no domain before run ${original.id.slice(0, 8)}).`,
  };
}
