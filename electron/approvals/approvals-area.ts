/**
 * The approvals area of one Gantry: the operator's identity, each server's policy checked against
 * this Gantry's pin, and the requests on the servers — made, listed, approved or rejected. Every
 * answer is read from the servers when asked; nothing here is cached.
 */
import { GantryError } from '@shared/ipc/result';
import { signedText } from '@shared/approvals/canonical';
import type { MaintenanceFile, MaintenanceKind, PolicyBody, PolicyFile } from '@shared/approvals/documents';
import { describePolicyChanges } from '@shared/approvals/policy-changes';
import type { ApprovalRequestView, MaintenanceRecordView, PolicyProposalView, PolicyView } from '@shared/approvals/views';
import type { RemoteHost } from '../servers/remote-host';
import type { ApprovalsLocalState } from './local-state';
import { ApprovalStore, type StoredRequest } from './server-store';
import { cosignPolicy, signDecision, signPolicy } from './sign-documents';
import { keyFingerprint, verifyMessage } from './sshsig';
import { checkPolicy, checkRequest, policyDigest, requestDigest, validPolicySigners, type PolicyCheck } from './verify';

/** A server this Gantry knows. */
export interface KnownServer {
  id: string;
  name: string;
}

/** What the approvals area is built from. */
export interface ApprovalsAreaDeps {
  state: ApprovalsLocalState;
  hosts: (serverId: string) => RemoteHost;
  /** The servers whose requests the list shows. */
  servers: () => KnownServer[];
  /** Any known server's name, for messages. */
  serverName?: (serverId: string) => string;
  now?: () => Date;
}

/** A server's policy checked against the pin, with the store it came from. */
export interface CheckedPolicy {
  store: ApprovalStore;
  host: RemoteHost;
  check: PolicyCheck;
}

/** Identity, policies and requests. */
export class ApprovalsArea {
  constructor(readonly deps: ApprovalsAreaDeps) {}

  /** The current time (tests may move it). */
  now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** The server's name for messages. */
  serverName(serverId: string): string {
    return this.deps.serverName?.(serverId) ?? this.deps.servers().find((server) => server.id === serverId)?.name ?? serverId;
  }

  /** Reads the server's policy and checks it against this Gantry's pin; a verified signed change advances the pin. */
  async policy(serverId: string, signal?: AbortSignal): Promise<CheckedPolicy | null> {
    const host = this.deps.hosts(serverId);
    const store = new ApprovalStore(host);
    const { current, history } = await store.readPolicy(signal);
    if (!current) {
      if (this.deps.state.pinned(serverId)) throw new GantryError('policy_changed', `The approval policy this Gantry pinned for ${host.label} is gone from the server. Protected runs are refused until it is restored or you re-pin a new one on purpose.`);
      return null;
    }
    const check = checkPolicy({ server: host.label, current, pinned: this.deps.state.pinned(serverId), history: (digest) => history.get(digest) ?? null });
    if (check.state === 'pinned' && check.advancedFrom) this.deps.state.pin(serverId, current);
    return { store, host, check };
  }

  /** The policy as the UI shows it (errors become its `problem`). */
  async policyView(serverId: string): Promise<PolicyView> {
    const base = { serverId, serverName: this.serverName(serverId), members: [], approvalsRequired: null, protectedEnvironments: [], maintenanceRefused: [], proposals: [], version: null, digest: null };
    try {
      const checked = await this.policy(serverId);
      if (!checked) return { ...base, state: 'none', problem: null };
      const proposals = checked.check.state === 'pinned' ? await this.proposalViews(checked) : [];
      return { ...describePolicy(checked.check.policy.body), proposals, serverId, serverName: base.serverName, state: checked.check.state, digest: checked.check.digest, problem: null };
    } catch (error) {
      const code = error instanceof GantryError ? error.code : '';
      return { ...base, state: code.startsWith('policy_') ? 'changed' : 'unreachable', problem: (error as Error).message };
    }
  }

