/**
 * The spec the engine will create on the target, per mode.
 *
 * Clone (the target has no instance): everything comes from the source — image, entrypoint and
 * command, env vars, ports, health check, restart policy, limits, networks, runtime settings
 * (init, user, capabilities, devices, log driver, DNS, ...) — with references
 * rewired, named volumes replaced by new empty ones named after the target environment, and the
 * source's domain (proxy routing labels, domain-owned env vars) left behind.
 *
 * Promote (the target has an instance): image and runtime settings come from the source; the
 * target's env vars and domain are never changed. Source env vars the target lacks are added;
 * vars, labels, ports and mounts only the target has are kept; host ports and volumes the target
 * already uses for a container port or path are kept, so its data and address stay where they are.
 *
 * Gantry's own `gantry.*` labels are not part of a spec: the engine stamps them on creation.
 */
import type { MountSpec, PortSpec, ResourceSpec, RuntimeSpec } from '../spec/resource-spec';
import { isDomainEnvKey, isDomainLabel, type DomainOwnership } from './domain';
import { targetScopedName, translateName, type RenameContext } from './naming';
import type { EnvironmentResource } from './plan-input';
import { rewireText, type InstanceIdentity, type ReferenceMap, type ReferenceRewrite } from './rewire';

/** Where in a spec a reference was rewired. */
export type RewireSite = 'env' | 'label' | 'command' | 'entrypoint' | 'healthcheck' | 'schedule';

/** One value whose references were rewritten (clear text: mask before showing). */
export interface RewiredValue {
  site: RewireSite;
  /** Env or label key, argument index, or task name. */
  key: string;
  before: string;
  after: string;
  references: ReferenceRewrite[];
}

/** What building the desired spec decided, besides the spec itself. */
export interface DesiredSpec {
  spec: ResourceSpec;
  /** Named volumes the engine must create (new and empty). */
  volumesToCreate: string[];
  /** Env keys added to the target (all of them on a clone). */
  envAdded: string[];
  /** Env keys only the target has, kept as they are. */
  envKeptFromTarget: string[];
  /** Domain-owned labels and env keys of the source that were not carried over. */
  domainLeftBehind: string[];
  rewired: RewiredValue[];
}

/** Everything the desired spec of one resource is computed from. */
export interface DesiredSpecContext {
  source: EnvironmentResource;
  /** The target's instance on a promote; null on a clone. */
  target: EnvironmentResource | null;
  targetIdentity: InstanceIdentity;
  rename: RenameContext;
  references: ReferenceMap;
  domain: DomainOwnership;
  /** `"8080/tcp"` → host port chosen by the operator. */
  portOverrides: Readonly<Record<string, number>>;
  /** The Docker networks the source and target environments are bound to (null when unknown). */
  environmentNetworks?: { source: string | null; target: string | null };
}

/** The key a port is overridden by: `"<containerPort>/<protocol>"`. */
export function portKey(port: Pick<PortSpec, 'containerPort' | 'protocol'>): string {
  return `${port.containerPort}/${port.protocol}`;
}

/** The target hostname a source hostname becomes on a clone. */
export function renameHostname(hostname: string, source: InstanceIdentity, target: InstanceIdentity, rename: RenameContext): string {
  if (hostname === source.containerName) return target.containerName;
  return translateName(hostname, rename) ?? hostname;
}

/** Builds the spec the engine will create for one resource (see the file comment for the rules). */
export function buildDesiredSpec(context: DesiredSpecContext): DesiredSpec {
  const { source, target, references, domain } = context;
  const rewired: RewiredValue[] = [];
  const rewire = (site: RewireSite, key: string, value: string): string => {
    const result = rewireText(value, references);
    if (result.rewrites.length > 0) rewired.push({ site, key, before: value, after: result.text, references: result.rewrites });
    return result.text;
  };
  const rewireArgs = (site: RewireSite, args: string[] | null) => (args === null ? null : args.map((arg, i) => rewire(site, String(i), arg)));
  const domainLeftBehind: string[] = [];

  const env: Record<string, string> = { ...(target?.spec.env ?? {}) };
  const envAdded: string[] = [];
  for (const [key, value] of Object.entries(source.spec.env)) {
    if (isDomainEnvKey(key, domain)) {
      if (!target) domainLeftBehind.push(`env ${key}`);
      continue;
    }
    if (key in env) continue; // the target's own value wins: a promote never changes the target's vars
    env[key] = rewire('env', key, value);
    envAdded.push(key);
  }
  const envKeptFromTarget = target ? Object.keys(target.spec.env).filter((key) => !(key in source.spec.env)) : [];

  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(target?.spec.labels ?? {})) labels[key] = value;
  for (const [key, value] of Object.entries(source.spec.labels)) {
    if (key.startsWith('gantry.')) continue;
    const targetKey = rewireLabelKey(key, references);
    if (isDomainLabel(key, domain) || isDomainLabel(targetKey, domain)) {
      if (!target) domainLeftBehind.push(`label ${key}`);
      continue;
    }
    labels[targetKey] = rewire('label', targetKey, value);
  }

  const { mounts, volumesToCreate } = mountsFor(context);
  const spec: ResourceSpec = {
    image: { ...source.spec.image },
    entrypoint: rewireArgs('entrypoint', source.spec.entrypoint),
    command: rewireArgs('command', source.spec.command),
    workingDir: source.spec.workingDir,
    user: source.spec.user,
    env: sortedRecord(env),
    mounts,
    ports: portsFor(context),
    labels: sortedRecord(labels),
    healthcheck: source.spec.healthcheck ? { ...source.spec.healthcheck, test: rewireArgs('healthcheck', source.spec.healthcheck.test) ?? [] } : null,
    restartPolicy: { ...source.spec.restartPolicy },
    limits: { ...source.spec.limits },
    networks: target ? target.spec.networks.map((network) => ({ ...network, aliases: [...network.aliases] })) : clonedNetworks(context),
    runtime: runtimeFor(context, mounts),
  };
  return { spec, volumesToCreate, envAdded: envAdded.sort(), envKeptFromTarget: envKeptFromTarget.sort(), domainLeftBehind, rewired };
}

