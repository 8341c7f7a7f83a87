/** Approvals as they cross IPC: requests to the engine and what the Approvals page shows. */
import { z } from 'zod';
import { maintenanceKind, policyRole, principal, publicKeyLine, requestSummary } from './documents';

const id = z.string().min(1).max(100);

/** The operator's signing identity as the UI shows it (no secret). */
export const identityView = z.object({ principal: z.string(), kind: z.enum(['key-file', 'agent']), keyPath: z.string().nullable(), publicKey: z.string(), fingerprint: z.string() }).nullable();

/** The keys the operator's ssh-agent holds (to choose one by fingerprint), or why none can be listed. */
export const agentKeysView = z.object({ keys: z.array(z.object({ publicKey: z.string(), fingerprint: z.string() })), problem: z.string().nullable() });

/** Sets the signing identity: a key file (passphrase kept in the OS keychain) or a key held by ssh-agent. */
export const setIdentityRequest = z
  .object({ principal, keyPath: z.string().min(1).max(4096).optional(), passphrase: z.string().max(1024).optional(), agentPublicKey: z.string().min(1).max(16_000).optional() })
  .strict();

/** One member as the setup dialog sends it. */
export const memberInput = z.object({ principal, publicKey: publicKeyLine, roles: z.array(policyRole).min(1) }).strict();

/** Creates the first policy of a server (signed by this operator, who must be one of its approvers). */
export const setupPolicyRequest = z
  .object({
    serverId: id,
    members: z.array(memberInput).min(1).max(100),
    approvalsRequired: z.number().int().min(1).max(20).default(1),
    protectedEnvironments: z.array(z.string().min(1).max(100)).max(50).default([]),
    maintenanceRefused: z.array(maintenanceKind).max(10).default([]),
  })
  .strict();

/** Proposes a change of a server's policy, signed by this operator (an approver of the current one); it applies once enough approvers signed. */
export const proposePolicyRequest = setupPolicyRequest;

/** A policy change waiting for (or gathering) the approvers' signatures. */
export const policyProposalView = z.object({
  digest: z.string(),
  version: z.number(),
  changedBy: z.string(),
  changedAt: z.string(),
  /** What it changes against the current policy, one sentence each. */
  changes: z.array(z.string()),
  /** Approvers of the current policy whose signatures over it are valid. */
  signedBy: z.array(z.string()),
  approvalsRequired: z.number(),
  /** True when the policy changed since it was proposed (it can no longer apply). */
  stale: z.boolean(),
});
/** A proposed policy change as shown. */
export type PolicyProposalView = z.infer<typeof policyProposalView>;

/** A server's policy as this Gantry sees it against its pin. */
export const policyView = z.object({
  serverId: z.string(),
  serverName: z.string(),
  state: z.enum(['none', 'unpinned', 'pinned', 'changed', 'unreachable']),
  digest: z.string().nullable(),
  members: z.array(z.object({ principal: z.string(), publicKey: z.string(), fingerprint: z.string(), roles: z.array(policyRole) })),
  approvalsRequired: z.number().nullable(),
  protectedEnvironments: z.array(z.string()),
  /** Maintenance kinds the policy refuses in protected environments. */
  maintenanceRefused: z.array(maintenanceKind),
  /** Changes of this policy waiting for approvers' signatures. */
  proposals: z.array(policyProposalView),
  version: z.number().nullable(),
  /** Why the policy is refused (changed without signatures, unreadable, unreachable). */
  problem: z.string().nullable(),
});

/** A signed decision as listed. */
const decisionView = z.object({ principal: z.string(), fingerprint: z.string(), at: z.string() });

/** One approval request on a server, checked by this Gantry against the pinned policy. */
export const approvalRequestView = z.object({
  id: z.string(),
  serverId: z.string(),
  serverName: z.string(),
  state: z.enum(['pending_approval', 'approved', 'rejected', 'expired', 'used', 'invalid']),
  source: z.string(),
  target: z.string(),
  summary: requestSummary,
  requester: z.object({ principal: z.string(), fingerprint: z.string() }),
  createdAt: z.string(),
  expiresAt: z.string(),
  approvals: z.array(decisionView),
  rejection: decisionView.extend({ reason: z.string() }).nullable(),
  approvalsRequired: z.number(),
  consumed: z.object({ by: z.string(), machine: z.string(), migrationId: z.string(), at: z.string() }).nullable(),
  /** Why the request or a decision was not accepted. */
  problems: z.array(z.string()),
  /** True when this operator made the request (and so cannot approve it). */
  mine: z.boolean(),
});
/** An approval request as the Approvals page shows it. */
export type ApprovalRequestView = z.infer<typeof approvalRequestView>;
/** A server's policy as shown. */
export type PolicyView = z.infer<typeof policyView>;

/** Requests on one server could not be read: the page says so for that server. */
export const serverProblem = z.object({ serverId: z.string(), serverName: z.string(), message: z.string() });

/** One pre-check re-run live against the target for an approver. */
const livePrecheck = z.object({ id: z.string(), check: z.enum(['server', 'disk', 'ports', 'drift', 'empty-env', 'active-migration', 'dependencies', 'volumes', 'names', 'domain']), severity: z.enum(['ok', 'warning', 'blocking']), message: z.string() });

/** What the approver's Gantry read from the target just now, against what the request recorded. */
export const liveReviewView = z.object({
  requestId: z.string(),
  checkedAt: z.string(),
  /** The pre-checks that read the target (server, lock, disk, ports, volumes, names), re-run now. */
  prechecks: z.array(livePrecheck),
  /** How the live target differs from the request, one phrase each (empty: as requested). */
  targetChanges: z.array(z.string()),
  /** The warning to show when the target differs (null when it does not). */
  warning: z.string().nullable(),
});
/** A live review as the Approvals page shows it. */
export type LiveReviewView = z.infer<typeof liveReviewView>;

/** A maintenance run into a protected environment as recorded on its server (see electron/approvals/maintenance.ts). */
export const maintenanceRecordView = z.object({
  serverId: z.string(),
  serverName: z.string(),
  migrationId: z.string(),
  run: maintenanceKind,
  target: z.string(),
  by: z.object({ principal: z.string(), fingerprint: z.string() }),
  machine: z.string(),
  at: z.string(),
  /** Why the record is not trusted (its signature, or a key not in the policy); null when it is. */
  problem: z.string().nullable(),
});
/** A maintenance record as History shows it. */
export type MaintenanceRecordView = z.infer<typeof maintenanceRecordView>;
