import { z } from 'zod';
import { GantryError } from '@shared/ipc/result';
import { shellQuote } from '../../servers/remote-host';
import { ensureImageOnTarget, restoreImageOnTarget } from '../image-transfer';
import { defineStep } from './step-module';

/** Copies the image to the target (unless it has it), by pull or by a stream of the layers it lacks; undo puts the target's tag back. */
export const transferImageStep = defineStep({
  kind: 'transfer-image',
  result: z.object({
    method: z.enum(['present', 'pulled', 'streamed']).optional(),
    previousId: z.string().nullable(),
    bytes: z.number().optional(),
    stream: z
      .object({ route: z.enum(['direct', 'relay']), codec: z.enum(['zstd', 'pigz', 'gzip', 'none']), layersSkipped: z.number(), layersTotal: z.number() })
      .optional(),
  }),
  intent: (step) => ({ imageRef: step.params.imageRef, imageId: step.params.imageId }),
  async run(step, context, job) {
    const { imageRef, imageId } = step.params;
    if (!imageId) throw new GantryError('image_missing', `The source has no image id for ${imageRef}; re-plan the migration.`);
    // Journaled before anything moves: an undo after a crash mid-transfer puts this tag back.
    const before = await context.target.exec(`docker image inspect --format '{{.Id}}' ${shellQuote(imageRef)} 2>/dev/null`, { signal: job.signal });
    job.checkpoint({ previousId: before.code === 0 ? before.stdout.trim() || null : null });
    const outcome = await ensureImageOnTarget({
      source: context.source,
      target: context.target,
      imageRef,
      imageId,
      signal: job.signal,
      onProgress: (sent, total) => job.progress(total ? Math.min(99, (sent / total) * 100) : 50, `${(sent / 1e6).toFixed(1)} MB sent`),
      onLog: (message) => job.log('info', message),
    });
    const how = outcome.stream ? `, ${outcome.stream.route === 'direct' ? 'server to server' : 'through this machine'}, ${outcome.stream.codec === 'none' ? 'uncompressed' : outcome.stream.codec}` : '';
    job.log('info', outcome.method === 'present' ? `${context.target.label} already has ${imageRef}` : `${imageRef} ${outcome.method} to ${context.target.label} (${(outcome.bytes / 1e6).toFixed(1)} MB${how})`);
    return outcome;
  },
  async undo(step, context, done) {
    // No method journaled: the step stopped mid-transfer, so the image may or may not have arrived.
    if (done) await restoreImageOnTarget(context.target, step.params.imageRef, { method: done.method ?? 'streamed', previousId: done.previousId ?? null, bytes: done.bytes ?? 0 });
  },
});
