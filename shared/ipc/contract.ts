/**
 * The one IPC contract: every request channel and every event that crosses between the main
 * process (or the browser-mode bridge) and the renderer exists here and nowhere else.
 *
 * Request channels are named `area:verb`; each has a zod schema for its request (checked at
 * runtime on the main side, for Electron IPC and the WebSocket bridge alike) and one for its
 * response (the type the renderer receives). Each call takes one options object.
 */
import { z } from 'zod';
import { jobEvent, jobSummary } from './jobs';
import { connectionState, connectionTestStep, fingerprint, hostKeyCheck, serverInput, serverView, sshConfigHost } from '../servers/server-schemas';
import { revealRequest } from '../migration/reveal';
import { copyEstimate } from '../migration/data-copy';
import { migrationDetail, migrationFilter, migrationSummary, planRequest, planView, runOptions } from '../migration/views';
import { containerView, environmentView, inventoryGraph, inventoryRequests, projectSummary, resourceView } from '../inventory/model';
import { historyDiff, historyEntry, historyRequests } from '../history/views';
import { backupListRequest, backupRecord, backupRestoreRequest, backupRetentionRequest } from '../migration/backups';
import { webhookReminder } from '../migration/webhook-reminders';
import { domainChangeRequest, domainCheckRequest, domainCheckView } from '../domains/domain-change';
import { runDefaults, settingsView } from '../settings/settings-view';
import { agentKeysView, approvalRequestView, identityView, liveReviewView, maintenanceRecordView, policyView, proposePolicyRequest, serverProblem, setIdentityRequest, setupPolicyRequest } from '../approvals/views';

const empty = z.object({}).strict();

