/**
 * What the operator is told when a migration ends: the same words in the in-app toast and in the
 * desktop notification the Electron main process shows.
 */
import type { MigrationStatus } from './status';
import type { MigrationSummary } from './views';

/** The title of a "Change domain" run or of its undo, e.g. "Change domain of web in production". */
export function domainChangeTitle(change: NonNullable<MigrationSummary['domainChange']>, targetName: string): string {
  return `${change.undo ? 'Undo of domain change of' : 'Change domain of'} ${change.resourceName} in ${targetName}`;
}

/** One ending worth telling: `tone` says whether it went well. */
export interface FinishNotice {
  title: string;
  body: string;
  tone: 'ok' | 'bad';
}

/** The notification an operator gets when a migration reaches `status`, or null when it is not an ending worth telling. */
export function finishNotice(migration: { kind: 'migrate' | 'rollback'; status: MigrationStatus; sourceName: string | null; targetName: string; message: string | null; domainChange?: MigrationSummary['domainChange'] }): FinishNotice | null {
  const what = migration.domainChange ? domainChangeTitle(migration.domainChange, migration.targetName) : migration.kind === 'rollback' ? `Rollback of ${migration.targetName}` : `Migration ${migration.sourceName ?? '?'} → ${migration.targetName}`;
  const detail = migration.message ? `: ${migration.message}` : '';
  switch (migration.status) {
    case 'completed':
      return { title: `${what} completed`, body: 'Every step finished.', tone: 'ok' };
    case 'completed_with_warning':
      return { title: `${what} completed with a warning`, body: `Open it to read the warning${detail}`, tone: 'ok' };
    case 'failed':
      return { title: `${what} failed`, body: `The steps that ran were undone${detail}`, tone: 'bad' };
    case 'cancelled':
      return { title: `${what} cancelled`, body: `The steps that ran were undone${detail}`, tone: 'bad' };
    case 'interrupted':
      return { title: `${what} was interrupted`, body: `Gantry stopped mid-way${detail}`, tone: 'bad' };
    default:
      return null;
  }
}
