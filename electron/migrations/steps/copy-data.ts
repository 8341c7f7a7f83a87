import { z } from 'zod';
import { formatBytes } from '@shared/format-bytes';
import { GantryError } from '@shared/ipc/result';
import { contentDigest, liveChecksum, restoreBackup, takeBackup } from '../../databases/backup';
import { BACKUP_ROOT, backupRecord, recordPath } from '../../databases/backup-manifest';
import { compareChecksums } from '../../databases/checksum';
import { estimateDumpBytes, liveDatabaseTarget, streamDump, waitUntilReady, type CopyEnd } from '../../databases/copy-stream';
import { adapterFor } from '../../databases/registry';
import { shellQuote } from '../../servers/remote-host';
import type { ExecutionContext } from './step-context';
import { defineStep } from './step-module';

/** How long a freshly created database may take to answer before the copy gives up. */
const READY_MS = 120_000;


/**
 * Test-data copy: the target's own data is saved on the target server first (a verified dump),
 * then the source's dump is streamed into the target's restore, and the two servers' content
 * checksums must be equal. Undo puts the saved data back and checks the target's checksum equals
 * its value before. The source is only read. Never into production (the parameters cannot say so).
 */
export const copyDataStep = defineStep({
  kind: 'copy-data',
  result: z.object({
    saved: backupRecord,
    estimateBytes: z.number(),
    dumpBytes: z.number(),
    sentBytes: z.number(),
    ms: z.number(),
    beforeChecksum: z.string(),
    copiedChecksum: z.string(),
    entries: z.number(),
  }),
  async run(step, context, job) {
    const { params } = step;
    if (params.targetProduction !== false) throw new GantryError('forbidden', 'Test data is never copied into a production environment.');
    const adapter = adapterFor(params.databaseType);
    const { source, target } = await ends(context, params.sourceContainer, params.targetContainer);
    job.progress(2, `Waiting for ${params.targetContainer} to answer`);
    await waitUntilReady(target, adapter, job.signal, READY_MS);
    await waitUntilReady(source, adapter, job.signal, READY_MS);
    const estimateBytes = await estimateDumpBytes(source, adapter, job.signal);
    job.log('info', `ALL data in ${params.targetEnvironment}'s ${params.resourceName} on ${context.target.label} is replaced by ${params.sourceEnvironment}'s (${adapter.label}, about ${formatBytes(estimateBytes)})`);

    job.progress(5, `Saving ${params.targetEnvironment}'s data on ${context.target.label} first`);
    const saved = await takeBackup(context.target, {
      adapter,
      target: target.target,
      resourceId: step.resourceId ?? params.targetContainer,
      resourceName: params.resourceName,
      migrationId: context.migrationId,
      signal: job.signal,
    });
    job.checkpoint({ saved, beforeChecksum: saved.contentChecksum });
    job.log('info', `Saved ${params.targetEnvironment}'s data: ${saved.file} (${formatBytes(saved.sizeBytes)}, SHA-256 ${saved.sha256.slice(0, 12)}…, ${saved.verified})`);

    const outcome = await streamDump(source, target, adapter, {
      signal: job.signal,
      estimateBytes,
      // Which way the dump goes (server to server, or through this machine) and its codec, each with why.
      onLog: (message) => job.log('info', message),
      onBytes: (dumpBytes) => job.progress(10 + Math.round(80 * Math.min(1, dumpBytes / Math.max(1, estimateBytes))), `Copied ${formatBytes(dumpBytes)} of about ${formatBytes(estimateBytes)}`),
    });
    const how = `${outcome.route === 'direct' ? `straight from ${context.source.label}` : 'through this machine'}, ${outcome.codec === 'none' ? 'uncompressed' : `${formatBytes(outcome.sentBytes)} with ${outcome.codec}`}`;
    job.log('info', `Streamed ${formatBytes(outcome.dumpBytes)} of dump (${how}) in ${(outcome.ms / 1000).toFixed(1)} s; the estimate was ${formatBytes(estimateBytes)}`);
    if (adapter.restoreRestartsContainer) await waitUntilReady(target, adapter, job.signal, READY_MS);

    job.progress(92, 'Comparing the checksums of both servers');
    const [fromSource, fromTarget] = await Promise.all([liveChecksum(context.source, adapter, source.target, job.signal), liveChecksum(context.target, adapter, target.target, job.signal)]);
    const comparison = compareChecksums(fromSource, fromTarget);
    if (!comparison.equal) {
      const where = comparison.differences.slice(0, 5).map((difference) => difference.name).join(', ');
      throw new GantryError('checksum_mismatch', `After the copy ${params.targetEnvironment}'s ${params.resourceName} does not hold what ${params.sourceEnvironment}'s does (checksums differ in ${where || 'the list of tables or keys'}).`);
    }
    const copiedChecksum = contentDigest(fromTarget);
    job.log('info', `Checksums equal on both servers: ${fromTarget.entries.length} ${fromTarget.entries.length === 1 ? 'entry' : 'entries'}, ${fromTarget.entries.reduce((sum, entry) => sum + entry.count, 0)} rows or elements (content SHA-256 ${copiedChecksum.slice(0, 12)}…)`);
    return { saved, estimateBytes, dumpBytes: outcome.dumpBytes, sentBytes: outcome.sentBytes, ms: outcome.ms, beforeChecksum: saved.contentChecksum, copiedChecksum, entries: fromTarget.entries.length };
  },
  async undo(step, context, done) {
    // Before the saved copy existed nothing of the target had been replaced.
    if (!done?.saved) return;
    const { params } = step;
    const adapter = adapterFor(params.databaseType);
    const target = { host: context.target, target: await liveDatabaseTarget(context.target, params.targetContainer) };
    const signal = new AbortController().signal;
    // A restore cut off mid-way may have left the server restarting: wait until it answers.
    await waitUntilReady(target, adapter, signal, READY_MS).catch(() => undefined);
    const restored = await restoreBackup(context.target, adapter, target.target, done.saved, signal);
    if (!restored.matches) {
      throw new GantryError('undo_failed', `${params.targetEnvironment}'s ${params.resourceName} was put back from ${done.saved.file}, but its checksum differs from before the copy; the file is kept on ${context.target.label}.`);
    }
    await removeSaved(context, done.saved.file);
  },
  async finalize(step, context, log) {
    const file = await savedFile(context, step.id);
    if (file) {
      await removeSaved(context, file);
      log('info', `Removed the saved copy of ${step.params.targetEnvironment}'s previous data (${file}).`);
    }
  },
  async verify(step, context, outcome) {
    if (outcome !== 'undone') return [];
    const file = await savedFile(context, step.id);
    if (!file) return [];
    return [`The saved copy of ${step.params.targetEnvironment}'s data is still at ${file} on ${context.target.label}.`];
  },
});

async function ends(context: ExecutionContext, sourceContainer: string, targetContainer: string): Promise<{ source: CopyEnd; target: CopyEnd }> {
  const [source, target] = await Promise.all([liveDatabaseTarget(context.source, sourceContainer), liveDatabaseTarget(context.target, targetContainer)]);
  return { source: { host: context.source, target: source }, target: { host: context.target, target } };
}

async function removeSaved(context: ExecutionContext, file: string): Promise<void> {
  await context.target.exec(`rm -f ${shellQuote(file)} ${shellQuote(recordPath(file))}`, {});
}

/** The saved file of this run's copy step, found on the target by the migration id in its name (undefined when gone). */
async function savedFile(context: ExecutionContext, stepId: string): Promise<string | undefined> {
  const resourceId = stepId.slice(stepId.indexOf(':') + 1);
  if (!/^[A-Za-z0-9._-]+$/.test(resourceId)) return undefined;
  const result = await context.target.exec(`ls -1 ${BACKUP_ROOT}/${shellQuote(resourceId)}/*-${context.migrationId.slice(0, 8)}.* 2>/dev/null | grep -v '\\.json$' | head -n 1`, {});
  return result.stdout.trim() || undefined;
}
