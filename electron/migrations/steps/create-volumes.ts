import { z } from 'zod';
import { gantryLabels } from '@shared/spec/resource-spec';
import { shellQuote } from '../../servers/remote-host';
import { labelOf, run } from './step-context';
import { defineStep } from './step-module';

/** Creates new, empty named volumes labelled with the run; undo removes those that carry its label. */
export const createVolumesStep = defineStep({
  kind: 'create-volumes',
  result: z.object({ created: z.array(z.string()) }),
  intent: (step) => ({ volumes: step.params.volumes }),
  async run(step, context, job) {
    const created: string[] = [];
    for (const volume of step.params.volumes) {
      job.throwIfCancelled();
      await run(context.target, `docker volume create --label ${shellQuote(`${gantryLabels.migration}=${context.migrationId}`)} ${shellQuote(volume)} >/dev/null`, `create volume ${volume}`, job.signal);
      created.push(volume);
      job.checkpoint({ created: [...created] });
    }
    return { created };
  },
  // From the params, not the result: a volume created just before a crash is not checkpointed yet.
  async undo(step, context) {
    for (const volume of step.params.volumes) {
      if ((await labelOf(context.target, 'volume', volume, gantryLabels.migration)) === context.migrationId) {
        await run(context.target, `docker volume rm ${shellQuote(volume)} >/dev/null`, `remove volume ${volume}`);
      }
    }
  },
});
