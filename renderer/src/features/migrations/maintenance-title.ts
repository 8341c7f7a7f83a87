import { domainChangeTitle } from '@shared/migration/notice';
import type { MigrationPlan } from '@shared/migration/plan';
import type { MigrationSummary } from '@shared/migration/views';

/**
 * The title of an operator's maintenance run: "Restore this backup", "Rotate credentials" and
 * "Change domain" are journaled like a migration (or a rollback), and "production → production"
 * or "Rollback of production" would say the wrong thing. A domain change (and its undo) is known
 * by how it was started (`domainChange`), not by its steps: a first clone routes a domain too.
 * Rotation and restore are read from the plan's steps, so a list without plans names only domain
 * changes. Null for any other run.
 */
export function maintenanceTitle(run: Pick<MigrationSummary, 'rollbackOf' | 'targetName' | 'domainChange'> & { plan: MigrationPlan | null }): string | null {
  if (run.domainChange) return domainChangeTitle(run.domainChange, run.targetName);
  if (run.rollbackOf) return null;
  const steps = run.plan?.steps ?? [];
  for (const step of steps) {
    if (step.kind === 'set-database-password') return `Rotate credentials of ${step.params.resourceName} in ${run.targetName}`;
    if (step.kind === 'restore-database') return `Restore ${step.params.resourceName} in ${run.targetName} from a backup`;
  }
  return null;
}
