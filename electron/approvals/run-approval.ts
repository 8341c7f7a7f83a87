/**
 * A protected run from request to start: the request written on the target server (with the plan
 * exactly as it will run), the plan read back for an approved request, and the gate the run path
 * calls under the target's lock — every signature checked against the pinned policy, the digest,
 * the expiry, the target's live spec hashes, then the request consumed, once.
 */
import { z } from 'zod';
import { GantryError } from '@shared/ipc/result';
import { canonicalPlanText } from '@shared/approvals/canonical';
import { isProtected } from '@shared/approvals/policy-changes';
import type { RequestSummary } from '@shared/approvals/documents';
import type { MigrationPlan } from '@shared/migration/plan';
import { migrationStep, type MigrationStep } from '@shared/migration/steps';
import { runOptions } from '@shared/migration/views';
import { resourceSpec } from '@shared/spec/resource-spec';
import type { SpecSealer } from '../inventory/spec-hash';
import type { RemoteHost } from '../servers/remote-host';
import { storedPlan } from '../migrations/stored-run';
import { liveSpecHash } from '../migrations/verify-target';
import type { RunOptions } from '../migrations/run-options';
import type { ApprovalTicket, RunApprovalGate } from '../migrations/run-path';
import type { ApprovalsArea, CheckedPolicy } from './approvals-area';
import { MAINTENANCE_LABELS, maintenanceKindOf, maintenanceRefusal } from './maintenance';
import { signMaintenance, signRequest } from './sign-documents';
import { keyFingerprint } from './sshsig';
import { checkRequest, sha256Of, type CheckedRequest } from './verify';

/** A planned run as it would start: what a request covers and what an approved request runs. */
export interface RunDraft {
  /** The plan with its desired specs in clear (memory, and the 0600 plan file on the target). */
  plan: MigrationPlan;
  steps: MigrationStep[];
  facts: { specHashes: { resourceId: string; liveSpecHash: string; recordedSpecHash: string | null; recordedAt?: string | undefined }[] };
  sourceHashes: Record<string, string>;
  projectId: string;
  sourceServerId: string;
  targetServerId: string;
  options: RunOptions;
}


/** The digest of a run as it will start (SHA-256 of its canonical text). */
export function planDigestOf(draft: Parameters<RunApprovalGate['digestOf']>[0]): string {
  return sha256Of(canonicalPlanText({ plan: draft.plan, steps: draft.steps, specHashes: draft.facts.specHashes, sourceHashes: draft.sourceHashes, options: { ...draft.options } }));
}

/** The plan file stored with a request (`requests/<id>/plan.json`). */
export const planFile = z.object({
  format: z.literal(1),
  plan: storedPlan,
  steps: z.array(migrationStep),
  facts: z.object({ specHashes: z.array(z.object({ resourceId: z.string(), liveSpecHash: z.string(), recordedSpecHash: z.string().nullable(), recordedAt: z.string().optional() })) }),
  sourceHashes: z.record(z.string(), z.string()),
  projectId: z.string(),
  sourceServerId: z.string(),
  targetServerId: z.string(),
  options: runOptions,
  /** Each resource's diff baseline in clear (the target's live spec on a promote), for an approver's live check; not covered by the digest. */
  baselines: z.record(z.string(), resourceSpec).optional(),
});