/** Label keys are dot-separated: a router named after the source instance (`traefik.http.routers.dev-web.rule`) follows it. */
function rewireLabelKey(key: string, references: ReferenceMap): string {
  return key
    .split('.')
    .map((segment) => references.get(segment) ?? segment)
    .join('.');
}

function mountsFor(context: DesiredSpecContext): { mounts: MountSpec[]; volumesToCreate: string[] } {
  const { source, target, rename } = context;
  const mounts: MountSpec[] = target ? target.spec.mounts.map((mount) => ({ ...mount })) : [];
  const taken = new Set(mounts.map((mount) => mount.target));
  const volumesToCreate: string[] = [];
  for (const mount of source.spec.mounts) {
    if (taken.has(mount.target)) continue; // the target's own volume at this path keeps its data
    if (mount.type === 'volume' && mount.source === '') {
      // An anonymous volume (e.g. an image's VOLUME) stays anonymous: Docker makes a fresh, empty
      // one for the new container. Named for the target it would be one volume shared by every clone.
      mounts.push({ ...mount });
    } else if (mount.type === 'volume') {
      const name = targetScopedName(mount.source, rename);
      mounts.push({ ...mount, source: name });
      if (!volumesToCreate.includes(name)) volumesToCreate.push(name);
    } else {
      mounts.push({ ...mount });
    }
  }
  return { mounts: mounts.sort((a, b) => compare(a.target, b.target)), volumesToCreate };
}

function portsFor(context: DesiredSpecContext): PortSpec[] {
  const { source, target, portOverrides } = context;
  const ports: PortSpec[] = target ? target.spec.ports.map((port) => ({ ...port })) : [];
  const published = new Set(ports.map(portKey));
  for (const port of source.spec.ports) {
    if (!published.has(portKey(port))) ports.push({ ...port });
  }
  return ports
    .map((port) => {
      const override = portOverrides[portKey(port)];
      return override === undefined || port.hostPort === 0 ? port : { ...port, hostPort: override };
    })
    .sort((a, b) => a.containerPort - b.containerPort || compare(a.protocol, b.protocol) || a.hostPort - b.hostPort);
}

/**
 * Runtime settings come from the source; the host name is the instance's own (the target's on a
 * promote, renamed on a clone). A `--tmpfs` path the target keeps a volume at stays the volume.
 */
function runtimeFor(context: DesiredSpecContext, mounts: readonly MountSpec[]): RuntimeSpec {
  const { source, target, targetIdentity, rename } = context;
  const runtime = structuredClone(source.spec.runtime);
  runtime.tmpfs = Object.fromEntries(Object.entries(runtime.tmpfs).filter(([path]) => !mounts.some((mount) => mount.target === path)));
  if (target) return { ...runtime, hostname: target.spec.runtime.hostname, domainname: target.spec.runtime.domainname };
  const sourceIdentity = { uuid: source.uuid, containerName: source.containerName, hostnames: source.hostnames };
  return { ...runtime, hostname: runtime.hostname ? renameHostname(runtime.hostname, sourceIdentity, targetIdentity, rename) : '' };
}

const builtInNetworks = new Set(['bridge', 'host', 'none']);

/**
 * A clone's networks: the source environment's network, and any user-defined network named for no
 * environment, become the target environment's network (keeping the source's name would join the
 * source's network on a shared server, or create a stray one); a network named for the source
 * environment (`shop-dev`) becomes its counterpart (`shop-uat`). Aliases follow the rename, and
 * networks that land on the same name are merged.
 */
function clonedNetworks(context: DesiredSpecContext): ResourceSpec['networks'] {
  const { source, targetIdentity, rename } = context;
  const environmentNetworks = context.environmentNetworks ?? { source: null, target: null };
  const sourceIdentity = { uuid: source.uuid, containerName: source.containerName, hostnames: source.hostnames };
  const targetName = (name: string): string => {
    if (builtInNetworks.has(name)) return name;
    if (environmentNetworks.target && name === environmentNetworks.source) return environmentNetworks.target;
    return translateName(name, rename) ?? environmentNetworks.target ?? name;
  };
  const merged = new Map<string, Set<string>>();
  for (const network of source.spec.networks) {
    const aliases = merged.get(targetName(network.name)) ?? new Set<string>();
    for (const alias of network.aliases) aliases.add(renameHostname(alias, sourceIdentity, targetIdentity, rename));
    merged.set(targetName(network.name), aliases);
  }
  return [...merged].map(([name, aliases]) => ({ name, aliases: [...aliases].sort(compare) })).sort((a, b) => compare(a.name, b.name));
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compare(a, b)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
