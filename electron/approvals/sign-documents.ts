/**
 * Making the signed documents: a policy, a request, a decision. Each body is parsed through its
 * schema before it is signed, so Gantry never signs what it would refuse to read back.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { signedText } from '@shared/approvals/canonical';
import { decisionBody, maintenanceBody, policyBody, requestBody, type DecisionFile, type MaintenanceBody, type MaintenanceFile, type PolicyBody, type PolicyFile, type RequestBody, type RequestFile } from '@shared/approvals/documents';
import { signMessage, type SshSigner } from './sshsig';

/** An operator's signing identity: their principal and a signer for their key. */
export interface Identity {
  principal: string;
  signer: SshSigner;
}

/** How long a request (and an approval) stays valid unless the operator says otherwise. */
export const DEFAULT_REQUEST_TTL_MS = 24 * 60 * 60 * 1000;

/** Signs a policy body as `identity` (the first policy, or a change the identity approves). */
export async function signPolicy(identity: Identity, body: PolicyBody): Promise<PolicyFile> {
  const parsed = policyBody.parse(body);
  return { body: parsed, signatures: [{ principal: identity.principal, signature: await signMessage(identity.signer, signedText(parsed)) }] };
}

/** Adds `identity`'s signature to a policy change that others already signed. */
export async function cosignPolicy(identity: Identity, policy: PolicyFile): Promise<PolicyFile> {
  const others = policy.signatures.filter((entry) => entry.principal !== identity.principal);
  return { body: policy.body, signatures: [...others, { principal: identity.principal, signature: await signMessage(identity.signer, signedText(policy.body)) }] };
}

/** Builds and signs a request for approval of one plan. */
export async function signRequest(
  identity: Identity,
  fields: Omit<RequestBody, 'format' | 'kind' | 'id' | 'requester' | 'createdAt' | 'expiresAt' | 'nonce'> & { now?: Date; ttlMs?: number },
): Promise<RequestFile> {
  const now = fields.now ?? new Date();
  const { now: _now, ttlMs, ...rest } = fields;
  const body = requestBody.parse({
    ...rest,
    format: 1,
    kind: 'gantry-approval-request',
    id: randomUUID(),
    requester: { principal: identity.principal, publicKey: identity.signer.publicKey },
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + (ttlMs ?? DEFAULT_REQUEST_TTL_MS)).toISOString(),
    nonce: randomBytes(16).toString('hex'),
  });
  return { body, signature: await signMessage(identity.signer, signedText(body)) };
}

/** Builds and signs an approval or a rejection of one request (an approval lasts no longer than its request). */
export async function signDecision(
  identity: Identity,
  request: { id: string; digest: string; expiresAt: string },
  decision: { decision: 'approve' | 'reject'; reason?: string | null; now?: Date; expiresAt?: string },
): Promise<DecisionFile> {
  const now = decision.now ?? new Date();
  const body = decisionBody.parse({
    format: 1,
    kind: 'gantry-approval-decision',
    requestId: request.id,
    requestDigest: request.digest,
    decision: decision.decision,
    reason: decision.reason ?? null,
    approver: { principal: identity.principal, publicKey: identity.signer.publicKey },
    createdAt: now.toISOString(),
    expiresAt: decision.expiresAt ?? request.expiresAt,
  });
  return { body, signature: await signMessage(identity.signer, signedText(body)) };
}

/** Signs the record of a maintenance run into a protected environment as its starter. */
export async function signMaintenance(identity: Identity, fields: Omit<MaintenanceBody, 'format' | 'kind' | 'by'>): Promise<MaintenanceFile> {
  const body = maintenanceBody.parse({ ...fields, format: 1, kind: 'gantry-maintenance-record', by: { principal: identity.principal, publicKey: identity.signer.publicKey } });
  return { body, signature: await signMessage(identity.signer, signedText(body)) };
}
