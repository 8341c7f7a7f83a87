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

/** A host device made available inside the container (`--device`). */
export const deviceSpec = z.object({ pathOnHost: z.string(), pathInContainer: z.string(), permissions: z.string() });

/** A resource limit of the container's processes (`--ulimit name=soft:hard`). */
export const ulimitSpec = z.object({ name: z.string(), soft: z.number(), hard: z.number() });

/** A request for devices from a driver, such as GPUs (`--gpus`). */
export const deviceRequestSpec = z.object({
  driver: z.string(),
  /** -1 means all devices. */
  count: z.number().int(),
  deviceIds: z.array(z.string()),
  capabilities: z.array(z.array(z.string())),
  options: z.record(z.string(), z.string()),
});

/**
 * How the container's processes run, beyond image, command, env and mounts: every `docker run`
 * option that changes a workload's behaviour. Values are as Docker stores them once created
 * (its defaults included, e.g. a 64 MiB shm size), so recreating from them is exact.
 */
export const runtimeSpec = z.object({
  /** `--init`: a tiny init as PID 1 that forwards signals and reaps zombies. */
  init: z.boolean(),
  /** '' when Docker chose it (the short container id). */
  hostname: z.string(),
  domainname: z.string(),
  tty: z.boolean(),
  openStdin: z.boolean(),
  /** '' for the image's or Docker's default (SIGTERM). */
  stopSignal: z.string(),
  /** Seconds between the stop signal and SIGKILL; null for Docker's default (10 s). */
  stopTimeoutSec: z.number().int().nullable(),
  capAdd: z.array(z.string()),
  capDrop: z.array(z.string()),
  privileged: z.boolean(),
  devices: z.array(deviceSpec),
  deviceRequests: z.array(deviceRequestSpec),
  ulimits: z.array(ulimitSpec),
  sysctls: z.record(z.string(), z.string()),
  securityOpt: z.array(z.string()),
  readOnlyRootfs: z.boolean(),
  /** `--tmpfs` mounts: container path → mount options (`size=64m,mode=1777`). */
  tmpfs: z.record(z.string(), z.string()),
  shmSizeBytes: z.number(),
  groupAdd: z.array(z.string()),
  ipcMode: z.string(),
  pidMode: z.string(),
  memoryReservationBytes: z.number(),
  /** -1 is unlimited swap; Docker sets twice the memory limit when only that is given. */
  memorySwapBytes: z.number(),
  cpuShares: z.number(),
  cpusetCpus: z.string(),
  logConfig: z.object({ driver: z.string(), options: z.record(z.string(), z.string()) }),
  /** `--add-host` entries, `name:address`. */
  extraHosts: z.array(z.string()),
  /** Resolver settings, in the order given (the order matters to the resolver). */
  dns: z.array(z.string()),
  dnsSearch: z.array(z.string()),
  dnsOptions: z.array(z.string()),
});

/** What a spec recorded before runtime settings existed reads as: Docker's defaults. */
export const defaultRuntime: z.infer<typeof runtimeSpec> = {
  init: false,
  hostname: '',
  domainname: '',
  tty: false,
  openStdin: false,
  stopSignal: '',
  stopTimeoutSec: null,
  capAdd: [],
  capDrop: [],
  privileged: false,
  devices: [],
  deviceRequests: [],
  ulimits: [],
  sysctls: {},
  securityOpt: [],
  readOnlyRootfs: false,
  tmpfs: {},
  shmSizeBytes: 0,
  groupAdd: [],
  ipcMode: '',
  pidMode: '',
  memoryReservationBytes: 0,
  memorySwapBytes: 0,
  cpuShares: 0,
  cpusetCpus: '',
  logConfig: { driver: '', options: {} },
  extraHosts: [],
  dns: [],
  dnsSearch: [],
  dnsOptions: [],
};

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
  runtime: runtimeSpec.default(() => structuredClone(defaultRuntime)),
});

/** The canonical spec of one resource instance. */
export type ResourceSpec = z.infer<typeof resourceSpec>;
/** One mount of a spec. */
export type MountSpec = z.infer<typeof mountSpec>;
/** How a spec's container runs (see `runtimeSpec`). */
export type RuntimeSpec = z.infer<typeof runtimeSpec>;
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
