import { z } from 'zod';
import { createContainer, removeOwnContainer, removeOwnNetworks, resourceOf } from './step-context';
import { defineStep } from './step-module';

/** Creates and starts a container from the resource's desired spec (clone); undo removes it and the networks it created. */
export const createContainerStep = defineStep({
  kind: 'create-container',
  result: z.object({ containerId: z.string().optional(), createdNetworks: z.array(z.string()).optional() }),
  intent: (step) => ({ containerName: step.params.containerName }),
  async run(step, context, job) {
    const id = await createContainer(context, resourceOf(context, step), step.params.containerName, job.checkpoint, job.signal);
    return { containerId: id };
  },
  async undo(step, context, done) {
    await removeOwnContainer(context.target, step.params.containerName, context.migrationId);
    await removeOwnNetworks(context.target, done?.createdNetworks, context.migrationId);
  },
});