/** Everything the renderer may ask of the main side. */
export const requestChannels = {
  // ── app ──────────────────────────────────────────────────────────────
  'app:info': {
    request: empty,
    response: z.object({
      name: z.string(),
      version: z.string(),
      dataDir: z.string(),
      databaseFile: z.string(),
      bridge: z.enum(['electron', 'browser']),
      platform: z.string(),
      nodeVersion: z.string(),
      schemaVersion: z.number(),
    }),
  },

  // ── jobs ─────────────────────────────────────────────────────────────
  'jobs:list': {
    request: empty,
    response: z.object({ jobs: z.array(jobSummary) }),
  },
  'jobs:cancel': {
    request: z.object({ jobId: z.string().min(1).max(100) }).strict(),
    response: z.object({ cancelled: z.boolean(), state: z.string() }),
  },

  // ── settings ─────────────────────────────────────────────────────────
  /** The run defaults, whether the OS keychain can keep secrets (checked now), and the data folder. */
  'settings:get': {
    request: empty,
    response: settingsView,
  },
  /** Changes the defaults new migrations, rollbacks and restores start with. */
  'settings:set-defaults': {
    request: z.object({ defaults: runDefaults }).strict(),
    response: settingsView,
  },

  // ── feature areas add their channels below, grouped by area ──────────
  // ── servers ──────────────────────────────────────────────────────────
  'servers:list': {
    request: empty,
    response: z.object({ servers: z.array(serverView) }),
  },
  /** Creates (no `id`) or updates a server; secrets go to the OS keychain, never to SQLite. */
  'servers:save': {
    request: z.object({ id: z.string().min(1).max(100).optional(), server: serverInput, pin: z.object({ fingerprint, algorithm: z.string().min(1).max(100) }).strict().optional() }).strict(),
    response: z.object({ server: serverView }),
  },
  'servers:delete': {
    request: z.object({ id: z.string().min(1).max(100) }).strict(),
    response: z.object({ deleted: z.boolean() }),
  },
  'servers:test': {
    request: z.object({ id: z.string().min(1).max(100).optional(), server: serverInput.optional(), trustFingerprint: fingerprint.optional() }).strict(),
    response: z.object({ steps: z.array(connectionTestStep), hostKey: hostKeyCheck.nullable() }),
  },
  'servers:pin-host-key': {
    request: z.object({ id: z.string().min(1).max(100), fingerprint, replace: z.boolean().optional() }).strict(),
    response: z.object({ server: serverView }),
  },
  /** Pins the key known_hosts lists for the server; `files` and `hostKeyAlias` are the ssh config's UserKnownHostsFile and HostKeyAlias. */
  'servers:import-known-host': {
    request: z.object({ id: z.string().min(1).max(100), files: z.array(z.string().min(1).max(4096)).max(8).optional(), hostKeyAlias: z.string().min(1).max(253).optional() }).strict(),
    response: z.object({ server: serverView, file: z.string(), line: z.number() }),
  },
  'servers:probe': {
    request: z.object({ id: z.string().min(1).max(100) }).strict(),
    response: z.object({ jobId: z.string() }),
  },
  'servers:read-ssh-config': {
    request: z.object({ path: z.string().min(1).max(4096).optional() }).strict(),
    response: z.object({ path: z.string(), hosts: z.array(sshConfigHost) }),
  },

  // ── inventory ────────────────────────────────────────────────────────
  'projects:list': {
    request: empty,
    response: z.object({ projects: z.array(projectSummary) }),
  },
  /** Creates a project with its initial chain (first to last; production, if any, last). */
  'projects:create': {
    request: inventoryRequests.createProject,
    response: z.object({ project: projectSummary }),
  },
  /** Adds an environment: at the end, or just before production when it is not production itself. */
  'environments:add': {
    request: inventoryRequests.addEnvironment,
    response: z.object({ environment: environmentView }),
  },
  /** Puts the chain in a new order; every environment listed once, production last. */
  'environments:reorder': {
    request: inventoryRequests.reorderEnvironments,
    response: z.object({ environments: z.array(environmentView) }),
  },
  /** Binds an environment to a server (null unbinds) and sets its network, domain and production flag. */
  'environments:bind': {
    request: inventoryRequests.bindEnvironment,
    response: z.object({ environment: environmentView }),
  },
  /** Adopts an existing container into a project and environment, recording its spec hash. */
  'resources:adopt': {
    request: inventoryRequests.adoptResource,
    response: z.object({ resource: resourceView, container: containerView }),
  },
  /** Replaces a resource's tags, links and scheduled tasks (links stay in the project and never form a cycle). */
  'resources:update': {
    request: inventoryRequests.updateResource,
    response: z.object({ resource: resourceView }),
  },
  /** Records the container's current spec as the new baseline: a change made outside Gantry, accepted. */
  'resources:accept-drift': {
    request: inventoryRequests.acceptDrift,
    response: z.object({ container: containerView }),
  },
  /** Starts a discovery job over the servers of one project (or all); results feed `inventory:graph`. */
  'inventory:discover': {
    request: inventoryRequests.discover,
    response: z.object({ jobId: z.string() }),
  },
  /** Everything the environment graph shows, with each resource's status per environment. */
  'inventory:graph': {
    request: inventoryRequests.graph,
    response: inventoryGraph,
  },

  // ── migrations ───────────────────────────────────────────────────────
  /** The dry run: plan, diff and pre-checks for moving resources to the next environment. Touches nothing. */
  'migrations:plan': {
    request: planRequest,
    response: planView,
  },
  /** Runs a plan shown by `migrations:plan` (exactly that plan); returns at once, progress comes on `job:event`. */
  'migrations:start': {
    request: z.object({ planId: z.string().min(1).max(100), options: runOptions.default({ waitForReady: true, healthTimeoutSec: 300, httpCheckPath: null }) }).strict(),
    response: z.object({ migrationId: z.string(), jobId: z.string() }),
  },
  /**
   * One masked value of a plan shown by `migrations:plan`, in clear, on the operator's demand
   * (while the plan can still be started). Never logged or stored.
   */
  'migrations:reveal': {
    request: revealRequest,
    response: z.object({ value: z.string() }),
  },
  'migrations:list': {
    request: migrationFilter,
    response: z.object({ migrations: z.array(migrationSummary) }),
  },
  'migrations:get': {
    request: z.object({ migrationId: z.string().min(1).max(100) }).strict(),
    response: migrationDetail,
  },
  /** Cancels a running migration: it stops at the next step boundary and undoes what it did. */
  'migrations:cancel': {
    request: z.object({ migrationId: z.string().min(1).max(100) }).strict(),
    response: z.object({ migration: migrationSummary }),
  },
  /** Rolls a completed migration back: restores the target's snapshots (a new migration of kind rollback). */
  'migrations:rollback': {
    request: z.object({ migrationId: z.string().min(1).max(100), options: runOptions.default({ waitForReady: true, healthTimeoutSec: 300, httpCheckPath: null }) }).strict(),
    response: z.object({ migrationId: z.string(), jobId: z.string() }),
  },
  /** Restores one resource to its spec before a migration replaced it, from that migration's snapshot ("restore this snapshot"). */
  'migrations:restore': {
    request: z.object({ migrationId: z.string().min(1).max(100), resourceId: z.string().min(1).max(100), options: runOptions.default({ waitForReady: true, healthTimeoutSec: 300, httpCheckPath: null }) }).strict(),
    response: z.object({ migrationId: z.string(), jobId: z.string() }),
  },
  /** What copying one database's data (of a plan from `migrations:plan`) replaces, and its estimated size. Reads the source only. */
  'data:estimate': {
    request: z.object({ planId: z.string().min(1).max(100), resourceId: z.string().min(1).max(100) }).strict(),
    response: copyEstimate,
  },
  /** "Copy data": replaces the target's data of one database with the source's (never into production); `confirmation` is the estimate's text. */
  'data:copy': {
    request: z.object({ planId: z.string().min(1).max(100), resourceId: z.string().min(1).max(100), confirmation: z.string().max(500) }).strict(),
    response: z.object({ migrationId: z.string(), jobId: z.string() }),
  },
  /** The backups of one resource in one environment, read from its server (newest first; unreadable records named). */
  'backups:list': {
    request: backupListRequest,
    /** `pinned`: ids of backups whose migration is completed and can still be rolled back (History marks them). */
    response: z.object({ backups: z.array(backupRecord), unreadable: z.array(z.string()), pinned: z.array(z.string()) }),
  },
  /** The environment's server's retention setting (backups kept per resource). */
  'backups:retention': {
    request: z.object({ environmentId: z.string().min(1).max(100) }).strict(),
    response: z.object({ keep: z.number() }),
  },
  /** Retention: backups kept per resource on the environment's server (a setting that lives there, shared by every operator). */
  'backups:set-retention': {
    request: backupRetentionRequest,
    response: z.object({ keep: z.number() }),
  },
  /** "Restore this backup": a journaled run that takes a fresh verified backup first, so it can be undone. */
  'backups:restore': {
    request: backupRestoreRequest,
    response: z.object({ migrationId: z.string(), jobId: z.string() }),
  },
  // ── approvals ────────────────────────────────────────────────────────
  /** The operator's signing identity (principal and public key; never the key's secret). */
  'approvals:identity': {
    request: empty,
    response: z.object({ identity: identityView }),
  },
  /** The keys the operator's ssh-agent holds, with fingerprints (to sign with one of them). */
  'approvals:agent-keys': {
    request: empty,
    response: agentKeysView,
  },
  /** Sets the signing identity: a key file (its passphrase goes to the OS keychain) or an ssh-agent key. */
  'approvals:set-identity': {
    request: setIdentityRequest,
    response: z.object({ identity: identityView }),
  },
  /** A server's approval policy, checked against the policy this Gantry pinned. */
  'approvals:policy': {
    request: z.object({ serverId: z.string().min(1).max(100) }).strict(),
    response: policyView,
  },
  /** Writes a server's first approval policy (signed by this operator) and pins it. */
  'approvals:setup-policy': {
    request: setupPolicyRequest,
    response: policyView,
  },
  /** Proposes a change of a server's pinned policy, signed by this operator; it applies once enough approvers of the current policy signed it. */
  'approvals:propose-policy': {
    request: proposePolicyRequest,
    response: policyView,
  },
  /** Adds this operator's signature to a proposed policy change (`digest` as shown); applies it when enough approvers signed. */
  'approvals:cosign-policy': {
    request: z.object({ serverId: z.string().min(1).max(100), digest: z.string().regex(/^sha256:[0-9a-f]{64}$/) }).strict(),
    response: policyView,
  },
  /** Pins the server's current policy on purpose; `digest` is the one the operator was shown. */
  'approvals:pin-policy': {
    request: z.object({ serverId: z.string().min(1).max(100), digest: z.string().regex(/^sha256:[0-9a-f]{64}$/) }).strict(),
    response: policyView,
  },
  /** Every approval request on the servers this Gantry knows, checked against the pinned policies. */
  'approvals:list': {
    request: empty,
    response: z.object({ requests: z.array(approvalRequestView), maintenance: z.array(maintenanceRecordView), problems: z.array(serverProblem) }),
  },
  /** Writes a signed request for approval of a plan shown by `migrations:plan` on its (protected) target server. */
  'approvals:request': {
    request: z.object({ planId: z.string().min(1).max(100), options: runOptions.default({ waitForReady: true, healthTimeoutSec: 300, httpCheckPath: null }) }).strict(),
    response: z.object({ requestId: z.string(), serverId: z.string() }),
  },
  /** Approves or rejects a request with this operator's key (the requester's own approval is refused). */
  'approvals:decide': {
    request: z.object({ serverId: z.string().min(1).max(100), requestId: z.string().min(1).max(100), decision: z.enum(['approve', 'reject']), reason: z.string().max(2000).nullable().optional() }).strict(),
    response: z.object({ request: approvalRequestView }),
  },
  /** The approver's live check of a request: pre-checks re-run against the target now, and how the target differs from the request. */
  'approvals:live-review': {
    request: z.object({ serverId: z.string().min(1).max(100), requestId: z.string().min(1).max(100) }).strict(),
    response: liveReviewView,
  },
  /** Starts an approved request's plan; the run checks every signature and uses the request under the target's lock. */
  'approvals:start': {
    request: z.object({ serverId: z.string().min(1).max(100), requestId: z.string().min(1).max(100) }).strict(),
    response: z.object({ migrationId: z.string(), jobId: z.string() }),
  },
  /** What a migration's first clone into production left pointing at the environment before (labels and env naming a repository or a webhook). */
  'webhooks:reminders': {
    request: z.object({ migrationId: z.string().min(1).max(100) }).strict(),
    response: z.object({ reminders: z.array(webhookReminder) }),
  },
  /** Keeps the GitHub token (for registering webhooks) in the keychain. */
  'webhooks:set-github-token': {
    request: z.object({ token: z.string().min(10).max(300) }).strict(),
    response: z.object({ saved: z.boolean() }),
  },
  /** Whether a GitHub token is in the keychain (never the token). */
  'webhooks:github-token': {
    request: empty,
    response: z.object({ saved: z.boolean() }),
  },
  /** Registers a GitHub webhook for the production URL, with a new secret kept in the keychain. */
  'webhooks:register-github': {
    request: z.object({ repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/), url: z.string().url().max(500) }).strict(),
    response: z.object({ hookId: z.number(), secretAccount: z.string() }),
  },
  /** "Rotate credentials" of a live database: new password in the database, dependants recreated with it, old containers and password back on any failure. */
  'credentials:rotate': {
    request: z.object({ environmentId: z.string().min(1).max(100), resourceId: z.string().min(1).max(100) }).strict(),
    response: z.object({ migrationId: z.string(), jobId: z.string() }),
  },
  /** The credentials a run generated (first clone into production, Rotate credentials), named without their values. */
  'credentials:new': {
    request: z.object({ migrationId: z.string().min(1).max(100) }).strict(),
    response: z.object({ environmentId: z.string().nullable(), credentials: z.array(z.object({ resourceId: z.string(), resourceName: z.string(), variable: z.string() })) }),
  },
  /** One credential of a live container, read on its server on the operator's demand (logged without the value). */
  'credentials:reveal': {
    request: z.object({ environmentId: z.string().min(1).max(100), resourceId: z.string().min(1).max(100), variable: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).max(100) }).strict(),
    response: z.object({ value: z.string() }),
  },
  /** The pre-checks of changing a resource's domain (read live from its server's proxy and DNS); nothing is changed. */
  'domains:check': {
    request: domainCheckRequest,
    response: domainCheckView,
  },
  /** "Change domain": a journaled run that routes the resource at the new domain and waits for its certificate; its rollback brings the old one back. */
  'domains:change': {
    request: domainChangeRequest,
    response: z.object({ migrationId: z.string(), jobId: z.string() }),
  },
  // ── history ──────────────────────────────────────────────────────────
  /** Every recorded spec of one resource in one environment, newest first, with the migration that recorded it. */
  'history:timeline': {
    request: historyRequests.timeline,
    response: z.object({ entries: z.array(historyEntry) }),
  },
  /** The diff of two history entries of one resource (normalized specs, masked). */
  'history:diff': {
    request: historyRequests.diff,
    response: historyDiff,
  },
} as const;