  /**
   * Proposes a change of the server's (pinned) policy, signed by this operator: it names the
   * current policy as the one it replaces and applies at once when this signature is enough,
   * otherwise it waits on the server for other approvers to co-sign it.
   */
  async proposePolicy(request: PolicyChangeInput): Promise<PolicyView> {
    const identity = this.deps.state.identity();
    const checked = await this.pinnedPolicy(request.serverId);
    const current = checked.check.policy.body;
    this.mustApprove(current, identity, request.serverId);
    const proposal = await signPolicy(identity, {
      format: 1,
      kind: 'gantry-policy',
      version: current.version + 1,
      previous: checked.check.digest,
      protectedEnvironments: request.protectedEnvironments,
      members: request.members,
      approvalsRequired: request.approvalsRequired,
      ...(request.maintenanceRefused.length > 0 ? { maintenanceRefused: request.maintenanceRefused } : {}),
      changedBy: identity.principal,
      changedAt: this.now().toISOString(),
    });
    if (describePolicyChanges(current, proposal.body).length === 0) throw new GantryError('no_change', 'The proposed policy is the same as the current one.');
    await this.applyOrKeep(request.serverId, checked, proposal);
    return this.policyView(request.serverId);
  }

  /** Adds this operator's signature to a proposed change; applies it once enough approvers of the current policy signed. */
  async cosignPolicy(request: { serverId: string; digest: string }): Promise<PolicyView> {
    const identity = this.deps.state.identity();
    const checked = await this.pinnedPolicy(request.serverId);
    const { records } = await checked.store.listProposals();
    const proposal = records.find((entry) => policyDigest(entry) === request.digest);
    if (!proposal) throw new GantryError('not_found', `${this.serverName(request.serverId)} has no proposed policy change ${request.digest.slice(0, 19)} (it may have been applied meanwhile).`);
    if (proposal.body.previous !== checked.check.digest) throw new GantryError('policy_conflict', `This change was proposed against another policy than the current one of ${this.serverName(request.serverId)}: propose it again.`);
    this.mustApprove(checked.check.policy.body, identity, request.serverId);
    await this.applyOrKeep(request.serverId, checked, await cosignPolicy(identity, proposal));
    return this.policyView(request.serverId);
  }

  /** Writes a signed change as the policy when enough approvers of the current one signed it, else keeps it as a proposal. */
  private async applyOrKeep(serverId: string, checked: CheckedPolicy, proposal: PolicyFile): Promise<void> {
    const digest = policyDigest(proposal);
    const signers = validPolicySigners(proposal, checked.check.policy.body);
    if (signers.length < checked.check.policy.body.approvalsRequired) return checked.store.saveProposal(proposal, digest);
    await checked.store.replacePolicy(proposal);
    await checked.store.removeProposal(digest);
    // Read back and checked the way every other Gantry checks it, which also advances this Gantry's pin.
    await this.policy(serverId);
  }

  private async pinnedPolicy(serverId: string): Promise<CheckedPolicy> {
    const checked = await this.policy(serverId);
    if (!checked || checked.check.state !== 'pinned') throw new GantryError('policy_not_pinned', `Pin the approval policy of ${this.serverName(serverId)} before changing it.`);
    return checked;
  }

  private mustApprove(policy: PolicyBody, identity: ReturnType<ApprovalsLocalState['identity']>, serverId: string): void {
    const member = policy.members.find((entry) => entry.principal === identity.principal);
    if (!member?.roles.includes('approve') || member.publicKey !== identity.signer.publicKey) {
      throw new GantryError('not_an_approver', `Only an approver of the current policy of ${this.serverName(serverId)} signs a change of it; ${identity.principal} (${keyFingerprint(identity.signer.publicKey)}) is not one.`);
    }
  }

  private async proposalViews(checked: CheckedPolicy): Promise<PolicyProposalView[]> {
    const { records } = await checked.store.listProposals().catch(() => ({ records: [] as PolicyFile[] }));
    const current = checked.check.policy.body;
    return records.map((proposal) => ({
      digest: policyDigest(proposal),
      version: proposal.body.version,
      changedBy: proposal.body.changedBy,
      changedAt: proposal.body.changedAt,
      changes: describePolicyChanges(current, proposal.body),
      signedBy: validPolicySigners(proposal, current),
      approvalsRequired: current.approvalsRequired,
      stale: proposal.body.previous !== checked.check.digest,
    }));
  }

