/**
 * The documents of production approvals, as they are stored on the target server
 * (`/var/lib/gantry/approvals/`) and read back by every Gantry: the policy, a request, a decision
 * (approve or reject) and the mark that a request was used. Each signed document is
 * `{ body, signature }`: an OpenSSH SSHSIG (namespace `gantry-approval`) over the body's canonical
 * JSON, so a changed byte anywhere in the body breaks the signature. Everything is parsed through
 * these schemas (with a format version) before any code uses it.
 */
import { z } from 'zod';
import { runOptions } from '../migration/views';

/** A signer's name in the policy (an OpenSSH allowed_signers principal). */
export const principal = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/, 'A principal is a name like alice or alice@example.com (letters, digits, . _ @ + -).');
/** An SSH public key line without comment: `ssh-ed25519 AAAA…`. */
export const publicKeyLine = z.string().regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,2}$/, 'An SSH public key line, e.g. ssh-ed25519 AAAA…');
/** `sha256:` and 64 hex digits. */
export const sha256Digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);
/** An armored SSH signature (`-----BEGIN SSH SIGNATURE-----`…). */
export const armoredSignature = z.string().max(8000).startsWith('-----BEGIN SSH SIGNATURE-----');
const isoTime = z.iso.datetime();
const environmentName = z.string().min(1).max(100);

/** What a member of the policy may do. */
export const policyRole = z.enum(['request', 'approve', 'deploy']);
/** A role in the policy. */
export type PolicyRole = z.infer<typeof policyRole>;

/** A team member: one principal, one key, their roles. */
export const policyMember = z.object({ principal, publicKey: publicKeyLine, roles: z.array(policyRole).min(1) }).strict();
/** A member of the policy. */
export type PolicyMember = z.infer<typeof policyMember>;

/**
 * Runs that put a protected environment back or maintain it rather than migrate into it. They
 * need no approval (a rollback or restore must stay possible in an emergency), but only a deployer
 * of the pinned policy starts one, each is recorded on the server with the starter's signature, and
 * the policy may refuse any of these kinds outright.
 */
export const maintenanceKind = z.enum(['rollback', 'restore', 'restore-backup', 'rotate-credentials', 'change-domain']);
/** A kind of maintenance run. */
export type MaintenanceKind = z.infer<typeof maintenanceKind>;

/** The policy of one server: who may request, approve and deploy, and how many approvals a run needs. */
export const policyBody = z
  .object({
    format: z.literal(1),
    kind: z.literal('gantry-policy'),
    version: z.number().int().min(1),
    /** The digest of the policy this one replaces (null for the first). */
    previous: sha256Digest.nullable(),
    /** Environments on this server that need approvals besides production (always protected). */
    protectedEnvironments: z.array(environmentName).max(50),
    members: z.array(policyMember).min(1).max(100),
    /** Approvals a run needs; the requester never counts. */
    approvalsRequired: z.number().int().min(1).max(20),
    /** Maintenance runs refused in protected environments (absent: none; every other kind runs recorded, without an approval). */
    maintenanceRefused: z.array(maintenanceKind).max(10).optional(),
    changedBy: principal,
    changedAt: isoTime,
  })
  .strict()
  .refine((body) => new Set(body.members.map((member) => member.principal)).size === body.members.length, 'Each principal is listed once.')
  .refine((body) => body.members.filter((member) => member.roles.includes('approve')).length >= body.approvalsRequired, 'The policy needs at least as many approvers as approvals required.');
/** A policy's content (what its signatures cover). */
export type PolicyBody = z.infer<typeof policyBody>;

/** One signature over a body, by a principal. */
export const bodySignature = z.object({ principal, signature: armoredSignature }).strict();
/** A signature of a document. */
export type BodySignature = z.infer<typeof bodySignature>;

/** The policy file: its body and the signatures of the approvers who made or accepted it. */
export const policyFile = z.object({ body: policyBody, signatures: z.array(bodySignature).min(1).max(20) }).strict();
/** The policy as stored on the server. */
export type PolicyFile = z.infer<typeof policyFile>;

/** Who signed a document: principal and public key. */
export const signer = z.object({ principal, publicKey: publicKeyLine }).strict();
/** A signer as a document names them. */
export type Signer = z.infer<typeof signer>;