/** Everything the main side pushes to the renderer. */
export const eventChannels = {
  'job:event': jobEvent,
  'servers:status': z.object({ serverId: z.string(), state: connectionState, message: z.string().nullable() }),
  /** A migration changed status (started, finished, failed, cancelled, rolled back). */
  'migrations:changed': z.object({ migration: migrationSummary }),
} as const;

/** The name of a request channel. */
export type RequestChannel = keyof typeof requestChannels;
/** The name of an event channel. */
export type EventChannel = keyof typeof eventChannels;
/** The request a channel takes. */
export type RequestOf<C extends RequestChannel> = z.input<(typeof requestChannels)[C]['request']>;
/** The request a channel takes, after parsing (defaults applied). */
export type ParsedRequestOf<C extends RequestChannel> = z.output<(typeof requestChannels)[C]['request']>;
/** The response a channel gives. */
export type ResponseOf<C extends RequestChannel> = z.output<(typeof requestChannels)[C]['response']>;
/** The payload of an event. */
export type EventOf<E extends EventChannel> = z.output<(typeof eventChannels)[E]>;

/** Names of all request channels, for the preload's and the bridge's allow-lists. */
export const requestChannelNames: readonly RequestChannel[] = Object.keys(requestChannels) as RequestChannel[];
/** Names of all event channels. */
export const eventChannelNames: readonly EventChannel[] = Object.keys(eventChannels) as EventChannel[];

/** True when `name` is a request channel of the contract. */
export function isRequestChannel(name: unknown): name is RequestChannel {
  return typeof name === 'string' && Object.hasOwn(requestChannels, name);
}

/** True when `name` is an event channel of the contract. */
export function isEventChannel(name: unknown): name is EventChannel {
  return typeof name === 'string' && Object.hasOwn(eventChannels, name);
}
