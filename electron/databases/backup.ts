/**
 * A verified backup of one database container, taken on its own server (the data never leaves
 * it): dump into Gantry's backup folder, record size, SHA-256 and the adapter's content checksum,
 * then prove the file sound — its SHA-256 read back from disk equals the stream's, and the
 * engine's own reader accepts it, and where that is cheap (PostgreSQL, Redis) it restores into a
 * throwaway container with the live database's content checksum. A backup that fails a proof is removed and is an error: the
 * step that took it stops the migration before anything changed. Restoring one checks the file's
 * SHA-256 first and the content checksum after.
 */
import { createHash } from 'node:crypto';
import { GantryError } from '@shared/ipc/result';
import { shellQuote, type RemoteHost } from '../servers/remote-host';
import type { DatabaseAdapter, DatabaseTarget, DumpFormat } from './adapter';
import { dumpExtension, dumpToFileCommand, readabilityCheck, rereadCommand } from './backup-commands';
import { BACKUP_ROOT, recordPath, writeBackupRecord, type BackupRecord } from './backup-manifest';
import { compareChecksums, type DatabaseChecksum } from './checksum';
import { throwawayChecksum, verifiesByRestore } from './backup-verify';

/** What a backup is of and for. */
export interface BackupRequest {
  adapter: DatabaseAdapter;
  target: DatabaseTarget;
  resourceId: string;
  resourceName: string;
  migrationId: string;
  signal?: AbortSignal;
  /** Reports what the backup is doing (for the step's progress). */
  onProgress?: (message: string) => void;
}

/** The SHA-256 of a content checksum: one comparable value for the record. */
export function contentDigest(checksum: DatabaseChecksum): string {
  return createHash('sha256').update(JSON.stringify(checksum.entries)).digest('hex');
}

async function exec(host: RemoteHost, command: string, what: string, signal?: AbortSignal): Promise<string> {
  const result = await host.exec(command, signal ? { signal } : {});
  if (result.code !== 0) throw new GantryError('backup_failed', `Could not ${what} on ${host.label}: ${result.stderr.trim().split('\n').slice(-3).join(' ') || `exit code ${result.code}`}`);
  return result.stdout;
}

/** The database's content checksum, read live. */
export async function liveChecksum(host: RemoteHost, adapter: DatabaseAdapter, target: DatabaseTarget, signal?: AbortSignal): Promise<DatabaseChecksum> {
  return adapter.parseChecksum(await exec(host, adapter.commands(target).checksum, `compute the content checksum of ${target.container}`, signal));
}

/** Where this backup's file goes: `<root>/<resourceId>/<UTC time>-<migration>.<ext>`. */
async function backupFile(host: RemoteHost, request: BackupRequest, takenAt: number): Promise<string> {
  if (!/^[A-Za-z0-9._-]+$/.test(request.resourceId)) throw new GantryError('invalid_plan', `Resource id ${request.resourceId} cannot name a backup folder.`);
  const root = (await exec(host, `echo ${BACKUP_ROOT}`, 'find the backup folder', request.signal)).trim();
  const stamp = new Date(takenAt).toISOString().replace(/[:.]/g, '-');
  return `${root}/${request.resourceId}/${stamp}-${request.migrationId.slice(0, 8)}.${dumpExtension[request.adapter.dumpFormat]}`;
}

/**
 * Takes and verifies a backup; returns its record (also written beside the file on the server).
 * Throws `backup_failed` (the dump did not finish) or `backup_unverified` (the file is not sound).
 */