/** What the approver reads (masked): the same review the requester saw. */
export const requestSummary = z
  .object({
    title: z.string().max(500),
    project: z.string().max(200),
    resources: z.array(z.object({ name: z.string().max(200), mode: z.enum(['clone', 'promote']), image: z.string().max(500).nullable() }).strict()).max(200),
    /** The structured changes, one line each, secrets masked. */
    changes: z.array(z.string().max(2000)).max(1000),
    /** The unified spec diff, secrets masked. */
    diff: z.string().max(400_000),
  })
  .strict();
/** A request's readable summary. */
export type RequestSummary = z.infer<typeof requestSummary>;

/** A target resource's spec hash when the plan was made (null: it did not exist there). */
export const approvedSpecHash = z.object({ resourceId: z.string().max(100), name: z.string().max(200), containerName: z.string().max(200), liveSpecHash: z.string().max(200).nullable() }).strict();

/** A request for approval: exactly which plan, against which state of the target, by whom, until when. */
export const requestBody = z
  .object({
    format: z.literal(1),
    kind: z.literal('gantry-approval-request'),
    id: z.uuid(),
    /** SHA-256 of the canonical plan exactly as it will run (see `canonicalPlanText`). */
    planDigest: sha256Digest,
    /** The policy the request was made under. */
    policyDigest: sha256Digest,
    source: environmentName,
    target: z.object({ name: environmentName, production: z.boolean() }).strict(),
    server: z.string().max(300),
    summary: requestSummary,
    specHashes: z.array(approvedSpecHash).max(200),
    options: runOptions,
    requester: signer,
    createdAt: isoTime,
    expiresAt: isoTime,
    nonce: z.string().regex(/^[0-9a-f]{32}$/),
  })
  .strict();
/** A request's content. */
export type RequestBody = z.infer<typeof requestBody>;

/** The request file: body and the requester's signature. */
export const requestFile = z.object({ body: requestBody, signature: armoredSignature }).strict();
/** A request as stored. */
export type RequestFile = z.infer<typeof requestFile>;

/** An approval or a rejection, bound to one request by its id and digest. */
export const decisionBody = z
  .object({
    format: z.literal(1),
    kind: z.literal('gantry-approval-decision'),
    requestId: z.uuid(),
    /** SHA-256 of the request body's canonical JSON: the decision covers exactly that request. */
    requestDigest: sha256Digest,
    decision: z.enum(['approve', 'reject']),
    reason: z.string().max(2000).nullable(),
    approver: signer,
    createdAt: isoTime,
    expiresAt: isoTime,
  })
  .strict();
/** A decision's content. */
export type DecisionBody = z.infer<typeof decisionBody>;

/** The decision file: body and the approver's signature. */
export const decisionFile = z.object({ body: decisionBody, signature: armoredSignature }).strict();
/** A decision as stored. */
export type DecisionFile = z.infer<typeof decisionFile>;

/** The mark that an approved request was used (written once, atomically, under the target's lock). */
export const consumption = z.object({ format: z.literal(1), requestId: z.uuid(), by: principal, machine: z.string().max(200), migrationId: z.string().max(100), at: isoTime }).strict();
/** Who used a request, and when. */
export type Consumption = z.infer<typeof consumption>;

/** The record of a maintenance run into a protected environment, signed by whoever started it. */
export const maintenanceBody = z
  .object({
    format: z.literal(1),
    kind: z.literal('gantry-maintenance-record'),
    migrationId: z.string().max(100),
    run: maintenanceKind,
    title: z.string().max(500),
    target: z.object({ name: environmentName, production: z.boolean() }).strict(),
    server: z.string().max(300),
    /** The policy that allowed it. */
    policyDigest: sha256Digest,
    by: signer,
    machine: z.string().max(200),
    at: isoTime,
  })
  .strict();
/** A maintenance record's content. */
export type MaintenanceBody = z.infer<typeof maintenanceBody>;

/** The maintenance record file: body and the starter's signature. */
export const maintenanceFile = z.object({ body: maintenanceBody, signature: armoredSignature }).strict();
/** A maintenance record as stored. */
export type MaintenanceFile = z.infer<typeof maintenanceFile>;
