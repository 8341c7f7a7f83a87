/**
 * The canonical description of a running resource, derived from `docker inspect`: what Gantry
 * compares between environments, diffs, hashes (SHA-256 of its canonical JSON) and recreates.
 * Volatile fields (ids of the container itself, timestamps, state, Docker-assigned defaults)
 * are not part of it; lists are kept in a stable order so equal specs serialize identically.
 */
import { z } from 'zod';

/** One mount: a named volume, a bind mount or a tmpfs. */
export const mountSpec = z.object({
  type: z.enum(['volume', 'bind', 'tmpfs']),
  /** Volume name, host path, or '' for tmpfs. */
  source: z.string(),
  target: z.string(),
  readOnly: z.boolean(),
});

/** One published port. `hostIp` '' means all addresses. */
export const portSpec = z.object({
  containerPort: z.number().int(),
  protocol: z.enum(['tcp', 'udp', 'sctp']),
  hostIp: z.string(),
  hostPort: z.number().int(),
});

/** The container's health check as Docker runs it (durations in milliseconds). */
export const healthcheckSpec = z.object({
  test: z.array(z.string()),
  intervalMs: z.number(),
  timeoutMs: z.number(),
  retries: z.number().int(),
  startPeriodMs: z.number(),
});

/** The canonical spec of one resource instance. */
export const resourceSpec = z.object({
  image: z.object({
    /** The reference the container was created from, e.g. `gantry-lab/webapp:1`. */
    ref: z.string(),
    /** The local image id (`sha256:...`), which changes when the tag is rebuilt. */
    id: z.string().nullable(),
    /** Registry digest when known (`name@sha256:...`). */
    digest: z.string().nullable(),
  }),
  entrypoint: z.array(z.string()).nullable(),
  command: z.array(z.string()).nullable(),
  workingDir: z.string(),
  user: z.string(),
  /** Environment variables, keys sorted. Values may be secrets: mask before showing. */
  env: z.record(z.string(), z.string()),
  mounts: z.array(mountSpec),
  ports: z.array(portSpec),
  /** Labels, keys sorted, without Gantry's own bookkeeping labels (`gantry.config-hash`). */
  labels: z.record(z.string(), z.string()),
  healthcheck: healthcheckSpec.nullable(),
  restartPolicy: z.object({ name: z.string(), maximumRetryCount: z.number().int() }),
  limits: z.object({ memoryBytes: z.number(), nanoCpus: z.number(), pidsLimit: z.number().nullable() }),
  networks: z.array(z.object({ name: z.string(), aliases: z.array(z.string()) })),
});

/** The canonical spec of one resource instance. */
export type ResourceSpec = z.infer<typeof resourceSpec>;
/** One mount of a spec. */
export type MountSpec = z.infer<typeof mountSpec>;
/** One published port of a spec. */
export type PortSpec = z.infer<typeof portSpec>;

/** The kinds of resource Gantry manages. */
export const resourceKind = z.enum(['application', 'database', 'service']);
/** The kind of a resource. */
export type ResourceKind = z.infer<typeof resourceKind>;

/** The eight database engines Gantry knows. */
export const databaseType = z.enum(['postgresql', 'mysql', 'mariadb', 'mongodb', 'redis', 'keydb', 'dragonfly', 'clickhouse']);
/** One of the eight database engines. */
export type DatabaseType = z.infer<typeof databaseType>;

/** Labels Gantry puts on the containers it creates. */
export const gantryLabels = {
  resource: 'gantry.resource',
  /** The environment's name (readable in `docker ps`); with `gantry.resource` it finds the container. */
  environment: 'gantry.environment',
  project: 'gantry.project',
  configHash: 'gantry.config-hash',
  migration: 'gantry.migration',
} as const;
