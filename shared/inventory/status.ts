/**
 * The status of one resource in one environment, from what discovery saw and what Gantry
 * recorded. Pure: the graph, the tests and (later) the migration planner all ask the same question.
 */
import { z } from 'zod';

/** Every status a resource can have in an environment. */
export const resourceStatuses = z.enum(['unreachable', 'absent', 'drifted', 'unhealthy', 'behind', 'in_sync']);
/** The status of a resource in an environment. */
export type ResourceStatus = z.infer<typeof resourceStatuses>;

/** What discovery saw of one container. */
export interface LiveInstance {
  /** The hash of its (sealed) spec as seen now. */
  specHash: string;
  imageId: string | null;
  /** When the image was built (ISO time), when known: tells "upstream is newer" from "older". */
  imageCreated: string | null;
  /** Docker's state: running, exited, restarting, created, paused, dead. */
  state: string;
  /** Docker's health: healthy, unhealthy, starting, or none without a health check. */
  health: 'healthy' | 'unhealthy' | 'starting' | 'none';
}

/** Everything `resourceStatus` needs to judge one cell of the graph. */
export interface StatusInput {
  /** Whether discovery reached this environment's server. */
  reachable: boolean;
  /** The container, or null when there is none on the server. */
  live: LiveInstance | null;
  /** The spec hash Gantry last recorded for this instance (adopt or migration), or null if never. */
  recordedHash: string | null;
  /** The same resource one environment up the chain; null for the first environment. */
  upstream: { reachable: boolean; live: LiveInstance | null } | null;
  /** The upstream's spec hash when Gantry last promoted it here; null if never promoted. */
  promotedFromHash: string | null;
}

/** The verdict: the status to show first, the other conditions that also hold, and why in one sentence. */
export interface StatusVerdict {
  status: ResourceStatus;
  also: ResourceStatus[];
  reason: string;
}

/**
 * Judges one resource in one environment. Order of precedence: unreachable, absent, drifted,
 * unhealthy, behind, in_sync; conditions that also hold are listed in `also`.
 *
 * "Behind" compares against the promotion baseline when there is one (the upstream changed since
 * it was last promoted here), else the images (upstream runs a different, not older, image):
 * specs themselves legitimately differ between environments (networks, domains, credentials).
 */
export function resourceStatus(input: StatusInput): StatusVerdict {
  if (!input.reachable) return { status: 'unreachable', also: [], reason: 'The server of this environment could not be reached.' };
  const live = input.live;
  if (!live) return { status: 'absent', also: [], reason: 'No container of this resource runs in this environment.' };

  const found: { status: ResourceStatus; reason: string }[] = [];
  if (input.recordedHash !== null && live.specHash !== input.recordedHash) {
    found.push({ status: 'drifted', reason: 'The container was changed outside Gantry: its spec no longer matches what Gantry recorded.' });
  }
  if (live.health === 'unhealthy') {
    found.push({ status: 'unhealthy', reason: 'Docker reports the container unhealthy.' });
  } else if (live.state !== 'running') {
    found.push({ status: 'unhealthy', reason: `The container is ${live.state}, not running.` });
  }
  const behind = behindReason(live, input);
  if (behind) found.push({ status: 'behind', reason: behind });

  const [first, ...rest] = found;
  if (!first) return { status: 'in_sync', also: [], reason: input.upstream ? 'Matches upstream and what Gantry recorded.' : 'Matches what Gantry recorded.' };
  return { status: first.status, also: rest.map((item) => item.status), reason: first.reason };
}

function behindReason(live: LiveInstance, input: StatusInput): string | null {
  const upstream = input.upstream?.reachable ? input.upstream.live : null;
  if (!upstream) return null;
  if (input.promotedFromHash !== null) {
    return upstream.specHash !== input.promotedFromHash ? 'Upstream changed since it was last promoted here.' : null;
  }
  if (upstream.imageId === null || upstream.imageId === live.imageId) return null;
  if (upstream.imageCreated && live.imageCreated && Date.parse(upstream.imageCreated) < Date.parse(live.imageCreated)) return null;
  return 'Upstream runs a newer image.';
}

/** Docker's health for a container's inspect state, in the form `LiveInstance` uses. */
export function healthOf(state: { Health?: { Status: string } | null } | null | undefined): LiveInstance['health'] {
  const status = state?.Health?.Status;
  return status === 'healthy' || status === 'unhealthy' || status === 'starting' ? status : 'none';
}
