/**
 * Pre-checks: pure functions of the facts the engine gathered from the target and of the plan.
 * Each returns ok, warning (the operator may go ahead) or blocking (the migration cannot start),
 * with a sentence that names the server, the resource and the numbers, and says what to do.
 * When the server cannot be reached, only that is reported: its other facts mean nothing.
 */
import type { PortSpec } from '../spec/resource-spec';
import { portKey } from './desired-spec';
import type { MissingDependency } from './dependencies';
import type { PublishedPort, TargetFacts } from './plan-input';

/** How much a pre-check result matters. */
export type PrecheckSeverity = 'ok' | 'warning' | 'blocking';

/** One pre-check result. */
export interface Precheck {
  /** Stable per check and subject, e.g. `ports:web:8080/tcp`. */
  id: string;
  check: 'server' | 'disk' | 'ports' | 'drift' | 'empty-env' | 'active-migration' | 'dependencies' | 'volumes' | 'names' | 'domain';
  severity: PrecheckSeverity;
  message: string;
  resourceId?: string;
  /** For a port conflict: a host port that is free, to offer as a port override. */
  suggestion?: { portKey: string; hostPort: number };
}

/** What the checks need to know about one planned resource. */
export interface PlannedForChecks {
  resourceId: string;
  name: string;
  mode: 'clone' | 'promote';
  containerName: string;
  env: Readonly<Record<string, string>>;
  ports: readonly PortSpec[];
  volumesToCreate: readonly string[];
}

/** The context every check message is written in. */
export interface CheckContext {
  serverName: string;
  targetName: string;
  facts: TargetFacts;
}

/** Below this share of free disk the migration is blocked. */
export const DISK_BLOCK_BELOW = 0.05;
/** Below this share of free disk the operator is warned. */
export const DISK_WARN_BELOW = 0.2;

/** The server is reachable over SSH and Docker answers there. */
export function checkServer({ serverName, facts }: CheckContext): Precheck {
  if (!facts.reachable) {
    return { id: 'server', check: 'server', severity: 'blocking', message: `${serverName} cannot be reached over SSH${facts.reachError ? `: ${facts.reachError}` : ''}. Check that it is up and that Servers › Test connection succeeds.` };
  }
  if (!facts.dockerOk) {
    return { id: 'server', check: 'server', severity: 'blocking', message: `Docker is not usable on ${serverName}${facts.dockerError ? `: ${facts.dockerError}` : ''}. Check that dockerd runs there and that the SSH user may use it (docker group or root).` };
  }
  return { id: 'server', check: 'server', severity: 'ok', message: `${serverName} is reachable and Docker answers.` };
}

/** Free disk on the target: warning below 20 %, blocking below 5 %. */
export function checkDisk({ serverName, facts }: CheckContext): Precheck {
  if (!facts.disk || facts.disk.totalBytes <= 0) {
    return { id: 'disk', check: 'disk', severity: 'warning', message: `Free disk space on ${serverName} could not be measured; make sure it has room for the image and volumes.` };
  }
  const { freeBytes, totalBytes } = facts.disk;
  const share = freeBytes / totalBytes;
  const figures = `${(share * 100).toFixed(1)}% free (${formatBytes(freeBytes)} of ${formatBytes(totalBytes)})`;
  if (share < DISK_BLOCK_BELOW) {
    return { id: 'disk', check: 'disk', severity: 'blocking', message: `${serverName} has only ${figures}; a migration needs at least ${DISK_BLOCK_BELOW * 100}% free. Free space there first (e.g. docker image prune).` };
  }
  if (share < DISK_WARN_BELOW) {
    return { id: 'disk', check: 'disk', severity: 'warning', message: `${serverName} is low on disk: ${figures}. The migration can go ahead, but free space there soon.` };
  }
  return { id: 'disk', check: 'disk', severity: 'ok', message: `${serverName} has ${figures}.` };
}

/**
 * Published ports: each host port a planned resource wants must be free on the target — not held
 * by another container, nor by another resource of the same plan. A promoted resource's own
 * container does not count: it is the one being replaced. A conflict suggests the next free port.
 */
