import { z } from 'zod';
import { GantryError } from '@shared/ipc/result';
import type { PlannedResource } from '@shared/migration/plan';
import { snapshotRef } from '@shared/migration/steps';
import { gantryLabels } from '@shared/spec/resource-spec';
import { shellQuote } from '../../servers/remote-host';
import { takeSnapshot } from '../snapshots';
import { createContainer, keptName, labelOf, removeOwnContainer, removeOwnNetworks, resourceOf, run, type ExecutionContext } from './step-context';
import { defineStep, type StepJob } from './step-module';

/** What replacing a container journals: enough to put the old one back after a crash at any point. */
export const replacedResult = z.object({
  wasRunning: z.boolean().optional(),
  keptName: z.string().optional(),
  snapshot: snapshotRef.optional(),
  /** Set just before the old container is stopped: from here on, an undo restarts it. */
  stopping: z.boolean().optional(),
  createdNetworks: z.array(z.string()).optional(),
  containerId: z.string().optional(),
});
type Replaced = z.infer<typeof replacedResult>;

/**
 * Snapshots the running container (kept on the server), sets it aside under `keptName` and
 * creates its replacement from `resource.desiredSpec`. The old container is removed only when
 * the whole run completed (`finalize`).
 */
export async function replaceContainer(context: ExecutionContext, resource: PlannedResource, name: string, job: StepJob<Replaced>): Promise<Replaced> {
  const kept = keptName(name, context.migrationId);
  const state = await run(context.target, `docker inspect --format '{{.State.Running}}' ${shellQuote(name)}`, `inspect ${name}`, job.signal);
  const wasRunning = state.trim() === 'true';
  const snapshot = await takeSnapshot(context.target, name, `${context.migrationId}-${resource.resourceId}`, job.signal);
  // Journaled before the old container is touched: an undo after a crash knows to restart it.
  job.checkpoint({ wasRunning, keptName: kept, snapshot, stopping: true });
  job.log('info', `Snapshot of ${name} kept on ${context.target.label} (${snapshot.path})`);
  job.throwIfCancelled();
  await run(context.target, `docker stop ${shellQuote(name)} >/dev/null && docker rename ${shellQuote(name)} ${shellQuote(kept)}`, `stop and set aside ${name}`, job.signal);
  const containerId = await createContainer(context, resource, name, job.checkpoint, job.signal);
  return { wasRunning, keptName: kept, snapshot, stopping: true, containerId };
}

/** Removes the replacement (if this run made it) and puts the kept container back, running if it ran. */
export async function undoReplace(context: ExecutionContext, name: string, done: Partial<Replaced> | null): Promise<void> {
  const kept = keptName(name, context.migrationId);
  await removeOwnContainer(context.target, name, context.migrationId);
  await removeOwnNetworks(context.target, done?.createdNetworks, context.migrationId);
  if ((await labelOf(context.target, 'container', kept, gantryLabels.migration)) !== null) {
    // The kept one may already have its name back (an undo repeated after a crash).
    if ((await labelOf(context.target, 'container', name, gantryLabels.migration)) !== null) throw new GantryError('name_taken', `Both ${name} and ${kept} exist on ${context.target.label}; Gantry did not create ${name}, so it leaves both for you to check.`);
    await run(context.target, `docker rename ${shellQuote(kept)} ${shellQuote(name)}`, `put ${name} back`);
  }
  if (done?.stopping === true && done.wasRunning === true) {
    const running = await context.target.exec(`docker inspect --format '{{.State.Running}}' ${shellQuote(name)}`, {});
    if (running.stdout.trim() !== 'true') await run(context.target, `docker start ${shellQuote(name)} >/dev/null`, `restart ${name}`);
  }
}

/** Removes the container a completed run set aside (its snapshot stays on the server for rollback). */
export async function removeKept(context: ExecutionContext, name: string, log: (level: 'info' | 'warn', message: string) => void): Promise<void> {
  const kept = keptName(name, context.migrationId);
  const removed = await context.target.exec(`docker rm -f ${shellQuote(kept)}`, {});
  if (removed.code === 0) log('info', `Removed the previous ${name} (its snapshot stays on ${context.target.label} for rollback)`);
  else if (!/no such/i.test(removed.stderr)) log('warn', `The previous ${name} was kept as ${kept} on ${context.target.label}: removing it failed (${removed.stderr.trim()}). Remove it by hand once you are happy with the new one.`);
}

/** Replaces the target's container with one from the desired spec (promote); undo puts the old one back. */
export const replaceContainerStep = defineStep({
  kind: 'replace-container',
  result: replacedResult,
  intent: (step) => ({ containerName: step.params.containerName }),
  run: (step, context, job) => replaceContainer(context, resourceOf(context, step), step.params.containerName, job),
  undo: (step, context, done) => undoReplace(context, step.params.containerName, done),
  finalize: (step, context, log) => removeKept(context, step.params.containerName, log),
});
