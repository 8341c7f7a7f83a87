/**
 * What changed between two policies, in words, so a Gantry that refuses a policy changed without
 * the approvers' signatures can say who changed what.
 */
import type { PolicyBody } from './documents';

/** The differences from `before` to `after`, one sentence each. */
export function describePolicyChanges(before: PolicyBody, after: PolicyBody): string[] {
  const changes: string[] = [];
  const old = new Map(before.members.map((member) => [member.principal, member]));
  const now = new Map(after.members.map((member) => [member.principal, member]));
  for (const [name, member] of now) {
    const was = old.get(name);
    if (!was) changes.push(`added ${name} (${member.roles.join(', ')})`);
    else {
      if (was.publicKey !== member.publicKey) changes.push(`changed ${name}'s key`);
      if (was.roles.join() !== member.roles.join()) changes.push(`changed ${name}'s roles from ${was.roles.join(', ')} to ${member.roles.join(', ')}`);
    }
  }
  for (const name of old.keys()) if (!now.has(name)) changes.push(`removed ${name}`);
  if (before.approvalsRequired !== after.approvalsRequired) changes.push(`approvals required ${before.approvalsRequired} → ${after.approvalsRequired}`);
  const protectedBefore = new Set(before.protectedEnvironments);
  const protectedAfter = new Set(after.protectedEnvironments);
  for (const name of protectedAfter) if (!protectedBefore.has(name)) changes.push(`now protects ${name}`);
  for (const name of protectedBefore) if (!protectedAfter.has(name)) changes.push(`no longer protects ${name}`);
  const refusedBefore = new Set(before.maintenanceRefused ?? []);
  const refusedAfter = new Set(after.maintenanceRefused ?? []);
  for (const kind of refusedAfter) if (!refusedBefore.has(kind)) changes.push(`now refuses ${kind} runs without an approval`);
  for (const kind of refusedBefore) if (!refusedAfter.has(kind)) changes.push(`allows ${kind} runs again (recorded)`);
  return changes;
}

/** True when `environment` needs approvals under `policy` (production always does). */
export function isProtected(policy: Pick<PolicyBody, 'protectedEnvironments'> | null, environment: { name: string; production: boolean }): boolean {
  return environment.production || (policy?.protectedEnvironments.includes(environment.name) ?? false);
}
