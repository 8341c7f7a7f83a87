import { recordResult } from '../records';
import { defineStep } from './step-module';

/** Records the spec the container now runs (read back from it, sealed) and its hash; undo restores the previous record. */
export const recordResourceStep = defineStep({
  kind: 'record-resource',
  result: recordResult,
  async run(step, context, job) {
    // Journaled first: an engine killed after recording but before journaling it still undoes it.
    job.checkpoint({ previous: context.local.currentRecord(step.resourceId ?? ''), recordedAfter: Date.now() });
    return context.local.recordResource(step.resourceId ?? '', step.params.containerName);
  },
  async undo(step, context, done) {
    context.local.undoRecordResource(step.resourceId ?? '', done);
  },
});
