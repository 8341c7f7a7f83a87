/**
 * How migrations read on screen: status words, durations, routes inside the Migrations section.
 * Pure, so the words the operator sees are tested once.
 */
import type { MigrationStatus } from '@shared/migration/status';

/** Status words as the operator reads them. */
export const statusLabels: Record<MigrationStatus, string> = {
  pending: 'Pending',
  pending_approval: 'Waiting for approval',
  approved: 'Approved',
  rejected: 'Rejected',
  expired: 'Expired',
  running: 'Running',
  completed: 'Completed',
  completed_with_warning: 'Completed with a warning',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
  rolled_back: 'Rolled back',
};

/** The colour family of a status: good, bad, busy or neutral. */
export function statusTone(status: MigrationStatus): 'ok' | 'bad' | 'busy' | 'warn' | 'neutral' {
  switch (status) {
    case 'completed':
      return 'ok';
    case 'completed_with_warning':
    case 'pending_approval':
      return 'warn';
    case 'failed':
    case 'interrupted':
    case 'rejected':
    case 'expired':
      return 'bad';
    case 'running':
    case 'pending':
    case 'approved':
      return 'busy';
    default:
      return 'neutral';
  }
}

/** `83_000` → `1 min 23 s`; under a second → `<1 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return '<1 s';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** How long a step took (or has been running), or null before it started. */
export function stepDuration(step: { startedAt: number | null; endedAt: number | null }, now: number): number | null {
  if (step.startedAt === null) return null;
  return Math.max(0, (step.endedAt ?? now) - step.startedAt);
}

/** A timestamp as local date and time, to the second. */
export function formatTime(at: number): string {
  return new Date(at).toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** The migration id in `#/migrations/<id>`, or null on the list. */
export function migrationIdFromHash(hash: string): string | null {
  const match = /^#\/?migrations\/([^/?&]+)/.exec(hash);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

/** The hash of a migration's detail page. */
export function migrationHash(migrationId: string): string {
  return `#/migrations/${encodeURIComponent(migrationId)}`;
}