export function checkPorts(context: CheckContext, planned: readonly PlannedForChecks[]): Precheck[] {
  const checks: Precheck[] = [];
  const claimed: PublishedPort[] = [];
  for (const resource of planned) {
    const others = [...context.facts.publishedPorts.filter((port) => port.holder !== resource.containerName), ...claimed];
    for (const port of resource.ports) {
      if (port.hostPort === 0) continue; // Docker picks a free one
      const wanted = { hostPort: port.hostPort, protocol: port.protocol, hostIp: port.hostIp };
      const taken = others.find((used) => clashes(used, wanted));
      const key = portKey(port);
      if (taken) {
        const free = nextFreePort(port.hostPort, port.protocol, [...context.facts.publishedPorts, ...claimed, ...planned.flatMap((p) => p.ports.map((q) => ({ ...q, holder: p.containerName })))]);
        checks.push({
          id: `ports:${resource.resourceId}:${key}`,
          check: 'ports',
          severity: 'blocking',
          resourceId: resource.resourceId,
          message: `${resource.name} wants host port ${port.hostPort}/${port.protocol} on ${context.serverName}, but ${taken.holder} already publishes it.${free ? ` Port ${free} is free: use it for ${resource.name}, or free ${port.hostPort} first.` : ` No free port above it: free ${port.hostPort} first.`}`,
          ...(free ? { suggestion: { portKey: key, hostPort: free } } : {}),
        });
      }
      claimed.push({ ...wanted, holder: resource.containerName });
    }
  }
  if (checks.length === 0) {
    checks.push({ id: 'ports', check: 'ports', severity: 'ok', message: `Every published port is free on ${context.serverName}.` });
  }
  return checks;
}

/** Drift: a promoted resource whose live spec differs from what Gantry last recorded was changed by hand. */
export function checkDrift(context: CheckContext, planned: readonly PlannedForChecks[]): Precheck[] {
  return planned
    .filter((resource) => resource.mode === 'promote')
    .map((resource): Precheck => {
      const hashes = context.facts.specHashes.find((entry) => entry.resourceId === resource.resourceId);
      const base = { id: `drift:${resource.resourceId}`, check: 'drift' as const, resourceId: resource.resourceId };
      if (!hashes) return { ...base, severity: 'warning', message: `Whether ${resource.name} on ${context.targetName} was changed by hand could not be checked.` };
      if (hashes.recordedSpecHash === null) {
        return { ...base, severity: 'warning', message: `Gantry has no record of ${resource.name} on ${context.targetName}: it was not created by Gantry, so changes made by hand cannot be told apart. Its env vars and domain are kept; its image and runtime settings will be replaced.` };
      }
      if (hashes.recordedSpecHash !== hashes.liveSpecHash) {
        return { ...base, severity: 'warning', message: `${resource.name} on ${context.targetName} was changed outside Gantry since it was last recorded${hashes.recordedAt ? ` (${hashes.recordedAt})` : ''}. Its env vars and domain are kept; other hand-made changes (image, command, limits) will be replaced. Review the diff.` };
      }
      return { ...base, severity: 'ok', message: `${resource.name} on ${context.targetName} is as Gantry last recorded it.` };
    });
}

/** Env vars with empty values in what will run on the target. */
export function checkEmptyEnv(context: Pick<CheckContext, 'targetName'>, planned: readonly PlannedForChecks[]): Precheck[] {
  return planned.map((resource): Precheck => {
    const empty = Object.entries(resource.env)
      .filter(([, value]) => value === '')
      .map(([key]) => key);
    const base = { id: `empty-env:${resource.resourceId}`, check: 'empty-env' as const, resourceId: resource.resourceId };
    return empty.length > 0
      ? { ...base, severity: 'warning', message: `${resource.name} will run on ${context.targetName} with empty env vars: ${empty.join(', ')}. Set them on the target afterwards if the app needs them.` }
      : { ...base, severity: 'ok', message: `${resource.name} has no empty env vars.` };
  });
}

/** Another migration holding the target. */
export function checkActiveMigration({ serverName, targetName, facts }: CheckContext): Precheck {
  const active = facts.activeMigration;
  if (active) {
    const into = active.target ? ` into ${active.target}` : '';
    return {
      id: 'active-migration',
      check: 'active-migration',
      severity: 'warning',
      message: `Another migration is running${into} on ${serverName}, the server of ${targetName}: ${active.id} by ${active.operator} on ${active.machine}, since ${active.since}. One migration at a time per server: this one waits (pending) until it ends, and can be cancelled while it waits.`,
    };
  }
  return { id: 'active-migration', check: 'active-migration', severity: 'ok', message: `No other migration is running on ${serverName}.` };
}

