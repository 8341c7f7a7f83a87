/**
 * The parts of Docker's inspect output that Gantry reads, typed loosely enough that dockerode's
 * `ContainerInspectInfo`/`ImageInspectInfo` and the raw JSON of `docker inspect` both fit.
 * Defined here (not imported from dockerode) because shared/ must not depend on Node typings.
 */

/** A health check as Docker stores it (durations in nanoseconds). */
export interface DockerHealthConfig {
  Test?: string[] | null;
  Interval?: number | null;
  Timeout?: number | null;
  Retries?: number | null;
  StartPeriod?: number | null;
}

/** The configuration block shared by container and image inspect output. */
export interface DockerConfigBlock {
  Image?: string;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string | string[] | null;
  WorkingDir?: string | null;
  User?: string | null;
  Labels?: Record<string, string> | null;
  Healthcheck?: DockerHealthConfig | null;
  Hostname?: string;
  Domainname?: string;
  Tty?: boolean;
  OpenStdin?: boolean;
  StopSignal?: string | null;
  StopTimeout?: number | null;
}

/** `docker container inspect` output (one element of the array). */
export interface ContainerInspectInfo {
  Id: string;
  Name: string;
  Image: string;
  State?: { Status: string; Running: boolean; ExitCode?: number; Health?: { Status: string } | null } | null;
  Config: DockerConfigBlock & { Image: string };
  HostConfig: {
    Binds?: string[] | null;
    Mounts?: Array<{ Type?: string; Source?: string; Target?: string }> | null;
    Tmpfs?: Record<string, string> | null;
    PortBindings?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null;
    RestartPolicy?: { Name?: string; MaximumRetryCount?: number } | null;
    Memory?: number | null;
    NanoCpus?: number | null;
    PidsLimit?: number | null;
    NetworkMode?: string;
    Init?: boolean | null;
    CapAdd?: string[] | null;
    CapDrop?: string[] | null;
    Privileged?: boolean;
    Devices?: Array<{ PathOnHost?: string; PathInContainer?: string; CgroupPermissions?: string }> | null;
    DeviceRequests?: Array<{ Driver?: string; Count?: number; DeviceIDs?: string[] | null; Capabilities?: string[][] | null; Options?: Record<string, string> | null }> | null;
    Ulimits?: Array<{ Name?: string; Soft?: number; Hard?: number }> | null;
    Sysctls?: Record<string, string> | null;
    SecurityOpt?: string[] | null;
    ReadonlyRootfs?: boolean;
    ShmSize?: number | null;
    GroupAdd?: string[] | null;
    IpcMode?: string;
    PidMode?: string;
    MemoryReservation?: number | null;
    MemorySwap?: number | null;
    CpuShares?: number | null;
    CpusetCpus?: string | null;
    LogConfig?: { Type?: string; Config?: Record<string, string> | null } | null;
    ExtraHosts?: string[] | null;
    Dns?: string[] | null;
    DnsSearch?: string[] | null;
    DnsOptions?: string[] | null;
  };
  Mounts?: Array<{ Type: string; Name?: string; Source: string; Destination: string; RW: boolean }> | null;
  NetworkSettings: { Networks?: Record<string, { Aliases?: string[] | null } | null> | null };
}

/** `docker image inspect` output (one element of the array). */
export interface ImageInspectInfo {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created?: string;
  Config?: DockerConfigBlock | null;
}