/** Writes a request for approval of `draft` on its target server, signed by this operator; returns its id. */
export async function requestApproval(area: ApprovalsArea, draft: RunDraft, context: { projectName: string; masked: MigrationPlan; ttlMs?: number }): Promise<{ requestId: string }> {
  const identity = area.deps.state.identity();
  const checked = await area.policy(draft.targetServerId);
  const serverName = area.serverName(draft.targetServerId);
  if (!checked) throw new GantryError('no_policy', `${serverName} has no approval policy yet: set one up in Approvals first.`);
  if (checked.check.state !== 'pinned') throw new GantryError('policy_not_pinned', `Pin the approval policy of ${serverName} in Approvals first.`);
  const policy = checked.check.policy.body;
  if (!isProtected(policy, draft.plan.target)) throw new GantryError('not_protected', `${draft.plan.target.name} is not protected: start it directly.`);
  const member = policy.members.find((entry) => entry.principal === identity.principal);
  if (!member?.roles.includes('request') || member.publicKey !== identity.signer.publicKey) throw new GantryError('not_a_requester', `${identity.principal} (${keyFingerprint(identity.signer.publicKey)}) may not request approvals under the policy of ${serverName}.`);
  if (draft.plan.blocking) throw new GantryError('blocked', 'The pre-checks block this migration; fix them before asking for an approval.');
  const request = await signRequest(identity, {
    planDigest: planDigestOf(draft),
    policyDigest: checked.check.digest,
    source: draft.plan.source.name,
    target: { name: draft.plan.target.name, production: draft.plan.target.production },
    server: checked.host.label,
    summary: summaryOf(context.projectName, context.masked),
    specHashes: draft.plan.resources.map((resource) => ({
      resourceId: resource.resourceId,
      name: resource.name,
      containerName: resource.target.containerName,
      liveSpecHash: resource.mode === 'promote' ? (draft.facts.specHashes.find((entry) => entry.resourceId === resource.resourceId)?.liveSpecHash ?? null) : null,
    })),
    options: { ...draft.options, httpCheckPath: draft.options.httpCheckPath ?? null },
    now: area.now(),
    ...(context.ttlMs ? { ttlMs: context.ttlMs } : {}),
  });
  await checked.store.createRequest(request, { format: 1, ...draft, options: request.body.options });
  return { requestId: request.body.id };
}

/** Reads an approved request's plan back from the server, checked against the digest the requester signed. */
export async function approvedDraft(area: ApprovalsArea, serverId: string, requestId: string): Promise<RunDraft & { requestedBy: string; projectName: string }> {
  const checked = await area.policy(serverId);
  if (!checked || checked.check.state !== 'pinned') throw new GantryError('policy_not_pinned', `Pin the approval policy of ${area.serverName(serverId)} in Approvals first.`);
  const stored = await checked.store.readRequest(requestId);
  if (!stored?.request) throw new GantryError('not_found', `${area.serverName(serverId)} has no approval request ${requestId.slice(0, 8)}.`);
  const state = checkRequest({ policy: checked.check.policy.body, request: stored.request, decisions: stored.decisions, consumed: stored.consumed, now: area.now() });
  if (state.state !== 'approved') throw refusal(state, checked.check.policy.body.approvalsRequired);
  const parsed = planFile.safeParse(await checked.store.readPlan(requestId));
  if (!parsed.success) throw new GantryError('request_unreadable', `The plan stored with request ${requestId.slice(0, 8)} cannot be read: ${z.prettifyError(parsed.error).split('\n')[0]}`);
  const { baselines: _baselines, ...kept } = parsed.data;
  const draft: RunDraft = { ...kept, plan: kept.plan as MigrationPlan };
  if (planDigestOf(draft) !== stored.request.body.planDigest) throw new GantryError('plan_changed', `The plan stored with request ${requestId.slice(0, 8)} on ${checked.host.label} is not the plan ${stored.request.body.requester.principal} signed (its digest differs): request again.`);
  return { ...draft, requestedBy: stored.request.body.requester.principal, projectName: stored.request.body.summary.project };
}

/** The check the run path makes under the target's lock before any step runs. */
export class ApprovalGate implements RunApprovalGate {
  /** The digest of a run as it will start. */
  readonly digestOf = planDigestOf;

  constructor(
    private readonly area: ApprovalsArea,
    private readonly sealer: () => SpecSealer,
    private readonly machine: string,
  ) {}

