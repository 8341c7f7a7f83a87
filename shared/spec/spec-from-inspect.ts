/**
 * Derives the canonical ResourceSpec from `docker inspect` output.
 *
 * Decisions that keep the hash honest (it must change exactly when something meaningful does):
 * - Configured values, not runtime ones: ports come from `HostConfig.PortBindings` (a stopped
 *   container keeps them), not from `NetworkSettings.Ports`.
 * - Volatile values are dropped: anonymous volume names (a fresh random id on every create),
 *   the short container id Docker adds as a network alias, Gantry's own `gantry.*` labels
 *   (bookkeeping such as the config hash itself and the environment name).
 * - Env vars and labels the image supplies unchanged (PATH, image LABELs) are left out when the
 *   image is known: the image id already covers them, and they would fill every diff. A value
 *   the container overrides stays. Entrypoint, command, working dir, user and health check are
 *   kept as the container runs them, so the spec alone says what runs.
 * - Runtime settings (init, capabilities, devices, ulimits, log driver, DNS, ...) are kept as
 *   Docker stores them, defaults included, so a container created from the spec inspects the same.
 *   Lists whose order means nothing (capabilities, extra hosts, groups) are sorted; DNS servers
 *   and search domains keep their order, which the resolver follows, and security options
 *   Docker's (it appends its own).
 * - Lists are sorted and maps keyed in order, so equal specs serialize identically.
 */
import type { ContainerInspectInfo, DockerHealthConfig, ImageInspectInfo } from './docker-inspect';
import type { MountSpec, PortSpec, ResourceSpec, RuntimeSpec } from './resource-spec';

const NS_PER_MS = 1_000_000;
const anonymousVolumeName = /^[0-9a-f]{64}$/;

/** Builds the canonical spec of a container; pass its image's inspect output to leave out image-supplied env and labels. */
export function specFromInspect(inspect: ContainerInspectInfo, image?: ImageInspectInfo): ResourceSpec {
  const imageConfig = image && image.Id === inspect.Image ? (image.Config ?? {}) : null;
  const config = inspect.Config;
  return {
    image: {
      ref: config.Image,
      id: inspect.Image || null,
      digest: image ? digestFor(config.Image, image) : null,
    },
    entrypoint: toArgs(config.Entrypoint),
    command: toArgs(config.Cmd),
    workingDir: config.WorkingDir ?? '',
    user: config.User ?? '',
    env: envOf(config.Env, imageConfig?.Env),
    mounts: mountsOf(inspect),
    ports: portsOf(inspect.HostConfig.PortBindings),
    labels: labelsOf(config.Labels, imageConfig?.Labels),
    healthcheck: healthcheckOf(config.Healthcheck),
    restartPolicy: {
      name: inspect.HostConfig.RestartPolicy?.Name || 'no',
      maximumRetryCount: inspect.HostConfig.RestartPolicy?.MaximumRetryCount ?? 0,
    },
    limits: {
      memoryBytes: inspect.HostConfig.Memory ?? 0,
      nanoCpus: inspect.HostConfig.NanoCpus ?? 0,
      // 0 and -1 both mean "no limit" depending on the engine version.
      pidsLimit: inspect.HostConfig.PidsLimit && inspect.HostConfig.PidsLimit > 0 ? inspect.HostConfig.PidsLimit : null,
    },
    networks: networksOf(inspect),
    runtime: runtimeOf(inspect),
  };
}

