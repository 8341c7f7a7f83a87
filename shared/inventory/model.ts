/**
 * The inventory as it crosses IPC: projects, their environment chains, resources, and the graph
 * (every environment × resource cell with its status) the environment-graph UI draws.
 */
import { z } from 'zod';
import { databaseType, resourceKind, resourceSpec } from '../spec/resource-spec';
import { resourceStatuses } from './status';

/** An environment name: it ends up in labels and network names, so it is a slug. */
export const environmentName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'Use 1–32 lowercase letters, digits and dashes, starting with a letter or digit (e.g. "uat").');
/** A resource name, unique in its project. */
export const resourceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'Use 1–63 lowercase letters, digits, dots, dashes and underscores (e.g. "web" or "orders-db").');
/** A project name as the operator types it. */
export const projectName = z.string().trim().min(1, 'Give the project a name.').max(64, 'Keep the project name under 64 characters.');
/** A Docker network name. */
export const networkName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, 'A Docker network name uses letters, digits, dots, dashes and underscores.');
/** A base domain such as `uat.example.com`, or '' for none. */
export const domainName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^$|^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'Enter a domain such as "uat.example.com" (no scheme, no path), or leave it empty.');
const id = z.string().min(1).max(100);

/** A project with the size of its chain. */
export const projectSummary = z.object({ id: z.string(), name: z.string(), environmentCount: z.number(), resourceCount: z.number(), createdAt: z.number() });
/** A project with the size of its chain. */
export type ProjectSummary = z.infer<typeof projectSummary>;

/** One environment of a chain. */
export const environmentView = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  position: z.number(),
  production: z.boolean(),
  serverId: z.string().nullable(),
  serverName: z.string().nullable(),
  network: z.string(),
  domain: z.string(),
});
/** One environment of a chain. */
export type EnvironmentView = z.infer<typeof environmentView>;

/** A scheduled task of a resource. */
export const scheduledTask = z.object({
  name: z.string().min(1).max(64),
  schedule: z.string().regex(/^\s*(@(yearly|annually|monthly|weekly|daily|midnight|hourly|reboot)|(\S+\s+){4}\S+)\s*$/, 'Use cron syntax with five fields (e.g. "0 3 * * *") or @daily.'),
  command: z.string().min(1).max(2000),
  enabled: z.boolean().default(true),
});

/** One resource of a project. */
export const resourceView = z.object({
  id: z.string(),
  name: z.string(),
  kind: resourceKind,
  databaseType: databaseType.nullable(),
  tags: z.array(z.string()),
  links: z.array(z.string()),
  scheduledTasks: z.array(scheduledTask),
});
/** One resource of a project. */
export type ResourceView = z.infer<typeof resourceView>;

/** A container as discovery saw it (spec masked). */
export const containerView = z.object({
  containerId: z.string(),
  containerName: z.string(),
  state: z.string(),
  health: z.enum(['healthy', 'unhealthy', 'starting', 'none']),
  imageRef: z.string(),
  specHash: z.string(),
  spec: resourceSpec,
});
/** A container as discovery saw it (spec masked). */
export type ContainerView = z.infer<typeof containerView>;

/** One cell of the graph: a resource in an environment. `status` is null until discovery has seen the server. */
export const graphCell = z.object({
  resourceId: z.string(),
  environmentId: z.string(),
  status: resourceStatuses.nullable(),
  also: z.array(resourceStatuses),
  reason: z.string(),
  recordedHash: z.string().nullable(),
  container: containerView.nullable(),
});
/** One cell of the graph. */
export type GraphCell = z.infer<typeof graphCell>;

/** What discovery last saw on an environment's server. */
export const environmentDiscovery = z.object({
  environmentId: z.string(),
  discoveredAt: z.number().nullable(),
  reachable: z.boolean().nullable(),
  error: z.string().nullable(),
  /** Containers on the server that no resource of this project claims: candidates for adoption. */
  /** `env` is masked like every spec shown (secrets never in clear): enough for Adopt to see which containers it names. */
  unadopted: z.array(
    containerView.omit({ spec: true }).extend({
      env: z.record(z.string(), z.string()),
      /** The database engine the adapters' detection sees in it (sure only when exactly one engine is sure), or null. */
      databaseGuess: z.object({ type: databaseType, sure: z.boolean(), reason: z.string() }).nullable().default(null),
    }),
  ),
});

/** Everything the environment graph needs, in one call. */
export const inventoryGraph = z.object({
  project: projectSummary,
  environments: z.array(environmentView),
  resources: z.array(resourceView),
  cells: z.array(graphCell),
  discovery: z.array(environmentDiscovery),
});
/** Everything the environment graph needs, in one call. */
export type InventoryGraph = z.infer<typeof inventoryGraph>;

/** Requests of the inventory channels. */
export const inventoryRequests = {
  createProject: z
    .object({
      name: projectName,
      /** The initial chain, first to last; defaults to none. */
      environments: z.array(z.object({ name: environmentName, production: z.boolean().default(false) }).strict()).max(20).default([]),
    })
    .strict(),
  addEnvironment: z
    .object({
      projectId: id,
      name: environmentName,
      production: z.boolean().default(false),
      serverId: id.nullable().default(null),
      network: networkName.optional(),
      domain: domainName.default(''),
    })
    .strict(),
  reorderEnvironments: z.object({ projectId: id, order: z.array(id).min(1).max(50) }).strict(),
  bindEnvironment: z
    .object({ environmentId: id, serverId: id.nullable(), network: networkName.optional(), domain: domainName.optional(), production: z.boolean().optional() })
    .strict(),
  adoptResource: z
    .object({
      environmentId: id,
      /** The container's name (or id) on the environment's server. */
      container: z.string().min(1).max(128),
      /** An existing resource of the project to attach this container to, or a new one to create. */
      resource: z.union([
        z.object({ resourceId: id }).strict(),
        z
          .object({
            name: resourceName,
            kind: resourceKind,
            databaseType: databaseType.nullable().default(null),
            tags: z.array(z.string().min(1).max(40)).max(20).default([]),
            links: z.array(id).max(50).default([]),
            scheduledTasks: z.array(scheduledTask).max(20).default([]),
          })
          .strict(),
      ]),
    })
    .strict(),
  /** Replaces what a resource carries besides its container: tags, links, scheduled tasks (and a database's engine). */
  updateResource: z
    .object({
      resourceId: id,
      tags: z.array(z.string().trim().min(1).max(40)).max(20),
      links: z.array(id).max(50),
      scheduledTasks: z.array(scheduledTask).max(20),
      /** A database resource's engine, chosen by the operator (its adapter runs copies, backups and the readiness query). */
      databaseType: databaseType.optional(),
    })
    .strict(),
  acceptDrift: z.object({ resourceId: id, environmentId: id }).strict(),
  discover: z.object({ projectId: id.optional() }).strict(),
  graph: z.object({ projectId: id }).strict(),
} as const;