  /** Creates the first policy of a server, signed by this operator, and pins it. */
  async setupPolicy(request: PolicyChangeInput): Promise<PolicyView> {
    const identity = this.deps.state.identity();
    const me = request.members.find((member) => member.principal === identity.principal);
    if (!me || !me.roles.includes('approve') || me.publicKey !== identity.signer.publicKey.split(' ').slice(0, 2).join(' ')) {
      throw new GantryError('not_an_approver', `The first policy must list you (${identity.principal}, with the key you sign with) as an approver.`);
    }
    const policy = await signPolicy(identity, {
      format: 1,
      kind: 'gantry-policy',
      version: 1,
      previous: null,
      protectedEnvironments: request.protectedEnvironments,
      members: request.members,
      approvalsRequired: request.approvalsRequired,
      ...(request.maintenanceRefused.length > 0 ? { maintenanceRefused: request.maintenanceRefused } : {}),
      changedBy: identity.principal,
      changedAt: this.now().toISOString(),
    });
    await new ApprovalStore(this.deps.hosts(request.serverId)).createPolicy(policy);
    this.deps.state.pin(request.serverId, policy);
    return this.policyView(request.serverId);
  }

  /** Pins the server's current policy on purpose (first use, or after a change the operator accepts); `digest` is the one they were shown. */
  async pinPolicy(serverId: string, digest: string): Promise<PolicyView> {
    const { current } = await new ApprovalStore(this.deps.hosts(serverId)).readPolicy();
    if (!current) throw new GantryError('not_found', `${this.serverName(serverId)} has no approval policy.`);
    if (policyDigest(current) !== digest) throw new GantryError('policy_conflict', 'The policy on the server is not the one you were shown; look at it again before pinning.');
    this.deps.state.pin(serverId, current);
    return this.policyView(serverId);
  }

  /** Every request on every server this Gantry knows, checked against the pinned policies, and the maintenance runs recorded there. */
  async listRequests(): Promise<{ requests: ApprovalRequestView[]; maintenance: MaintenanceRecordView[]; problems: { serverId: string; serverName: string; message: string }[] }> {
    const me = this.deps.state.identitySetting()?.principal ?? null;
    const results = await Promise.all(
      this.deps.servers().map(async (server) => {
        try {
          const signal = AbortSignal.timeout(15_000);
          const checked = await this.policy(server.id, signal);
          if (!checked) return { requests: [], maintenance: [], problems: [] };
          const [stored, records] = await Promise.all([checked.store.listRequests(signal), checked.store.listMaintenance(signal)]);
          const maintenance = records.records.map((record) => maintenanceView(server, checked.check.policy.body, record));
          return { requests: stored.flatMap((entry) => this.requestView(server, checked.check.policy, entry, me)), maintenance, problems: [] };
        } catch (error) {
          return { requests: [], maintenance: [], problems: [{ serverId: server.id, serverName: server.name, message: (error as Error).message }] };
        }
      }),
    );
    const requests = results.flatMap((result) => result.requests).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const maintenance = results.flatMap((result) => result.maintenance).sort((a, b) => b.at.localeCompare(a.at));
    return { requests, maintenance, problems: results.flatMap((result) => result.problems) };
  }

