import { z } from 'zod';
import { gantryLabels } from '@shared/spec/resource-spec';
import { shellQuote } from '../../servers/remote-host';
import { instanceRowSchema } from '../records';
import { keptName, labelOf, run } from './step-context';
import { defineStep } from './step-module';
import { removeKept } from './replace-container';

/**
 * Rolls back a clone: stops the cloned container and sets it aside (removed when the run
 * completes; its volumes are kept), and forgets its instance record. Undo puts both back.
 */
export const retireContainerStep = defineStep({
  kind: 'retire-container',
  result: z.object({ stopping: z.boolean().optional(), wasRunning: z.boolean().optional(), previous: instanceRowSchema.nullable().optional() }),
  intent: (step) => ({ containerName: step.params.containerName }),
  async run(step, context, job) {
    const name = step.params.containerName;
    const state = await run(context.target, `docker inspect --format '{{.State.Running}}' ${shellQuote(name)}`, `inspect ${name}`, job.signal);
    const wasRunning = state.trim() === 'true';
    job.checkpoint({ stopping: true, wasRunning });
    await run(context.target, `docker stop ${shellQuote(name)} >/dev/null && docker rename ${shellQuote(name)} ${shellQuote(keptName(name, context.migrationId))}`, `stop ${name}`, job.signal);
    const previous = step.resourceId ? context.local.forgetInstance(step.resourceId, step.params.environmentId) : null;
    return { stopping: true, wasRunning, previous };
  },
  async undo(step, context, done) {
    const name = step.params.containerName;
    const kept = keptName(name, context.migrationId);
    if ((await labelOf(context.target, 'container', kept, gantryLabels.migration)) !== null) await run(context.target, `docker rename ${shellQuote(kept)} ${shellQuote(name)}`, `put ${name} back`);
    if (done?.wasRunning !== false && (await labelOf(context.target, 'container', name, gantryLabels.migration)) !== null) {
      const running = await context.target.exec(`docker inspect --format '{{.State.Running}}' ${shellQuote(name)}`, {});
      if (running.stdout.trim() !== 'true') await run(context.target, `docker start ${shellQuote(name)} >/dev/null`, `restart ${name}`);
    }
    if (done?.previous) context.local.restoreInstance(done.previous);
  },
  finalize: (step, context, log) => removeKept(context, step.params.containerName, log),
});