/** The container's name without Docker's leading slash. */
export function containerName(inspect: Pick<ContainerInspectInfo, 'Name'>): string {
  return inspect.Name.replace(/^\//, '');
}

function toArgs(value: string | string[] | null | undefined): string[] | null {
  if (value === null || value === undefined) return null;
  const args = typeof value === 'string' ? [value] : value;
  return args.length === 0 ? null : [...args];
}

function splitEnv(entries: readonly string[] | null | undefined): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of entries ?? []) {
    const eq = entry.indexOf('=');
    if (eq === -1) env.set(entry, '');
    else env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

function sortedRecord(entries: Iterable<[string, string]>): Record<string, string> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function envOf(containerEnv: string[] | null | undefined, imageEnv: string[] | null | undefined): Record<string, string> {
  const fromImage = splitEnv(imageEnv);
  return sortedRecord([...splitEnv(containerEnv)].filter(([key, value]) => fromImage.get(key) !== value));
}

function labelsOf(containerLabels: Record<string, string> | null | undefined, imageLabels: Record<string, string> | null | undefined): Record<string, string> {
  return sortedRecord(
    Object.entries(containerLabels ?? {}).filter(([key, value]) => !key.startsWith('gantry.') && (imageLabels ?? {})[key] !== value),
  );
}

function digestFor(ref: string, image: ImageInspectInfo): string | null {
  const digests = image.RepoDigests ?? [];
  // The repository of `registry:5000/team/app:1` is everything before the tag's colon.
  const repository = ref.includes('@') ? ref.slice(0, ref.indexOf('@')) : ref.replace(/:[^/:]+$/, '');
  return digests.find((digest) => digest.startsWith(`${repository}@`)) ?? null;
}

function mountsOf(inspect: ContainerInspectInfo): MountSpec[] {
  const named = new Set<string>();
  for (const bind of inspect.HostConfig.Binds ?? []) named.add(bind.split(':')[0] ?? '');
  for (const mount of inspect.HostConfig.Mounts ?? []) if (mount.Source) named.add(mount.Source);

  const mounts: MountSpec[] = [];
  for (const mount of inspect.Mounts ?? []) {
    if (mount.Type !== 'volume' && mount.Type !== 'bind' && mount.Type !== 'tmpfs') continue;
    let source = mount.Type === 'volume' ? (mount.Name ?? mount.Source) : mount.Type === 'tmpfs' ? '' : mount.Source;
    // An anonymous volume gets a new random name each time the container is created.
    if (mount.Type === 'volume' && anonymousVolumeName.test(source) && !named.has(source)) source = '';
    mounts.push({ type: mount.Type, source, target: mount.Destination, readOnly: !mount.RW });
  }
  // `--tmpfs` mounts (HostConfig.Tmpfs) are runtime settings with their options; only `--mount type=tmpfs` is a mount.
  const tmpfsTargets = new Set(Object.keys(inspect.HostConfig.Tmpfs ?? {}));
  return mounts
    .filter((mount) => !(mount.type === 'tmpfs' && tmpfsTargets.has(mount.target)))
    .sort((a, b) => compare(a.target, b.target) || compare(a.type, b.type) || compare(a.source, b.source));
}

function portsOf(bindings: ContainerInspectInfo['HostConfig']['PortBindings']): PortSpec[] {
  const ports: PortSpec[] = [];
  for (const [key, hostBindings] of Object.entries(bindings ?? {})) {
    const [port = '', protocolText = 'tcp'] = key.split('/');
    const protocol = protocolText === 'udp' || protocolText === 'sctp' ? protocolText : 'tcp';
    for (const binding of hostBindings ?? []) {
      ports.push({ containerPort: Number(port), protocol, hostIp: binding.HostIp ?? '', hostPort: Number(binding.HostPort || 0) });
    }
  }
  return ports.sort(
    (a, b) => a.containerPort - b.containerPort || compare(a.protocol, b.protocol) || compare(a.hostIp, b.hostIp) || a.hostPort - b.hostPort,
  );
}

function healthcheckOf(health: DockerHealthConfig | null | undefined): ResourceSpec['healthcheck'] {
  if (!health?.Test || health.Test.length === 0) return null;
  return {
    test: [...health.Test],
    intervalMs: (health.Interval ?? 0) / NS_PER_MS,
    timeoutMs: (health.Timeout ?? 0) / NS_PER_MS,
    retries: health.Retries ?? 0,
    startPeriodMs: (health.StartPeriod ?? 0) / NS_PER_MS,
  };
}

function networksOf(inspect: ContainerInspectInfo): ResourceSpec['networks'] {
  return Object.entries(inspect.NetworkSettings.Networks ?? {})
    .map(([name, endpoint]) => ({
      name,
      // Docker adds the short container id as an alias on user-defined networks: volatile.
      aliases: [...new Set(endpoint?.Aliases ?? [])].filter((alias) => !(alias.length >= 12 && inspect.Id.startsWith(alias))).sort(),
    }))
    .sort((a, b) => compare(a.name, b.name));
}

function runtimeOf(inspect: ContainerInspectInfo): RuntimeSpec {
  const host = inspect.HostConfig;
  const config = inspect.Config;
  const networkMode = host.NetworkMode ?? '';
  // Docker names the container's host after its short id unless told otherwise; on the host's (or
  // another container's) network the name is not the container's own.
  const ownHostname = networkMode !== 'host' && !networkMode.startsWith('container:');
  const hostname = ownHostname && config.Hostname && !(config.Hostname.length >= 12 && inspect.Id.startsWith(config.Hostname)) ? config.Hostname : '';
  const sorted = (values: string[] | null | undefined) => [...(values ?? [])].sort(compare);
  return {
    init: host.Init === true,
    hostname,
    domainname: ownHostname ? (config.Domainname ?? '') : '',
    tty: config.Tty === true,
    openStdin: config.OpenStdin === true,
    stopSignal: config.StopSignal ?? '',
    stopTimeoutSec: config.StopTimeout ?? null,
    capAdd: sorted(host.CapAdd),
    capDrop: sorted(host.CapDrop),
    privileged: host.Privileged === true,
    devices: (host.Devices ?? [])
      .map((device) => ({ pathOnHost: device.PathOnHost ?? '', pathInContainer: device.PathInContainer ?? '', permissions: device.CgroupPermissions ?? '' }))
      .sort((a, b) => compare(a.pathInContainer, b.pathInContainer) || compare(a.pathOnHost, b.pathOnHost)),
    deviceRequests: (host.DeviceRequests ?? []).map((request) => ({
      driver: request.Driver ?? '',
      count: request.Count ?? 0,
      deviceIds: [...(request.DeviceIDs ?? [])],
      capabilities: (request.Capabilities ?? []).map((set) => [...set]),
      options: sortedRecord(Object.entries(request.Options ?? {})),
    })),
    ulimits: (host.Ulimits ?? []).map((limit) => ({ name: limit.Name ?? '', soft: limit.Soft ?? 0, hard: limit.Hard ?? 0 })).sort((a, b) => compare(a.name, b.name)),
    sysctls: sortedRecord(Object.entries(host.Sysctls ?? {})),
    // In Docker's order: it appends its own (`label=disable` for a privileged container) after the given ones.
    securityOpt: [...(host.SecurityOpt ?? [])],
    readOnlyRootfs: host.ReadonlyRootfs === true,
    tmpfs: sortedRecord(Object.entries(host.Tmpfs ?? {})),
    shmSizeBytes: host.ShmSize ?? 0,
    groupAdd: sorted(host.GroupAdd),
    ipcMode: host.IpcMode ?? '',
    pidMode: host.PidMode ?? '',
    memoryReservationBytes: host.MemoryReservation ?? 0,
    memorySwapBytes: host.MemorySwap ?? 0,
    cpuShares: host.CpuShares ?? 0,
    cpusetCpus: host.CpusetCpus ?? '',
    logConfig: { driver: host.LogConfig?.Type ?? '', options: sortedRecord(Object.entries(host.LogConfig?.Config ?? {})) },
    extraHosts: sorted(host.ExtraHosts),
    dns: [...(host.Dns ?? [])],
    dnsSearch: [...(host.DnsSearch ?? [])],
    dnsOptions: [...(host.DnsOptions ?? [])],
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
