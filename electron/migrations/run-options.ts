import { runOptions } from '@shared/migration/views';

/** Options of one run (the operator's choices at start; journaled with the run). */
export interface RunOptions {
  waitForReady: boolean;
  healthTimeoutSec: number;
  /** GET this path on a resource's published port when it has no Docker health check. */
  httpCheckPath?: string | null;
  /** False when the operator turned the backup before a production change off for this run. */
  backupBeforeProduction?: boolean;
  /** Database resources whose data is copied from the source environment (never into production). */
  copyData?: string[];
  /** Most resources of a batch running at once on the target server (the settings' value when absent). */
  batchConcurrency?: number;
  /** Undo the whole batch when any resource fails (by default only it and its dependants are undone). */
  allOrNothing?: boolean;
}

/** Reads a run's journaled options; unreadable ones fall back to the defaults a recovery needs (no waiting). */
export function readRunOptions(json: string): RunOptions {
  try {
    const parsed = runOptions.safeParse(JSON.parse(json));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through
  }
  return { waitForReady: false, healthTimeoutSec: 5, httpCheckPath: null };
}
