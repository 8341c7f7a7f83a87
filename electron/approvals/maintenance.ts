/**
 * Maintenance runs into a protected environment — rollback, restore, restore a backup, rotate
 * credentials, change a domain. The decision, in one place: they need no approval, because putting
 * production back must stay possible in an emergency, but only a deployer of the pinned policy may
 * start one, the policy may refuse any kind outright (a policy change its approvers sign), and each
 * run is recorded on the server with its starter's signature before any step runs.
 */
import { GantryError } from '@shared/ipc/result';
import { maintenanceKind, type MaintenanceKind, type PolicyBody } from '@shared/approvals/documents';
import type { MigrationStep } from '@shared/migration/steps';
import { keyFingerprint } from './sshsig';

/** What an operator calls each maintenance kind. */
export const MAINTENANCE_LABELS: Record<MaintenanceKind, string> = {
  rollback: 'rollback',
  restore: 'restore from a snapshot',
  'restore-backup': 'restore of a backup',
  'rotate-credentials': 'credentials rotation',
  'change-domain': 'domain change',
};

/** The maintenance kind of a run that is not a migration, from its kind and the steps it runs. */
export function maintenanceKindOf(run: { kind: string; steps: readonly Pick<MigrationStep, 'kind'>[] }): MaintenanceKind {
  // Journaled kinds today are rollback and restore (a backup's restore and a rotation are restores too); a later kind may name itself.
  const named = maintenanceKind.safeParse(run.kind);
  if (named.success && named.data !== 'restore') return named.data;
  const kinds = new Set(run.steps.map((step) => step.kind));
  if (kinds.has('set-database-password')) return 'rotate-credentials';
  if (kinds.has('restore-database')) return 'restore-backup';
  if (kinds.has('route-domain') || kinds.has('check-certificate')) return 'change-domain';
  return 'restore';
}

/**
 * Why `starter` may not start a `kind` run into `target` under `policy`, or null when they may.
 * `starter` is null when this Gantry has no signing identity.
 */
export function maintenanceRefusal(options: { policy: PolicyBody; kind: MaintenanceKind; starter: { principal: string; publicKey: string } | null; target: string; server: string }): GantryError | null {
  const { policy, kind, starter, target, server } = options;
  const label = MAINTENANCE_LABELS[kind];
  if (policy.maintenanceRefused?.includes(kind)) {
    return new GantryError('maintenance_refused', `The approval policy of ${server} refuses a ${label} into ${target} without an approval: migrate what should run there through an approved request instead, or have the approvers change the policy.`);
  }
  if (!starter) return new GantryError('no_identity', `A ${label} into ${target} is recorded on ${server} with the starter's signature: set up your signing key in Approvals first.`);
  const member = policy.members.find((entry) => entry.principal === starter.principal);
  const deployers = policy.members.filter((entry) => entry.roles.includes('deploy')).map((entry) => entry.principal);
  if (!member?.roles.includes('deploy')) return new GantryError('not_a_deployer', `${starter.principal} may not start a ${label} into ${target}: under the policy of ${server} only ${deployers.join(', ') || 'nobody'} may.`);
  if (member.publicKey !== starter.publicKey) return new GantryError('not_a_deployer', `The key you sign with (${keyFingerprint(starter.publicKey)}) is not ${starter.principal}'s key in the policy of ${server}.`);
  return null;
}