export async function takeBackup(host: RemoteHost, request: BackupRequest, now: () => number = Date.now): Promise<BackupRecord> {
  const { adapter, target, signal } = request;
  const commands = adapter.commands(target);
  const takenAt = now();
  const file = await backupFile(host, request, takenAt);
  request.onProgress?.(`Dumping ${target.container} into ${file}`);
  const streamSha = (await exec(host, dumpToFileCommand(commands.dump, file), `dump ${target.container}`, signal)).trim();
  try {
    const checksum = await liveChecksum(host, adapter, target, signal);
    request.onProgress?.('Verifying the backup');
    const verified = await verifyFile(host, adapter.dumpFormat, target.container, file, streamSha, signal);
    let how = verified.how;
    let content = checksum;
    if (verifiesByRestore(adapter.type, verified.sizeBytes)) {
      request.onProgress?.('Restoring the backup into a throwaway container');
      const restored = await throwawayChecksum(host, adapter, target, file, request.migrationId, signal);
      if (contentDigest(restored) === contentDigest(checksum)) {
        how += `; restored into a throwaway container with the source's content checksum (${restored.entries.length} entries)`;
      } else if (contentDigest(await liveChecksum(host, adapter, target, signal)) === contentDigest(checksum)) {
        const differing = compareChecksums(checksum, restored).differences.map((entry) => entry.name);
        throw new GantryError('backup_unverified', `The backup ${file} on ${host.label} restores into a throwaway container with other content than ${target.container} holds (${differing.length} ${differing.length === 1 ? 'entry differs' : 'entries differ'}: ${differing.slice(0, 3).join(', ')}): it would not bring the data back. Nothing was changed.`);
      } else {
        // The live database changed during the backup: the backup's own content is what a restore brings back.
        how += '; restored into a throwaway container (the database changed while it was backed up, so the content checksum is the backup’s own)';
        content = restored;
      }
    }
    const record: BackupRecord = {
      format: 1,
      id: `${request.resourceId}/${file.split('/').pop()!}`,
      resourceId: request.resourceId,
      resourceName: request.resourceName,
      containerName: target.container,
      databaseType: adapter.type,
      file,
      sizeBytes: verified.sizeBytes,
      sha256: streamSha,
      contentChecksum: contentDigest(content),
      contentEntries: content.entries.length,
      verified: how,
      takenAt,
      migrationId: request.migrationId,
    };
    await writeBackupRecord(host, record, signal);
    return record;
  } catch (error) {
    await host.exec(`rm -f ${shellQuote(file)} ${shellQuote(recordPath(file))}`, {}).catch(() => undefined);
    throw error;
  }
}

/** Re-reads the file's SHA-256 (it must equal `expectedSha`) and proves it readable. */
export async function verifyFile(host: RemoteHost, format: DumpFormat, container: string, file: string, expectedSha: string, signal?: AbortSignal): Promise<{ sizeBytes: number; how: string }> {
  const [sha = '', size = ''] = (await exec(host, rereadCommand(file), `read back ${file}`, signal)).trim().split('\n');
  if (!/^[0-9a-f]{64}$/.test(expectedSha) || sha.trim() !== expectedSha) {
    throw new GantryError('backup_unverified', `The backup ${file} on ${host.label} reads back with another SHA-256 than was written (${sha.slice(0, 12) || 'none'} ≠ ${expectedSha.slice(0, 12) || 'none'}): the disk did not keep it whole. Nothing was changed.`);
  }
  const sizeBytes = Number.parseInt(size.trim(), 10);
  if (!(sizeBytes > 0)) throw new GantryError('backup_unverified', `The backup ${file} on ${host.label} is empty. Nothing was changed.`);
  const check = readabilityCheck(format, container, file);
  const result = await host.exec(check.command, signal ? { signal } : {});
  if (result.code !== 0) {
    throw new GantryError('backup_unverified', `The backup ${file} on ${host.label} cannot be read back (${result.stderr.trim().split('\n').slice(-2).join(' ') || `exit code ${result.code}`}). Nothing was changed.`);
  }
  return { sizeBytes, how: check.describe(result.stdout) };
}

/**
 * Replaces the container's data with a backup: the file's SHA-256 is checked first (a changed
 * file is refused), the content checksum after (returned, with whether it equals the backup's).
 */
export async function restoreBackup(host: RemoteHost, adapter: DatabaseAdapter, target: DatabaseTarget, backup: Pick<BackupRecord, 'file' | 'sha256' | 'contentChecksum'>, signal?: AbortSignal): Promise<{ contentChecksum: string; matches: boolean }> {
  const [sha = ''] = (await exec(host, rereadCommand(backup.file), `read ${backup.file}`, signal)).trim().split('\n');
  if (sha.trim() !== backup.sha256) throw new GantryError('backup_unverified', `The backup ${backup.file} on ${host.label} was changed since it was taken (its SHA-256 differs); Gantry does not restore it.`);
  const commands = adapter.commands(target);
  await exec(host, `${commands.restore} < ${shellQuote(backup.file)}`, `restore ${backup.file} into ${target.container}`, signal);
  if (adapter.restoreRestartsContainer) await waitReady(host, commands.readiness, signal);
  const digest = contentDigest(await liveChecksum(host, adapter, target, signal));
  return { contentChecksum: digest, matches: digest === backup.contentChecksum };
}

async function waitReady(host: RemoteHost, readiness: string, signal?: AbortSignal): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if ((await host.exec(readiness, signal ? { signal } : {})).code === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new GantryError('backup_failed', `The database did not answer within 60 s after the restore on ${host.label}.`);
}
