/**
 * The backups list lives on the server, beside the backups: one small JSON record per backup
 * (`<file>.backup.json`) in the resource's folder under Gantry's backup root. Team state lives on
 * servers, so every operator's Gantry sees the same list; the records hold no secret. Read back
 * through zod with a format version, as everything read from a server.
 */
import { GantryError } from '@shared/ipc/result';
import { backupRecord, type BackupRecord } from '@shared/migration/backups';
import { shellQuote, type RemoteHost } from '../servers/remote-host';

/** A backup's record (the schema is shared with the UI). */
export { backupRecord, type BackupRecord };

/**
 * Where backups go on a server: the SSH user's own `~/.gantry/backups` (beside Gantry's
 * snapshots), one folder per resource, readable only by that user. A shell expression.
 */
export const BACKUP_ROOT = '"$HOME/.gantry/backups"';

/** The record's path beside the dump. */
export function recordPath(file: string): string {
  return `${file}.backup.json`;
}

/** Writes a backup's record beside its file (mode 600, atomically). */
export async function writeBackupRecord(host: RemoteHost, record: BackupRecord, signal?: AbortSignal): Promise<void> {
  const path = recordPath(record.file);
  const result = await host.exec(`umask 077 && printf '%s\\n' ${shellQuote(JSON.stringify(backupRecord.parse(record)))} > ${shellQuote(`${path}.tmp`)} && mv ${shellQuote(`${path}.tmp`)} ${shellQuote(path)}`, signal ? { signal } : {});
  if (result.code !== 0) throw new GantryError('backup_failed', `Could not write the record of backup ${record.id} on ${host.label}: ${result.stderr.trim() || `exit ${result.code}`}`);
}

/**
 * Every backup on a server (of one resource, or all), newest first. A record that does not parse
 * is reported, not guessed at; a record whose file is gone is left out (its file was removed by hand).
 */
export async function listBackups(host: RemoteHost, options: { resourceId?: string; signal?: AbortSignal } = {}): Promise<{ backups: BackupRecord[]; unreadable: string[] }> {
  const folder = options.resourceId ? `"$root"/${shellQuote(options.resourceId)}` : '"$root"/*';
  const script = `root=${BACKUP_ROOT}; for f in ${folder}/*.backup.json; do [ -f "$f" ] || continue; d="\${f%.backup.json}"; [ -f "$d" ] || continue; printf '%s\\t' "$f"; tr -d '\\n' < "$f"; echo; done`;
  const result = await host.exec(script, options.signal ? { signal: options.signal } : {});
  if (result.code !== 0) throw new GantryError('backup_list_failed', `Could not list the backups on ${host.label}: ${result.stderr.trim() || `exit ${result.code}`}`);
  const backups: BackupRecord[] = [];
  const unreadable: string[] = [];
  for (const line of result.stdout.split('\n')) {
    if (!line.trim()) continue;
    const [path, json = ''] = line.split('\t');
    const parsed = backupRecord.safeParse(parseJson(json));
    if (parsed.success) backups.push(parsed.data);
    else unreadable.push(path ?? '?');
  }
  backups.sort((a, b) => b.takenAt - a.takenAt);
  return { backups, unreadable };
}

/** One backup by id, or a `not_found` error that says where Gantry looked. */
export async function findBackup(host: RemoteHost, resourceId: string, backupId: string, signal?: AbortSignal): Promise<BackupRecord> {
  const { backups } = await listBackups(host, { resourceId, ...(signal ? { signal } : {}) });
  const found = backups.find((backup) => backup.id === backupId);
  if (!found) throw new GantryError('not_found', `There is no backup ${backupId} on ${host.label} (it may have been pruned or removed by hand).`);
  return found;
}

/**
 * Which backups retention removes: all but the newest `keep` of each resource, except those a
 * migration still references for rollback (`pinned` migration ids). Pure, so it is unit-tested.
 */
export function backupsToPrune(backups: readonly BackupRecord[], keep: number, pinned: ReadonlySet<string>): BackupRecord[] {
  const byResource = new Map<string, BackupRecord[]>();
  for (const backup of backups) byResource.set(backup.resourceId, [...(byResource.get(backup.resourceId) ?? []), backup]);
  return [...byResource.values()].flatMap((list) =>
    [...list]
      .sort((a, b) => b.takenAt - a.takenAt)
      .slice(Math.max(keep, 1))
      .filter((backup) => !pinned.has(backup.migrationId)),
  );
}

