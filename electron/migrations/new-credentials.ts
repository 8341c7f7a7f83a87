/**
 * `credentials:new`: which credentials a run generated, named without their values, so the
 * migration page can offer to reveal each one (through `credentials:reveal`, read live on the
 * server). A first clone into production rotates every password variable of each database it
 * creates there; "Rotate credentials" sets one variable (its `set-database-password` step).
 * Read from the journaled (masked) run: the values were never stored.
 */
import { GantryError } from '@shared/ipc/result';
import { passwordVariables } from '../databases/rotation';
import type { Router } from '../ipc/router';
import type { MigrationJournal } from './journal';
import { readStoredRun } from './stored-run';

/** One generated credential, by name. */
export interface NewCredential {
  resourceId: string;
  resourceName: string;
  variable: string;
}

/** The credentials the journaled run `migrationId` generated, and the environment they live in. */
export function newCredentialsOf(journal: MigrationJournal, migrationId: string): { environmentId: string | null; credentials: NewCredential[] } {
  const row = journal.get(migrationId);
  if (!row) throw new GantryError('not_found', `There is no migration ${migrationId}.`);
  const { plan, steps } = readStoredRun(row.planJson, row.kind);
  const names = new Map(plan.resources.map((resource) => [resource.resourceId, resource.name]));
  const rotated = steps.flatMap((step): NewCredential[] =>
    step.kind === 'set-database-password' && step.resourceId ? [{ resourceId: step.resourceId, resourceName: names.get(step.resourceId) ?? step.params.resourceName, variable: step.params.variable }] : [],
  );
  const firstClone =
    row.kind === 'migrate' && plan.target.production
      ? plan.resources
          .filter((resource) => resource.kind === 'database' && resource.mode === 'clone')
          .flatMap((database) => passwordVariables(database.desiredSpec).map((variable) => ({ resourceId: database.resourceId, resourceName: database.name, variable })))
      : [];
  return { environmentId: row.targetEnvironmentId, credentials: [...firstClone, ...rotated] };
}

/** Registers `credentials:new`. */
export function registerNewCredentialsHandler(router: Router, journal: MigrationJournal): void {
  router.handle('credentials:new', ({ migrationId }) => newCredentialsOf(journal, migrationId));
}
