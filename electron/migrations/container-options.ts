import type Dockerode from 'dockerode';
import type { ResourceSpec, RuntimeSpec } from '@shared/spec/resource-spec';

const NS_PER_MS = 1_000_000;

/** The networks Docker always has; containers join them by mode, not by endpoint config. */
const builtInNetworks = new Set(['bridge', 'host', 'none']);

/**
 * Turns a canonical spec back into Docker's create options — the inverse of `specFromInspect`,
 * so a container created from a spec inspects back to the same spec (and the same hash).
 * Docker's create call accepts one network; the others are returned to be connected afterwards.
 */
export function createOptionsFor(
  spec: ResourceSpec,
  name: string,
  labels: Record<string, string>,
): { options: Dockerode.ContainerCreateOptions; extraNetworks: ResourceSpec['networks'] } {
  const [firstNetwork, ...extraNetworks] = spec.networks;
  const portBindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  const exposedPorts: Record<string, object> = {};
  for (const port of spec.ports) {
    const key = `${port.containerPort}/${port.protocol}`;
    exposedPorts[key] = {};
    (portBindings[key] ??= []).push({ HostIp: port.hostIp, HostPort: port.hostPort ? String(port.hostPort) : '' });
  }

  const options: Dockerode.ContainerCreateOptions = {
    name,
    Image: spec.image.ref,
    Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
    Labels: { ...spec.labels, ...labels },
    WorkingDir: spec.workingDir,
    User: spec.user,
    ExposedPorts: exposedPorts,
    HostConfig: {
      PortBindings: portBindings,
      Mounts: spec.mounts.map((mount) => ({
        Type: mount.type,
        Target: mount.target,
        ReadOnly: mount.readOnly,
        // An empty source asks Docker for a fresh anonymous volume (or a tmpfs).
        Source: mount.source,
      })),
      RestartPolicy: { Name: spec.restartPolicy.name, MaximumRetryCount: spec.restartPolicy.maximumRetryCount },
      Memory: spec.limits.memoryBytes,
      NanoCpus: spec.limits.nanoCpus,
      ...(spec.limits.pidsLimit ? { PidsLimit: spec.limits.pidsLimit } : {}),
      NetworkMode: firstNetwork ? firstNetwork.name : 'none',
      ...runtimeHostConfig(spec.runtime),
    },
    ...runtimeConfig(spec.runtime),
  };
  if (spec.entrypoint) options.Entrypoint = spec.entrypoint;
  if (spec.command) options.Cmd = spec.command;
  if (spec.healthcheck) {
    options.Healthcheck = {
      Test: spec.healthcheck.test,
      Interval: spec.healthcheck.intervalMs * NS_PER_MS,
      Timeout: spec.healthcheck.timeoutMs * NS_PER_MS,
      Retries: spec.healthcheck.retries,
      StartPeriod: spec.healthcheck.startPeriodMs * NS_PER_MS,
    };
  }
  if (firstNetwork && !builtInNetworks.has(firstNetwork.name)) {
    options.NetworkingConfig = { EndpointsConfig: { [firstNetwork.name]: { Aliases: firstNetwork.aliases } } };
  }
  return { options, extraNetworks };
}

/** The container-level part of the runtime settings; empty values leave Docker's (or the image's) default. */
function runtimeConfig(runtime: RuntimeSpec): Partial<Dockerode.ContainerCreateOptions> {
  return {
    ...(runtime.hostname ? { Hostname: runtime.hostname } : {}),
    ...(runtime.domainname ? { Domainname: runtime.domainname } : {}),
    Tty: runtime.tty,
    OpenStdin: runtime.openStdin,
    ...(runtime.stopSignal ? { StopSignal: runtime.stopSignal } : {}),
    ...(runtime.stopTimeoutSec !== null ? { StopTimeout: runtime.stopTimeoutSec } : {}),
  };
}

/** The host-level part of the runtime settings, as `docker create` takes them. */
function runtimeHostConfig(runtime: RuntimeSpec): Dockerode.HostConfig {
  return {
    ...(runtime.init ? { Init: true } : {}),
    CapAdd: runtime.capAdd,
    CapDrop: runtime.capDrop,
    Privileged: runtime.privileged,
    Devices: runtime.devices.map((device) => ({ PathOnHost: device.pathOnHost, PathInContainer: device.pathInContainer, CgroupPermissions: device.permissions })),
    DeviceRequests: runtime.deviceRequests.map((request) => ({
      Driver: request.driver,
      Count: request.count,
      DeviceIDs: request.deviceIds,
      Capabilities: request.capabilities,
      Options: request.options,
    })),
    Ulimits: runtime.ulimits.map((limit) => ({ Name: limit.name, Soft: limit.soft, Hard: limit.hard })),
    Sysctls: runtime.sysctls,
    SecurityOpt: runtime.securityOpt,
    ReadonlyRootfs: runtime.readOnlyRootfs,
    Tmpfs: runtime.tmpfs,
    // 0 (a spec recorded before these settings existed) leaves Docker's defaults.
    ...(runtime.shmSizeBytes ? { ShmSize: runtime.shmSizeBytes } : {}),
    GroupAdd: runtime.groupAdd,
    ...(runtime.ipcMode ? { IpcMode: runtime.ipcMode } : {}),
    ...(runtime.pidMode ? { PidMode: runtime.pidMode } : {}),
    MemoryReservation: runtime.memoryReservationBytes,
    ...(runtime.memorySwapBytes ? { MemorySwap: runtime.memorySwapBytes } : {}),
    CpuShares: runtime.cpuShares,
    CpusetCpus: runtime.cpusetCpus,
    ...(runtime.logConfig.driver ? { LogConfig: { Type: runtime.logConfig.driver, Config: runtime.logConfig.options } } : {}),
    ExtraHosts: runtime.extraHosts,
    Dns: runtime.dns,
    DnsSearch: runtime.dnsSearch,
    DnsOptions: runtime.dnsOptions,
  };
}