  /**
   * Lets an unprotected run through (no command at all for a non-production target on a server
   * without a pinned policy, else one read of the policy file); for a protected one, refuses
   * unless the ticket's request is approved for exactly this plan and the target is as approved,
   * then consumes the request. Returns the lines the run's log keeps (who requested, who approved).
   */
  async check(run: { serverId: string; host: RemoteHost; target: { name: string; production: boolean }; migrationId: string; ticket: ApprovalTicket | null; signal?: AbortSignal; kind?: string; steps?: readonly Pick<MigrationStep, 'kind'>[]; title?: string }): Promise<string[]> {
    const { host, target, ticket } = run;
    // Production is always protected; another environment only by a policy this Gantry pinned, so
    // a dev or uat run on a server without a pin costs nothing and cannot be stopped by its files.
    if (!target.production && !ticket && !this.area.deps.state.pinned(run.serverId)) return [];
    const checked = await this.area.policy(run.serverId, run.signal);
    if (!isProtected(checked?.check.policy.body ?? null, target)) return [];
    if (run.kind !== undefined && run.kind !== 'migrate') return this.checkMaintenance({ ...run, kind: run.kind, steps: run.steps ?? [] }, checked);
    if (!ticket) throw new GantryError('approval_required', `${target.name} on ${host.label} is protected: no Gantry migrates into it without an approved request. Use "Request approval" in the migration wizard.`);
    if (!checked) throw new GantryError('no_policy', `${host.label} has no approval policy: set one up in Approvals first.`);
    if (checked.check.state !== 'pinned') throw new GantryError('policy_not_pinned', `This Gantry has not pinned the approval policy of ${host.label}: check it and pin it in Approvals first.`);
    const policy = checked.check.policy.body;
    const stored = await checked.store.readRequest(ticket.requestId, run.signal);
    if (!stored?.request) throw new GantryError('not_found', `${host.label} has no approval request ${ticket.requestId.slice(0, 8)}.`);
    const state = checkRequest({ policy, request: stored.request, decisions: stored.decisions, consumed: stored.consumed, now: this.area.now() });
    if (state.state !== 'approved') throw refusal(state, policy.approvalsRequired);
    const body = stored.request.body;
    if (body.planDigest !== ticket.planDigest) throw new GantryError('plan_changed', `The plan to run is not the plan ${state.approvals.map((entry) => entry.principal).join(' and ')} approved (its digest differs): request again.`);
    const identity = this.area.deps.state.identity();
    const deployer = policy.members.find((member) => member.principal === identity.principal && member.roles.includes('deploy'));
    if (!deployer || deployer.publicKey !== identity.signer.publicKey) throw new GantryError('not_a_deployer', `${identity.principal} may not start approved runs under the policy of ${host.label}.`);
    const approvers = state.approvals.map((entry) => entry.principal).join(' and ');
    for (const expected of body.specHashes) {
      const live = await liveSpecHash(host, expected.containerName, this.sealer);
      if (live !== expected.liveSpecHash) {
        const what = live === null ? `${expected.containerName} is gone` : expected.liveSpecHash === null ? `${expected.containerName} now exists` : `${expected.name}'s spec is ${live.slice(0, 12)}, approved at ${expected.liveSpecHash.slice(0, 12)}`;
        throw new GantryError('target_changed', `${target.name} changed since ${approvers} approved it (${what}): request again.`);
      }
    }
    const usedBy = await checked.store.consume({ format: 1, requestId: body.id, by: identity.principal, machine: this.machine, migrationId: run.migrationId, at: this.area.now().toISOString() }, run.signal);
    if (usedBy) throw new GantryError('request_used', `This approved request was already used by ${usedBy.by} on ${usedBy.machine} at ${usedBy.at} (migration ${usedBy.migrationId.slice(0, 8)}): it runs once. Request again for another run.`);
    return [
      `Requested by ${state.requester.principal} (${state.requester.fingerprint}) at ${body.createdAt}`,
      ...state.approvals.map((entry) => `Approved by ${entry.principal} (${entry.fingerprint}) at ${entry.at}`),
      `Started by ${identity.principal} (${keyFingerprint(identity.signer.publicKey)}) under policy ${checked.check.digest.slice(0, 19)}; request ${body.id.slice(0, 8)} used`,
    ];
  }

