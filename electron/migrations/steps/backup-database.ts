import { z } from 'zod';
import { GantryError } from '@shared/ipc/result';
import { takeBackup } from '../../databases/backup';
import { BACKUP_ROOT } from '../../databases/backup-manifest';
import { detectDatabase, adapterFor } from '../../databases/registry';
import { resourceOf, run } from './step-context';
import { defineStep } from './step-module';

/**
 * The backup before a production change: a verified dump of the live database on its own server
 * (see `databases/backup.ts`). It runs before any step that changes the target, so when it
 * cannot be verified the run stops with nothing changed. Undo removes only an unfinished dump: a
 * finished backup stays (it is the operator's safety net even when the run is undone); retention
 * prunes older ones after a completed run (`pruneBackupsAfterRun`, called by the run path).
 */
export const backupDatabaseStep = defineStep({
  kind: 'backup-database',
  result: z.object({
    backupId: z.string(),
    file: z.string(),
    sizeBytes: z.number(),
    sha256: z.string(),
    contentChecksum: z.string(),
    contentEntries: z.number(),
    verified: z.string(),
    takenAt: z.number(),
  }),
  async run(step, context, job) {
    const resource = resourceOf(context, step);
    const detected = detectDatabase(resource.desiredSpec).best;
    if (!detected) throw new GantryError('backup_failed', `Gantry cannot tell which database engine ${step.params.resourceName} runs, so it cannot back it up. Nothing was changed.`);
    const record = await takeBackup(context.target, {
      adapter: adapterFor(detected.type),
      target: { container: step.params.containerName, spec: resource.desiredSpec },
      resourceId: resource.resourceId,
      resourceName: step.params.resourceName,
      migrationId: context.migrationId,
      signal: job.signal,
      onProgress: (message) => job.progress(50, message),
    });
    job.log('info', `Backup of ${step.params.resourceName}: ${record.file} (${record.sizeBytes} bytes, SHA-256 ${record.sha256}); verified: SHA-256 read back, ${record.verified}`);
    return {
      backupId: record.id,
      file: record.file,
      sizeBytes: record.sizeBytes,
      sha256: record.sha256,
      contentChecksum: record.contentChecksum,
      contentEntries: record.contentEntries,
      verified: record.verified,
      takenAt: record.takenAt,
    };
  },
  /** A dump cut off (engine killed, connection lost) leaves only this run's unnamed `.partial` file: remove it. A finished backup stays. */
  async undo(step, context) {
    if (!step.resourceId || !/^[A-Za-z0-9._-]+$/.test(step.resourceId)) return;
    const pattern = `${BACKUP_ROOT}/${step.resourceId}/*-${context.migrationId.slice(0, 8)}.*`;
    await run(context.target, `for f in ${pattern}.partial ${pattern}.rc; do [ -e "$f" ] && rm -f "$f"; done; true`, 'remove an unfinished backup');
  },
});
