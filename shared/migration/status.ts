/**
 * The lifecycle of a migration record. More than running/done so approvals, rejections and
 * rollbacks (ROADMAP: production safety) fit without a schema change: the same strings are
 * stored in the `migrations.status` column.
 */
import { z } from 'zod';

/** Every status a migration (or rollback) record can have. */
export const migrationStatus = z.enum([
  /** Planned and saved, not started. */
  'pending',
  /** Into production: waiting for a second operator to approve. */
  'pending_approval',
  /** Approved; may be started. */
  'approved',
  /** An approver turned it down; it will not run. */
  'rejected',
  /** Nobody approved it in time; it will not run. */
  'expired',
  'running',
  'completed',
  /** Finished, but something needs the operator's eye (e.g. a health check still starting). */
  'completed_with_warning',
  /** A step failed; the steps that ran were undone (or the undo failures are listed). */
  'failed',
  /** The operator cancelled it; the steps that ran were undone. */
  'cancelled',
  /** The engine stopped mid-way (crash, quit); found at the next start and undone from the journal. */
  'interrupted',
  /** A completed migration that a later rollback reverted. */
  'rolled_back',
]);
/** One status of a migration record. */
export type MigrationStatus = z.infer<typeof migrationStatus>;

const terminal: ReadonlySet<MigrationStatus> = new Set(['rejected', 'expired', 'completed', 'completed_with_warning', 'failed', 'cancelled', 'interrupted', 'rolled_back']);

/** True when nothing more happens to a migration in this status by itself. */
export function isTerminalStatus(status: MigrationStatus): boolean {
  return terminal.has(status);
}


/**
 * Which status may follow which. The journal refuses any other change, so a record can never
 * claim e.g. "completed" for a run that was cancelled. `running → running` is a run resumed by a
 * new engine after a crash (an undo run is completed from its journal).
 */
export const statusTransitions: { readonly [S in MigrationStatus]: readonly MigrationStatus[] } = {
  pending: ['running', 'failed', 'cancelled', 'interrupted'],
  pending_approval: ['approved', 'rejected', 'expired', 'cancelled'],
  approved: ['pending', 'running', 'expired', 'cancelled'],
  running: ['running', 'completed', 'completed_with_warning', 'failed', 'cancelled', 'interrupted'],
  completed: ['rolled_back'],
  completed_with_warning: ['rolled_back'],
  rejected: [],
  expired: [],
  failed: [],
  cancelled: [],
  interrupted: [],
  rolled_back: [],
};

/** True when a record in status `from` may move to `to`. */
export function canTransition(from: MigrationStatus, to: MigrationStatus): boolean {
  return statusTransitions[from].includes(to);
}
