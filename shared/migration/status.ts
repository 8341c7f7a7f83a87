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

const terminal: ReadonlySet<MigrationStatus> = new Set(['rejected', 'completed', 'completed_with_warning', 'failed', 'cancelled', 'interrupted', 'rolled_back']);

/** True when nothing more happens to a migration in this status by itself. */
export function isTerminalStatus(status: MigrationStatus): boolean {
  return terminal.has(status);
}

