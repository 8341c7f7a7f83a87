/**
 * Retention of the snapshots promotes keep on target servers (`<migration id>-<resource id>.json`
 * under the SSH user's `~/.gantry/snapshots`). After each completed run Gantry removes the
 * snapshots of its own earlier runs into that server that are no longer needed:
 * - a snapshot a completed migration still needs for its rollback is kept (the newest run that
 *   changed that resource, completed and not rolled back: rollback refuses older ones anyway);
 * - the newest few snapshots of each resource are kept besides, for "restore this snapshot";
 * - files of runs this installation does not know (another operator's Gantry) are never touched.
 */
import type { MigrationSummary } from '@shared/migration/views';
import { shellQuote, type RemoteHost } from '../servers/remote-host';
import { SNAPSHOT_DIR } from './snapshots';

/** How many of each resource's newest snapshots stay on a server for History's restore. */
export const SNAPSHOTS_KEPT_PER_RESOURCE = 5;

const snapshotName = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(.+)\.json$/;

/** The runs a retention decision reads (summaries as the journal lists them). */
export type RetentionRun = Pick<MigrationSummary, 'id' | 'kind' | 'status' | 'createdAt' | 'rolledBackBy'> & { resources: (Pick<MigrationSummary['resources'][number], 'resourceId'> & { mode?: MigrationSummary['resources'][number]['mode'] })[] };

/** Which snapshot files (names in the snapshot folder) can go, newest runs and rollback needs kept. */
export function snapshotsToPrune(files: readonly string[], runs: readonly RetentionRun[], keptPerResource = SNAPSHOTS_KEPT_PER_RESOURCE): string[] {
  const byId = new Map(runs.map((run) => [run.id, run]));
  const ours = files.flatMap((file) => {
    const match = snapshotName.exec(file);
    const run = match ? byId.get(match[1]!) : undefined;
    return match && run ? [{ file, run, resourceId: match[2]! }] : [];
  });
  const keep = new Set<string>();
  for (const resourceId of new Set(ours.map((entry) => entry.resourceId))) {
    const newestFirst = ours.filter((entry) => entry.resourceId === resourceId).sort((a, b) => b.run.createdAt - a.run.createdAt);
    for (const entry of newestFirst.slice(0, keptPerResource)) keep.add(entry.file);
    const latestChange = runs
      .filter((run) => ['running', 'completed', 'completed_with_warning'].includes(run.status) && run.resources.some((resource) => resource.resourceId === resourceId && resource.mode !== 'unchanged'))
      .sort((a, b) => b.createdAt - a.createdAt)[0];
    const rollbackNeeds = latestChange && latestChange.kind === 'migrate' && !latestChange.rolledBackBy ? newestFirst.find((entry) => entry.run.id === latestChange.id) : undefined;
    if (rollbackNeeds) keep.add(rollbackNeeds.file);
  }
  return ours.filter((entry) => !keep.has(entry.file)).map((entry) => entry.file);
}

/**
 * Removes the snapshots on `host` that retention lets go; returns their names. Never throws: a
 * failed clean-up is logged as a warning and left for the next run.
 */
export async function pruneSnapshots(host: RemoteHost, runs: readonly RetentionRun[], log: (level: 'info' | 'warn', message: string) => void): Promise<string[]> {
  try {
    const listed = await host.exec(`ls -1 ${SNAPSHOT_DIR} 2>/dev/null || true`, {});
    const prune = snapshotsToPrune(listed.stdout.split('\n').map((line) => line.trim()).filter(Boolean), runs);
    if (prune.length === 0) return [];
    const removed = await host.exec(`cd ${SNAPSHOT_DIR} && rm -f -- ${prune.map(shellQuote).join(' ')}`, {});
    if (removed.code !== 0) throw new Error(removed.stderr.trim() || `exit ${removed.code}`);
    log('info', `Removed ${prune.length} snapshot${prune.length === 1 ? '' : 's'} of earlier runs from ${host.label} (no rollback needs them; the newest ${SNAPSHOTS_KEPT_PER_RESOURCE} per resource stay)`);
    return prune;
  } catch (error) {
    log('warn', `Old snapshots on ${host.label} were not cleaned up: ${(error as Error).message}`);
    return [];
  }
}
