import { z } from 'zod';
import { GantryError } from '@shared/ipc/result';
import { specFromInspect } from '@shared/spec/spec-from-inspect';
import { shellQuote } from '../../servers/remote-host';
import { readSnapshot } from '../snapshots';
import { resourceOf } from './step-context';
import { defineStep } from './step-module';
import { removeKept, replaceContainer, replacedResult, undoReplace } from './replace-container';

/**
 * Puts a container back as a snapshot on the target server recorded it (rollback, restore): the
 * spec is read from the server when the step runs, so nothing secret is journaled and a run
 * resumed after a crash reads it again. The current container is itself snapshotted and kept
 * aside first, so the restore is undoable like any replace.
 */
export const restoreContainerStep = defineStep({
  kind: 'restore-container',
  result: replacedResult.extend({ previousTagId: z.string().nullable().optional() }),
  intent: (step) => ({ containerName: step.params.containerName, snapshot: step.params.snapshot.path }),
  async run(step, context, job) {
    const { snapshot, containerName } = step.params;
    const spec = specFromInspect(await readSnapshot(context.target, snapshot, job.signal));
    const planned = resourceOf(context, step);
    const resource = { ...planned, desiredSpec: spec };
    // The steps after this one (health gate, record) see the restored spec.
    context.resources.set(resource.resourceId, resource);
    const tagged = await context.target.exec(`docker image inspect --format '{{.Id}}' ${shellQuote(spec.image.ref)} 2>/dev/null`, { signal: job.signal });
    const previousTagId = tagged.code === 0 ? tagged.stdout.trim() || null : null;
    if (previousTagId !== snapshot.imageId) {
      const retag = await context.target.exec(`docker tag ${shellQuote(snapshot.imageId)} ${shellQuote(spec.image.ref)}`, { signal: job.signal });
      if (retag.code !== 0) throw new GantryError('image_missing', `The image ${containerName} ran before (${snapshot.imageId.slice(0, 19)}) is gone from ${context.target.label}, so it cannot be restored: ${retag.stderr.trim()}`);
      job.checkpoint({ previousTagId });
    }
    return { ...(await replaceContainer(context, resource, containerName, job)), previousTagId };
  },
  async undo(step, context, done) {
    await undoReplace(context, step.params.containerName, done);
    if (done?.previousTagId) {
      const spec = specFromInspect(await readSnapshot(context.target, step.params.snapshot));
      await context.target.exec(`docker tag ${shellQuote(done.previousTagId)} ${shellQuote(spec.image.ref)}`, {});
    }
  },
  finalize: (step, context, log) => removeKept(context, step.params.containerName, log),
});