  /** Approves or rejects a request as this operator (the requester's own approval is refused). */
  async decide(request: { serverId: string; requestId: string; decision: 'approve' | 'reject'; reason?: string | null | undefined }): Promise<ApprovalRequestView> {
    const identity = this.deps.state.identity();
    const checked = await this.policy(request.serverId);
    if (!checked || checked.check.state !== 'pinned') throw new GantryError('policy_not_pinned', `Pin the approval policy of ${this.serverName(request.serverId)} before deciding on its requests.`);
    const stored = await checked.store.readRequest(request.requestId);
    if (!stored?.request) throw new GantryError('not_found', `${this.serverName(request.serverId)} has no approval request ${request.requestId.slice(0, 8)}.`);
    const body = stored.request.body;
    if (body.requester.principal === identity.principal || body.requester.publicKey === identity.signer.publicKey) {
      throw new GantryError('own_request', `You (${identity.principal}) requested this run; someone else must approve it.`);
    }
    const member = checked.check.policy.body.members.find((entry) => entry.principal === identity.principal);
    if (!member?.roles.includes('approve')) throw new GantryError('not_an_approver', `${identity.principal} is not an approver in the policy of ${this.serverName(request.serverId)}.`);
    if (member.publicKey !== identity.signer.publicKey) throw new GantryError('not_an_approver', `The key you sign with (${keyFingerprint(identity.signer.publicKey)}) is not ${identity.principal}'s key in the policy.`);
    const state = checkRequest({ policy: checked.check.policy.body, request: stored.request, decisions: stored.decisions, consumed: stored.consumed, now: this.now() });
    if (state.state !== 'pending_approval' && state.state !== 'approved') throw new GantryError('request_closed', `This request is ${state.state.replace('_', ' ')}${state.problems.length ? `: ${state.problems.join('; ')}` : ''}; it cannot be decided on.`);
    if (request.decision === 'reject' && !request.reason?.trim()) throw new GantryError('reason_required', 'Say why you reject it: the requester reads the reason.');
    const decision = await signDecision(identity, { id: body.id, digest: requestDigest(stored.request), expiresAt: body.expiresAt }, { decision: request.decision, reason: request.reason?.trim() || null, now: this.now() });
    await checked.store.addDecision(decision);
    const after = await checked.store.readRequest(request.requestId);
    return this.requestView({ id: request.serverId, name: this.serverName(request.serverId) }, checked.check.policy, after!, identity.principal)[0]!;
  }

  /** A stored request as the page shows it (an unreadable one is left out of the list). */
  requestView(server: KnownServer, policy: PolicyFile, stored: StoredRequest, me: string | null): ApprovalRequestView[] {
    if (!stored.request) return [];
    const checked = checkRequest({ policy: policy.body, request: stored.request, decisions: stored.decisions, consumed: stored.consumed, now: this.now() });
    const body = stored.request.body;
    return [
      {
        id: body.id,
        serverId: server.id,
        serverName: server.name,
        state: checked.state,
        source: body.source,
        target: body.target.name,
        summary: body.summary,
        requester: checked.requester,
        createdAt: body.createdAt,
        expiresAt: body.expiresAt,
        approvals: checked.approvals,
        rejection: checked.rejection,
        approvalsRequired: policy.body.approvalsRequired,
        consumed: checked.consumed ? { by: checked.consumed.by, machine: checked.consumed.machine, migrationId: checked.consumed.migrationId, at: checked.consumed.at } : null,
        problems: [...checked.problems, ...stored.unreadable.map((entry) => `${entry.file} cannot be read (${entry.problem})`)],
        mine: me !== null && body.requester.principal === me,
      },
    ];
  }
}

/** A maintenance record as listed, its signature checked against the policy's key for its starter. */
function maintenanceView(server: KnownServer, policy: PolicyBody, record: MaintenanceFile): MaintenanceRecordView {
  const { body } = record;
  const member = policy.members.find((entry) => entry.principal === body.by.principal);
  const failure = verifyMessage(record.signature, signedText(body), { publicKey: body.by.publicKey });
  const problem = failure ? `the record was changed after ${body.by.principal} signed it (${failure})` : member?.publicKey !== body.by.publicKey ? `signed by a key that is not ${body.by.principal}'s in the current policy` : null;
  return { serverId: server.id, serverName: server.name, migrationId: body.migrationId, run: body.run, target: body.target.name, by: { principal: body.by.principal, fingerprint: keyFingerprint(body.by.publicKey) }, machine: body.machine, at: body.at, problem };
}

/** What a policy setup or change sets. */
export interface PolicyChangeInput {
  serverId: string;
  members: PolicyBody['members'];
  approvalsRequired: number;
  protectedEnvironments: string[];
  maintenanceRefused: MaintenanceKind[];
}

function describePolicy(body: PolicyBody): Omit<PolicyView, 'serverId' | 'serverName' | 'state' | 'digest' | 'problem' | 'proposals'> {
  return {
    members: body.members.map((member) => ({ principal: member.principal, publicKey: member.publicKey, fingerprint: keyFingerprint(member.publicKey), roles: member.roles })),
    approvalsRequired: body.approvalsRequired,
    protectedEnvironments: body.protectedEnvironments,
    maintenanceRefused: body.maintenanceRefused ?? [],
    version: body.version,
  };
}
