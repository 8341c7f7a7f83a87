import type { MigrationPlan } from '@shared/migration/plan';

/**
 * The title of an operator's maintenance run, read from its steps: "Restore this backup" and
 * "Rotate credentials" are journaled like a migration (or a rollback), and "production →
 * production" or "Rollback of production" would say the wrong thing. Null for any other run.
 */
export function maintenanceTitle(run: { plan: MigrationPlan | null; rollbackOf: string | null; targetName: string }): string | null {
  if (run.rollbackOf) return null;
  const steps = run.plan?.steps ?? [];
  for (const step of steps) {
    if (step.kind === 'set-database-password') return `Rotate credentials of ${step.params.resourceName} in ${run.targetName}`;
    if (step.kind === 'restore-database') return `Restore ${step.params.resourceName} in ${run.targetName} from a backup`;
  }
  return null;
}
