/**
 * Checking approvals, with no I/O: the policy chain against the pin, and a request with its
 * decisions against the policy. Every Gantry runs the same checks on the same server documents,
 * so an approval means the same to all of them; nothing here is remembered between calls.
 */
import { createHash } from 'node:crypto';
import { GantryError } from '@shared/ipc/result';
import { signedText } from '@shared/approvals/canonical';
import type { Consumption, DecisionFile, PolicyBody, PolicyFile, PolicyRole, RequestFile } from '@shared/approvals/documents';
import { describePolicyChanges } from '@shared/approvals/policy-changes';
import { keyFingerprint, verifyMessage } from './sshsig';

/** `sha256:<hex>` of a text. */
export function sha256Of(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** The digest that names a policy (its body's canonical JSON). */
export function policyDigest(policy: PolicyFile | PolicyBody): string {
  return sha256Of(signedText('body' in policy ? policy.body : policy));
}

/** The digest of a request (what its decisions sign). */
export function requestDigest(request: RequestFile): string {
  return sha256Of(signedText(request.body));
}

/** The member of `policy` with `principal` and `role`, or null. */
function member(policy: PolicyBody, principal: string, role: PolicyRole) {
  return policy.members.find((entry) => entry.principal === principal && entry.roles.includes(role)) ?? null;
}

/** Principals whose valid signatures over `policy` come from approvers of `signersFrom`. */
export function validPolicySigners(policy: PolicyFile, signersFrom: PolicyBody): string[] {
  const text = signedText(policy.body);
  const signers = new Set<string>();
  for (const { principal, signature } of policy.signatures) {
    const approver = member(signersFrom, principal, 'approve');
    if (approver && verifyMessage(signature, text, { publicKey: approver.publicKey }) === null) signers.add(principal);
  }
  return [...signers];
}

/** The outcome of checking the server's policy against this Gantry's pin. */
export type PolicyCheck = { state: 'unpinned'; policy: PolicyFile; digest: string } | { state: 'pinned'; policy: PolicyFile; digest: string; advancedFrom: string | null };

/**
 * Checks the server's current policy against the pinned one. An unchanged policy passes; a change
 * passes only when every step from the pinned policy to the current one names its predecessor and
 * is signed by enough approvers of that predecessor. Anything else is refused, saying who changed what.
 */
export function checkPolicy(options: { server: string; current: PolicyFile; pinned: PolicyFile | null; history: (digest: string) => PolicyFile | null }): PolicyCheck {
  const { current, pinned, server } = options;
  const digest = policyDigest(current);
  if (!pinned) {
    const own = validPolicySigners(current, current.body);
    if (own.length === 0) throw new GantryError('policy_unsigned', `The approval policy on ${server} is not signed by any of its own approvers.`);
    return { state: 'unpinned', policy: current, digest };
  }
  const pinnedDigest = policyDigest(pinned);
  if (digest === pinnedDigest) return { state: 'pinned', policy: current, digest, advancedFrom: null };
  // Walk back from the current policy to the pinned one.
  const chain: PolicyFile[] = [current];
  for (let link = current; policyDigest(link) !== pinnedDigest; ) {
    const previous = link.body.previous ? (policyDigest(pinned) === link.body.previous ? pinned : options.history(link.body.previous)) : null;
    if (!previous || chain.length > 100) throw policyChanged(server, pinned, current, 'it does not descend from the policy this Gantry pinned');
    chain.unshift(previous);
    link = previous;
  }
  for (let index = 1; index < chain.length; index++) {
    const before = chain[index - 1]!.body;
    const after = chain[index]!;
    const signers = validPolicySigners(after, before);
    if (signers.length < before.approvalsRequired) {
      throw policyChanged(server, before, after, `it is signed by ${signers.length} of the ${before.approvalsRequired} approvers the previous policy requires`);
    }
  }
  return { state: 'pinned', policy: current, digest, advancedFrom: pinnedDigest };
}

function policyChanged(server: string, before: PolicyFile | PolicyBody, after: PolicyFile, why: string): GantryError {
  const beforeBody = 'body' in before ? before.body : before;
  const changes = describePolicyChanges(beforeBody, after.body);
  return new GantryError(
    'policy_changed',
    `The approval policy on ${server} was changed without the approvers' signatures (${why}): ${after.body.changedBy} at ${after.body.changedAt} ${changes.length > 0 ? changes.join('; ') : 'changed it'}. Protected runs are refused until the change is signed by the approvers, or you re-pin the policy on purpose.`,
    { changedBy: after.body.changedBy, changes, digest: policyDigest(after) },
  );
}

/** The status of a request as the documents on the server show it. */
export type RequestState = 'pending_approval' | 'approved' | 'rejected' | 'expired' | 'used' | 'invalid';

/** A request checked against the policy: its state, the valid decisions, and why anything was not counted. */
export interface CheckedRequest {
  state: RequestState;
  digest: string;
  approvals: { principal: string; fingerprint: string; at: string }[];
  rejection: { principal: string; fingerprint: string; at: string; reason: string } | null;
  /** Why the request or a decision was not accepted, one sentence each. */
  problems: string[];
  requester: { principal: string; fingerprint: string };
  consumed: Consumption | null;
}

/** Checks a request and its decisions against a policy at time `now`. */
export function checkRequest(options: { policy: PolicyBody; request: RequestFile; decisions: DecisionFile[]; consumed: Consumption | null; now: Date }): CheckedRequest {
  const { policy, request, decisions, now } = options;
  const body = request.body;
  const digest = requestDigest(request);
  const problems: string[] = [];
  const requester = { principal: body.requester.principal, fingerprint: keyFingerprint(body.requester.publicKey) };
  const requesterMember = member(policy, body.requester.principal, 'request');
  if (!requesterMember) problems.push(`${body.requester.principal} may not request approvals under the policy`);
  else if (requesterMember.publicKey !== body.requester.publicKey) problems.push(`the request is signed by a key that is not ${body.requester.principal}'s in the policy (${requester.fingerprint})`);
  else {
    const failure = verifyMessage(request.signature, signedText(body), { publicKey: requesterMember.publicKey });
    if (failure) problems.push(`the request on the server was changed after ${body.requester.principal} signed it (${failure})`);
  }
  const invalid = problems.length > 0;
  const approvals: CheckedRequest['approvals'] = [];
  let rejection: CheckedRequest['rejection'] = null;
  for (const decision of decisions) {
    const problem = decisionProblem(policy, request, digest, decision, now);
    const fingerprint = keyFingerprint(decision.body.approver.publicKey);
    if (problem) {
      problems.push(problem);
      continue;
    }
    if (decision.body.decision === 'reject') rejection ??= { principal: decision.body.approver.principal, fingerprint, at: decision.body.createdAt, reason: decision.body.reason ?? '' };
    else if (!approvals.some((entry) => entry.principal === decision.body.approver.principal)) approvals.push({ principal: decision.body.approver.principal, fingerprint, at: decision.body.createdAt });
  }
  const state: RequestState = invalid
    ? 'invalid'
    : options.consumed
      ? 'used'
      : rejection
        ? 'rejected'
        : new Date(body.expiresAt) <= now
          ? 'expired'
          : approvals.length >= policy.approvalsRequired
            ? 'approved'
            : 'pending_approval';
  return { state, digest, approvals, rejection, problems, requester, consumed: options.consumed };
}

function decisionProblem(policy: PolicyBody, request: RequestFile, digest: string, decision: DecisionFile, now: Date): string | null {
  const { approver } = decision.body;
  const who = approver.principal;
  const approverMember = member(policy, who, 'approve');
  if (!approverMember) return `${who}'s ${decision.body.decision === 'approve' ? 'approval' : 'rejection'} does not count: ${who} is not an approver in the policy`;
  if (approverMember.publicKey !== approver.publicKey) return `${who}'s decision is signed by a key that is not in the policy (${keyFingerprint(approver.publicKey)})`;
  const failure = verifyMessage(decision.signature, signedText(decision.body), { publicKey: approverMember.publicKey });
  if (failure) return `${who}'s decision on the server was changed after it was signed (${failure})`;
  if (who === request.body.requester.principal || approver.publicKey === request.body.requester.publicKey) return `${who} requested this run and cannot approve it`;
  if (decision.body.requestId !== request.body.id || decision.body.requestDigest !== digest) return `${who}'s decision was made for another request${decision.body.requestId !== request.body.id ? ` (${decision.body.requestId.slice(0, 8)})` : ' (the request changed since)'}`;
  if (new Date(decision.body.expiresAt) <= now) return `${who}'s approval expired at ${decision.body.expiresAt}`;
  return null;
}