/** Removes backups (file and record) from a server. */
export async function removeBackups(host: RemoteHost, backups: readonly BackupRecord[], signal?: AbortSignal): Promise<void> {
  if (backups.length === 0) return;
  const paths = backups.flatMap((backup) => [backup.file, recordPath(backup.file)]).map(shellQuote).join(' ');
  const result = await host.exec(`rm -f ${paths}`, signal ? { signal } : {});
  if (result.code !== 0) throw new GantryError('backup_prune_failed', `Could not remove old backups on ${host.label}: ${result.stderr.trim() || `exit ${result.code}`}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** How many backups of each resource a server keeps when no one has set it there. */
export const DEFAULT_BACKUPS_KEPT = 10;

/** The server's retention setting (`<root>/keep`: backups kept per resource), shared by every operator's Gantry. */
export async function readRetention(host: RemoteHost, signal?: AbortSignal): Promise<number> {
  const result = await host.exec(`cat ${BACKUP_ROOT}/keep 2>/dev/null || true`, signal ? { signal } : {});
  const keep = Number.parseInt(result.stdout.trim(), 10);
  return Number.isInteger(keep) && keep >= 1 && keep <= 1000 ? keep : DEFAULT_BACKUPS_KEPT;
}

/** Sets the server's retention (1 to 1000 backups per resource). */
export async function writeRetention(host: RemoteHost, keep: number, signal?: AbortSignal): Promise<void> {
  if (!Number.isInteger(keep) || keep < 1 || keep > 1000) throw new GantryError('invalid_request', 'Keep between 1 and 1000 backups per resource.');
  const result = await host.exec(`umask 077 && mkdir -p ${BACKUP_ROOT} && echo ${keep} > ${BACKUP_ROOT}/keep`, signal ? { signal } : {});
  if (result.code !== 0) throw new GantryError('backup_failed', `Could not set the backup retention on ${host.label}: ${result.stderr.trim()}`);
}

/** Applies retention to one resource's backups: all but the newest `keep` go, except those of `pinned` migrations. Returns what was removed. */
export async function pruneBackups(host: RemoteHost, resourceId: string, pinned: ReadonlySet<string>, signal?: AbortSignal): Promise<BackupRecord[]> {
  const keep = await readRetention(host, signal);
  const { backups } = await listBackups(host, { resourceId, ...(signal ? { signal } : {}) });
  const doomed = backupsToPrune(backups, keep, pinned);
  await removeBackups(host, doomed, signal);
  return doomed;
}

/** A run as retention reads it (a journal summary). */
export interface BackupRetentionRun {
  id: string;
  kind: string;
  status: string;
}

/**
 * The migrations whose backups retention never prunes: every completed migration that can still
 * be rolled back (not itself rolled back), whose backup holds the data from before it — wanted
 * back with its containers. Plus the run that just completed. Pure, so it is unit-tested.
 */
export function pinnedMigrations(runs: readonly BackupRetentionRun[], justCompleted: string): Set<string> {
  const pinned = runs.filter((run) => run.kind === 'migrate' && (run.status === 'completed' || run.status === 'completed_with_warning')).map((run) => run.id);
  return new Set([...pinned, justCompleted]);
}

/**
 * After a completed run: retention (the server's setting) prunes the older backups of every
 * resource the run backed up, never a backup a completed migration still references for rollback
 * nor this run's own. Logs what went.
 */
export async function pruneBackupsAfterRun(host: RemoteHost, run: { id: string; steps: readonly { kind: string; resourceId?: string; params?: unknown }[] }, runs: readonly BackupRetentionRun[], log: (level: 'info' | 'warn', message: string) => void): Promise<void> {
  const pinned = pinnedMigrations(runs, run.id);
  for (const step of run.steps) {
    if (step.kind !== 'backup-database' || !step.resourceId) continue;
    const name = (step.params as { resourceName?: string } | undefined)?.resourceName ?? step.resourceId;
    try {
      const removed = await pruneBackups(host, step.resourceId, pinned);
      if (removed.length > 0) log('info', `Retention removed ${removed.length} older ${removed.length === 1 ? 'backup' : 'backups'} of ${name}: ${removed.map((backup) => backup.id).join(', ')} (a backup a completed migration can still be rolled back with is kept)`);
    } catch (error) {
      log('warn', `Retention of ${name}'s backups: ${(error as Error).message}`);
    }
  }
}
