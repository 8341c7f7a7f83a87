import { recordResult } from '../records';
import { defineStep } from './step-module';

/** Records the spec the container now runs (read back from it, sealed) and its hash; undo restores the previous record. */
export const recordResourceStep = defineStep({
  kind: 'record-resource',
  result: recordResult,
  run: (step, context) => context.local.recordResource(step.resourceId ?? '', step.params.containerName),
  async undo(step, context, done) {
    context.local.undoRecordResource(step.resourceId ?? '', done);
  },
});
