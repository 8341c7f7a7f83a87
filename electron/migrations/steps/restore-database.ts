import { z } from 'zod';
import { GantryError } from '@shared/ipc/result';
import { restoreBackup } from '../../databases/backup';
import { listBackups } from '../../databases/backup-manifest';
import { adapterFor, detectDatabase } from '../../databases/registry';
import type { DatabaseAdapter } from '../../databases/adapter';
import { resourceOf, type ExecutionContext } from './step-context';
import { defineStep } from './step-module';
import type { StepOf } from '@shared/migration/steps';

function adapterOf(step: StepOf<'restore-database'>, context: ExecutionContext): { adapter: DatabaseAdapter; spec: ReturnType<typeof resourceOf>['desiredSpec'] } {
  const resource = resourceOf(context, step);
  const detected = detectDatabase(resource.desiredSpec).best;
  if (!detected) throw new GantryError('restore_failed', `Gantry cannot tell which database engine ${step.params.resourceName} runs.`);
  return { adapter: adapterFor(detected.type), spec: resource.desiredSpec };
}

/**
 * "Restore this backup": replaces the database's data with a verified backup, refusing a file
 * whose SHA-256 changed, and proves the result by the adapter's content checksum (it must equal
 * the backup's). The run's own backup, taken just before by the `backup-database` step, is found
 * and journaled first: undo restores it, so a restore is itself undoable.
 */
export const restoreDatabaseStep = defineStep({
  kind: 'restore-database',
  result: z.object({
    safetyFile: z.string(),
    safetySha256: z.string(),
    safetyContentChecksum: z.string(),
    restored: z.boolean().optional(),
    contentChecksum: z.string().optional(),
  }),
  async run(step, context, job) {
    const { adapter, spec } = adapterOf(step, context);
    const resourceId = step.resourceId!;
    const safety = (await listBackups(context.target, { resourceId, signal: job.signal })).backups.find((backup) => backup.migrationId === context.migrationId);
    if (!safety) throw new GantryError('restore_failed', `This run took no backup of ${step.params.resourceName} first, so the restore could not be undone; nothing was changed.`);
    const kept = { safetyFile: safety.file, safetySha256: safety.sha256, safetyContentChecksum: safety.contentChecksum };
    job.checkpoint(kept);
    job.progress(30, `Restoring ${step.params.backupId}`);
    const outcome = await restoreBackup(context.target, adapter, { container: step.params.containerName, spec }, step.params, job.signal);
    if (!outcome.matches) throw new GantryError('restore_mismatch', `${step.params.containerName} does not hold the backup's content after the restore (content checksum ${outcome.contentChecksum.slice(0, 12)} ≠ ${step.params.contentChecksum.slice(0, 12)}).`);
    job.log('info', `${step.params.containerName} holds the content of ${step.params.backupId} again (content checksum ${outcome.contentChecksum})`);
    return { ...kept, restored: true, contentChecksum: outcome.contentChecksum };
  },
  async undo(step, context, done) {
    // Before the safety backup was journaled nothing was restored.
    if (!done?.safetyFile || !done.safetySha256 || !done.safetyContentChecksum) return;
    const { adapter, spec } = adapterOf(step, context);
    const outcome = await restoreBackup(context.target, adapter, { container: step.params.containerName, spec }, { file: done.safetyFile, sha256: done.safetySha256, contentChecksum: done.safetyContentChecksum });
    if (!outcome.matches) throw new GantryError('restore_mismatch', `${step.params.containerName} does not hold its content from before the restore after putting the safety backup ${done.safetyFile} back.`);
  },
});
