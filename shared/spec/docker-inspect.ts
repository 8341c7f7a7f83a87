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