  /** Maintenance into a protected environment: no approval, but a deployer only, allowed by the policy, recorded on the server (see maintenance.ts). */
  private async checkMaintenance(run: { serverId: string; host: RemoteHost; target: { name: string; production: boolean }; migrationId: string; signal?: AbortSignal; kind: string; steps: readonly Pick<MigrationStep, 'kind'>[]; title?: string }, checked: CheckedPolicy | null): Promise<string[]> {
    const { host, target } = run;
    const kind = maintenanceKindOf(run);
    const label = MAINTENANCE_LABELS[kind];
    if (!checked) return [`${host.label} has no approval policy: this ${label} into ${target.name} runs without a record on the server.`];
    if (checked.check.state !== 'pinned') throw new GantryError('policy_not_pinned', `This Gantry has not pinned the approval policy of ${host.label}: check it and pin it in Approvals before a ${label} into ${target.name}.`);
    const setting = this.area.deps.state.identitySetting();
    const identity = setting ? this.area.deps.state.identity() : null;
    const refused = maintenanceRefusal({ policy: checked.check.policy.body, kind, starter: identity ? { principal: identity.principal, publicKey: identity.signer.publicKey } : null, target: target.name, server: host.label });
    if (refused) throw refused;
    const record = await signMaintenance(identity!, {
      migrationId: run.migrationId,
      run: kind,
      title: (run.title ?? label).slice(0, 500),
      target: { name: target.name, production: target.production },
      server: host.label.slice(0, 300),
      policyDigest: checked.check.digest,
      machine: this.machine.slice(0, 200),
      at: this.area.now().toISOString(),
    });
    await checked.store.recordMaintenance(record, run.signal);
    return [`A ${label} into ${target.name} needs no approval under policy ${checked.check.digest.slice(0, 19)}: started by ${identity!.principal} (${keyFingerprint(identity!.signer.publicKey)}), recorded on ${host.label}`];
  }
}

function refusal(checked: CheckedRequest, required: number): GantryError {
  const { problems, consumed, rejection } = checked;
  const valid = checked.approvals.length;
  const why = problems.length > 0 ? ` (${problems.join('; ')})` : '';
  switch (checked.state) {
    case 'used':
      return new GantryError('request_used', `This approved request was already used by ${consumed?.by ?? 'someone'} on ${consumed?.machine ?? 'another machine'} at ${consumed?.at ?? 'an unknown time'}: it runs once. Request again for another run.`);
    case 'rejected':
      return new GantryError('request_rejected', `${rejection?.principal ?? 'An approver'} rejected this request${rejection?.reason ? `: ${rejection.reason}` : ''}. Request again once that is addressed.`);
    case 'expired':
      return new GantryError('request_expired', `This request expired before it was started${why}: request again.`);
    case 'invalid':
      return new GantryError('request_invalid', `This request cannot be trusted: ${problems.join('; ')}.`);
    default:
      return new GantryError('not_approved', `This request has ${valid} of the ${required} approvals it needs${why}.`);
  }
}

function summaryOf(projectName: string, masked: MigrationPlan): RequestSummary {
  const changes = masked.diff.resources.flatMap((resource) => [
    ...resource.attributes.map((attribute) => `${resource.name}: ${attribute.path}: ${attribute.before ?? '(none)'} → ${attribute.after ?? '(none)'}`),
    ...resource.envAdded.map((entry) => `${resource.name}: env ${entry.key} added`),
  ]);
  return {
    title: `${masked.resources.map((resource) => resource.name).join(', ')}: ${masked.source.name} → ${masked.target.name}`,
    project: projectName,
    resources: masked.resources.map((resource) => ({ name: resource.name, mode: resource.mode, image: resource.desiredSpec.image.ref })),
    changes: changes.slice(0, 1000).map((line) => line.slice(0, 2000)),
    diff: masked.diff.unified.slice(0, 400_000),
  };
}