/** Resources the plan refers to that the target lacks and that were not included. */
export function checkDependencies(context: Pick<CheckContext, 'targetName'>, missing: readonly MissingDependency[]): Precheck[] {
  if (missing.length === 0) return [{ id: 'dependencies', check: 'dependencies', severity: 'ok', message: `Everything the migrated resources refer to exists in ${context.targetName} or is part of the migration.` }];
  return missing.map((dependency) => {
    const users = dependency.referencedBy.map((use) => `${use.name} (${use.via})`).join(', ');
    return {
      id: `dependencies:${dependency.resourceId}`,
      check: 'dependencies',
      severity: 'blocking',
      resourceId: dependency.resourceId,
      message: `${users} ${dependency.referencedBy.length > 1 ? 'refer' : 'refers'} to ${dependency.name}, which ${context.targetName} does not have. Include ${dependency.name} in this migration (it is then cloned first), or migrate it on its own first.`,
    };
  });
}

/** New volumes must not exist yet: a clone's volumes start empty and never adopt someone's data. */
export function checkVolumes(context: CheckContext, planned: readonly PlannedForChecks[]): Precheck[] {
  const existing = new Set(context.facts.volumes);
  const clashes = planned.flatMap((resource) => resource.volumesToCreate.filter((name) => existing.has(name)).map((name) => ({ resource, name })));
  // An update (promote) keeps the volumes it has: "the new volumes" would name volumes that do not exist in the plan.
  const creates = planned.some((resource) => resource.volumesToCreate.length > 0);
  if (!creates) return [{ id: 'volumes', check: 'volumes', severity: 'ok', message: `No volume is created on ${context.serverName}: the migrated resources keep the volumes they have or use none.` }];
  if (clashes.length === 0) return [{ id: 'volumes', check: 'volumes', severity: 'ok', message: `The new volumes do not exist yet on ${context.serverName}.` }];
  return clashes.map(({ resource, name }) => ({
    id: `volumes:${resource.resourceId}:${name}`,
    check: 'volumes',
    severity: 'blocking',
    resourceId: resource.resourceId,
    message: `The volume ${name} for ${resource.name} already exists on ${context.serverName}; a new volume must start empty. Check what it holds and remove it there (docker volume rm ${name}) before migrating.`,
  }));
}

/** A clone's container name must be free on the target: Docker refuses a second container of that name. */
export function checkContainerNames(context: CheckContext, planned: readonly PlannedForChecks[]): Precheck[] {
  const existing = new Set(context.facts.containerNames);
  const clashes = planned.filter((resource) => resource.mode === 'clone' && existing.has(resource.containerName));
  if (!planned.some((resource) => resource.mode === 'clone')) return [{ id: 'names', check: 'names', severity: 'ok', message: `No container is created on ${context.serverName}: each migrated resource replaces its own container.` }];
  if (clashes.length === 0) return [{ id: 'names', check: 'names', severity: 'ok', message: `The new container names are free on ${context.serverName}.` }];
  return clashes.map((resource) => ({
    id: `names:${resource.resourceId}`,
    check: 'names',
    severity: 'blocking',
    resourceId: resource.resourceId,
    message: `A container named ${resource.containerName} already exists on ${context.serverName}, but it is not ${resource.name} of ${context.targetName}. Rename or remove it there (docker rename / docker rm) before cloning ${resource.name}.`,
  }));
}

function isAnyAddress(ip: string): boolean {
  return ip === '' || ip === '0.0.0.0' || ip === '::';
}

function clashes(a: Pick<PublishedPort, 'hostPort' | 'protocol' | 'hostIp'>, b: Pick<PublishedPort, 'hostPort' | 'protocol' | 'hostIp'>): boolean {
  return a.hostPort === b.hostPort && a.protocol === b.protocol && (isAnyAddress(a.hostIp) || isAnyAddress(b.hostIp) || a.hostIp === b.hostIp);
}

/** The lowest port above `from` that nothing in `used` publishes for `protocol`, or null. */
export function nextFreePort(from: number, protocol: PortSpec['protocol'], used: readonly Pick<PublishedPort, 'hostPort' | 'protocol'>[]): number | null {
  const taken = new Set(used.filter((port) => port.protocol === protocol).map((port) => port.hostPort));
  for (let port = from + 1; port <= 65535; port++) if (!taken.has(port)) return port;
  return null;
}

/** `52428800` → `50.0 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
