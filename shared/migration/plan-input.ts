/**
 * What the planner needs to know, as explicit zod schemas: the environment chain, the resources
 * of the source and target environments (as the inventory saw them) and the facts the engine
 * gathered from the target server. The planner reads nothing else, so a plan is a pure function
 * of this input and can be recomputed, tested and shown without touching a server.
 */
import { z } from 'zod';
import { domainFacts } from '../domains/domain-assignment';
import { resourceKind, resourceSpec } from '../spec/resource-spec';

/** One environment of a project's chain, in chain order (dev first, production last). */
export const chainEnvironment = z.object({
  id: z.string().min(1),
  /** Short name, also used to name what Gantry creates there (`uat-db`, `uat-db-data`). */
  name: z.string().min(1).max(40),
  production: z.boolean(),
  /** The Docker network the environment's containers join (`gantry-<project>-<environment>`); null when unknown. */
  network: z.string().nullable().optional(),
});
/** One environment of the chain. */
export type ChainEnvironment = z.infer<typeof chainEnvironment>;

/**
 * A task run on a schedule inside a resource's container. On the target it becomes a cron entry
 * on the server that runs `docker exec <container> sh -c <command>`.
 */
export const scheduledTask = z.object({
  /** Unique per resource; how a promote tells a task the target already has. */
  name: z.string().min(1).max(80),
  /** Five cron fields (`*\/5 * * * *`) or a macro such as `@daily`. */
  schedule: z.string().min(1),
  /** A shell command run inside the container. */
  command: z.string().min(1),
});
/** One scheduled task of a resource. */
export type ScheduledTask = z.infer<typeof scheduledTask>;

/**
 * One resource instance in one environment. `resourceId` is the logical resource and is the same
 * in every environment (Gantry's `gantry.resource` label); `uuid`, `containerName` and `hostnames`
 * identify this environment's instance and are what other resources refer to.
 */
export const environmentResource = z.object({
  resourceId: z.string().min(1),
  name: z.string().min(1),
  kind: resourceKind,
  /** This instance's own id (e.g. the platform's resource UUID). */
  uuid: z.string().min(1),
  containerName: z.string().min(1),
  /** Network aliases other containers reach it by (the container name always works too). */
  hostnames: z.array(z.string()).default([]),
  spec: resourceSpec,
  /** Resource links: the `resourceId`s this resource depends on. */
  links: z.array(z.string()).default([]),
  scheduledTasks: z.array(scheduledTask).default([]),
  tags: z.array(z.string()).default([]),
});
/** One resource instance as the planner receives it. */
export type EnvironmentResource = z.output<typeof environmentResource>;

/** A port already published on the target server, and who holds it. */
export const publishedPort = z.object({
  hostPort: z.number().int().min(1).max(65535),
  protocol: z.enum(['tcp', 'udp', 'sctp']),
  /** '' (or 0.0.0.0 / ::) means all addresses. */
  hostIp: z.string().default(''),
  /** The container (or process) that holds it. */
  holder: z.string(),
});
/** A port in use on the target. */
export type PublishedPort = z.output<typeof publishedPort>;

/** What the engine found on the target server just before planning. */
export const targetFacts = z.object({
  reachable: z.boolean(),
  /** Why the server could not be reached, when it could not. */
  reachError: z.string().optional(),
  dockerOk: z.boolean(),
  dockerError: z.string().optional(),
  /** The filesystem holding Docker's data; null when it could not be measured. */
  disk: z.object({ totalBytes: z.number().nonnegative(), freeBytes: z.number().nonnegative() }).nullable(),
  publishedPorts: z.array(publishedPort),
  /** Named volumes that already exist on the target. */
  volumes: z.array(z.string()).default([]),
  /** Names of all containers on the target, running or not (Gantry's or anyone's). */
  containerNames: z.array(z.string()).default([]),
  /**
   * Per target resource: the hash of its spec as it runs now, and as Gantry last recorded it
   * (null when Gantry never recorded it). A difference means someone changed it by hand.
   */
  specHashes: z
    .array(z.object({ resourceId: z.string(), liveSpecHash: z.string(), recordedSpecHash: z.string().nullable(), recordedAt: z.string().optional() }))
    .default([]),
  /** The server's proxy and what the requested domains resolve to (read only when a domain is requested). */
  domains: domainFacts.optional(),
  /** The migration holding the target's lock, if any. */
  activeMigration: z.object({ id: z.string(), operator: z.string(), machine: z.string(), since: z.string(), target: z.string().nullable().default(null) }).nullable(),
});
/** Facts about the target server. */
export type TargetFacts = z.output<typeof targetFacts>;

/** Which label and env keys the environment's domain setting owns (besides the proxy's routing labels). */
export const domainOwnership = z.object({
  /** Exact keys or `*` patterns, e.g. `COOLIFY_FQDN`, `SERVICE_FQDN_*`. */
  envKeys: z.array(z.string()).default([]),
  labelKeys: z.array(z.string()).default([]),
});

/** Everything a plan is computed from. */
export const planInput = z.object({
  chain: z.array(chainEnvironment).min(2),
  sourceEnvId: z.string(),
  targetEnvId: z.string(),
  /** `rollback` is the only way down the chain. */
  purpose: z.enum(['migrate', 'rollback']).default('migrate'),
  /** The resources of the source environment (all of them: references are resolved against them). */
  sourceResources: z.array(environmentResource),
  /** The resources of the target environment. */
  targetResources: z.array(environmentResource),
  /** Which source resources to migrate. */
  resourceIds: z.array(z.string()).min(1),
  /** Add the resources they depend on that the target lacks (cloned, ahead of their dependants). */
  includeMissingDependencies: z.boolean().default(false),
  /** Host ports chosen by the operator instead of conflicting ones: `resourceId` → `"8080/tcp"` → host port. */
  portOverrides: z.record(z.string(), z.record(z.string(), z.number().int().min(1).max(65535))).default({}),
  /** The domain each resource cloned into production gets, as typed (validated by the planner): `resourceId` → domain. */
  domains: z.record(z.string(), z.string().max(300)).default({}),
  target: z.object({
    server: z.object({ id: z.string(), name: z.string() }),
    facts: targetFacts,
    domain: domainOwnership.default({ envKeys: [], labelKeys: [] }),
  }),
});
/** The planner's input as callers write it (defaults optional). */
export type PlanInputDraft = z.input<typeof planInput>;
/** The planner's input after parsing. */
export type PlanInput = z.output<typeof planInput>;

/**
 * The part of a plan request the operator chooses (the rest — chain, inventories, facts — the
 * engine gathers): the fields an IPC `migrations:plan` request can carry.
 */
export const planChoices = planInput.pick({ sourceEnvId: true, targetEnvId: true, purpose: true, resourceIds: true, includeMissingDependencies: true, portOverrides: true, domains: true });
/** What the operator chooses when asking for a plan. */
export type PlanChoices = z.input<typeof planChoices>;
