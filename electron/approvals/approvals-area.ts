/**
 * The approvals area of one Gantry: the operator's identity, each server's policy checked against
 * this Gantry's pin, and the requests on the servers — made, listed, approved or rejected. Every
 * answer is read from the servers when asked; nothing here is cached.
 */
import { GantryError } from '@shared/ipc/result';
import type { PolicyBody, PolicyFile } from '@shared/approvals/documents';
import type { ApprovalRequestView, PolicyView } from '@shared/approvals/views';
import type { RemoteHost } from '../servers/remote-host';
import type { ApprovalsLocalState } from './local-state';
import { ApprovalStore, type StoredRequest } from './server-store';
import { signDecision, signPolicy } from './sign-documents';
import { keyFingerprint } from './sshsig';
import { checkPolicy, checkRequest, policyDigest, requestDigest, type PolicyCheck } from './verify';

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
    const base = { serverId, serverName: this.serverName(serverId), members: [], approvalsRequired: null, protectedEnvironments: [], version: null, digest: null };
    try {
      const checked = await this.policy(serverId);
      if (!checked) return { ...base, state: 'none', problem: null };
      return { ...describePolicy(checked.check.policy.body), serverId, serverName: base.serverName, state: checked.check.state, digest: checked.check.digest, problem: null };
    } catch (error) {
      const code = error instanceof GantryError ? error.code : '';
      return { ...base, state: code.startsWith('policy_') ? 'changed' : 'unreachable', problem: (error as Error).message };
    }
  }

  /** Creates the first policy of a server, signed by this operator, and pins it. */
  async setupPolicy(request: { serverId: string; members: PolicyBody['members']; approvalsRequired: number; protectedEnvironments: string[] }): Promise<PolicyView> {
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

  /** Every request on every server this Gantry knows, checked against the pinned policies. */
  async listRequests(): Promise<{ requests: ApprovalRequestView[]; problems: { serverId: string; serverName: string; message: string }[] }> {
    const me = this.deps.state.identitySetting()?.principal ?? null;
    const results = await Promise.all(
      this.deps.servers().map(async (server) => {
        try {
          const signal = AbortSignal.timeout(15_000);
          const checked = await this.policy(server.id, signal);
          if (!checked) return { requests: [], problems: [] };
          const stored = await checked.store.listRequests(signal);
          return { requests: stored.flatMap((entry) => this.requestView(server, checked.check.policy, entry, me)), problems: [] };
        } catch (error) {
          return { requests: [], problems: [{ serverId: server.id, serverName: server.name, message: (error as Error).message }] };
        }
      }),
    );
    const requests = results.flatMap((result) => result.requests).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return { requests, problems: results.flatMap((result) => result.problems) };
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

function describePolicy(body: PolicyBody): Omit<PolicyView, 'serverId' | 'serverName' | 'state' | 'digest' | 'problem'> {
  return {
    members: body.members.map((member) => ({ principal: member.principal, fingerprint: keyFingerprint(member.publicKey), roles: member.roles })),
    approvalsRequired: body.approvalsRequired,
    protectedEnvironments: body.protectedEnvironments,
    version: body.version,
  };
}
