/**
 * Discovery: what runs on each environment's server. One SSH exec per server (a short script
 * that lists every container, inspects them all, then inspects their images), servers in
 * parallel, so the cost does not grow with the number of containers.
 */
import { GantryError } from '@shared/ipc/result';
import type { ContainerInspectInfo, ImageInspectInfo } from '@shared/spec/docker-inspect';
import type { ResourceSpec } from '@shared/spec/resource-spec';
import { containerName, specFromInspect } from '@shared/spec/spec-from-inspect';
import { healthOf, type LiveInstance } from '@shared/inventory/status';
import type { RemoteHost } from '../servers/remote-host';
import type { SpecSealer } from './spec-hash';

/** What discovery needs of a server: a name for messages and one command round trip. */
export type InventoryHost = Pick<RemoteHost, 'label' | 'exec'>;

/** Finds the host of a server id (the servers layer's connection pool). May throw when the server is unknown. */
export type HostProvider = (serverId: string) => InventoryHost | Promise<InventoryHost>;

const CONTAINERS_MARK = '@@gantry:containers';
const IMAGES_MARK = '@@gantry:images';

/**
 * The one command discovery runs on a server. A container removed between the listing and the
 * inspect makes `docker inspect` exit 1 but still print the others, hence `|| true` per step.
 */
export const DISCOVERY_COMMAND = [
  'ids=$(docker ps -aq --no-trunc) || exit 3',
  `echo '${CONTAINERS_MARK}'`,
  'if [ -n "$ids" ]; then docker inspect $ids || true; else echo "[]"; fi',
  `echo '${IMAGES_MARK}'`,
  'if [ -n "$ids" ]; then docker image inspect $(docker inspect --format "{{.Image}}" $ids 2>/dev/null | sort -u) || true; else echo "[]"; fi',
].join('\n');

/** Raw inspect output of every container on a server and of their images. */
export interface ServerInspect {
  containers: ContainerInspectInfo[];
  images: ImageInspectInfo[];
}

/** Runs the discovery command on one host and parses what it printed. */
export async function inspectServer(host: InventoryHost, signal?: AbortSignal): Promise<ServerInspect> {
  const result = await host.exec(DISCOVERY_COMMAND, { signal });
  const containersAt = result.stdout.indexOf(CONTAINERS_MARK);
  const imagesAt = result.stdout.indexOf(IMAGES_MARK);
  if (result.code !== 0 || containersAt === -1 || imagesAt === -1) {
    const detail = result.stderr.trim().split('\n').slice(-2).join(' ') || `exit code ${result.code}`;
    throw new GantryError('docker_unavailable', `Could not list the containers on ${host.label}: ${detail}. Check that Docker runs there and that the SSH user may use it.`);
  }
  return {
    containers: parseArray<ContainerInspectInfo>(result.stdout.slice(containersAt + CONTAINERS_MARK.length, imagesAt), host.label),
    images: parseArray<ImageInspectInfo>(result.stdout.slice(imagesAt + IMAGES_MARK.length), host.label),
  };
}

function parseArray<T>(text: string, label: string): T[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    const value: unknown = JSON.parse(trimmed);
    if (!Array.isArray(value)) throw new Error('not an array');
    return value as T[];
  } catch (error) {
    throw new GantryError('docker_unavailable', `Docker on ${label} printed inspect output Gantry could not read (${(error as Error).message}).`);
  }
}

/** One container as discovery keeps it: its sealed spec and hash, never clear secrets. */
export interface DiscoveredContainer extends LiveInstance {
  containerId: string;
  containerName: string;
  imageRef: string;
  /** Gantry's own labels (`gantry.resource`, `gantry.environment`, ...), which the spec leaves out. */
  gantryLabels: Record<string, string>;
  spec: ResourceSpec;
}

/** Turns inspect output into discovered containers (spec from inspect, sealed and hashed). */
export function discoveredContainers(inspect: ServerInspect, sealer: SpecSealer): DiscoveredContainer[] {
  const images = new Map(inspect.images.map((image) => [image.Id, image]));
  return inspect.containers
    .map((container) => {
      const image = images.get(container.Image);
      const sealed = sealer.seal(specFromInspect(container, image));
      return {
        containerId: container.Id,
        containerName: containerName(container),
        imageRef: container.Config.Image,
        imageId: container.Image || null,
        imageCreated: image?.Created ?? null,
        state: container.State?.Status ?? 'unknown',
        health: healthOf(container.State),
        specHash: sealed.hash,
        spec: sealed.spec,
        gantryLabels: Object.fromEntries(Object.entries(container.Config.Labels ?? {}).filter(([key]) => key.startsWith('gantry.'))),
      };
    })
    .sort((a, b) => (a.containerName < b.containerName ? -1 : a.containerName > b.containerName ? 1 : 0));
}

/** What discovery saw on one server. */
export interface ServerDiscovery {
  serverId: string;
  at: number;
  reachable: boolean;
  /** Why the server could not be read, for the operator; null when it was. */
  error: string | null;
  containers: DiscoveredContainer[];
}

/** Discovers one server; an unreachable server becomes a result, not an exception (cancellation still throws). */
export async function discoverServer(serverId: string, hosts: HostProvider, sealer: SpecSealer, signal?: AbortSignal): Promise<ServerDiscovery> {
  try {
    const host = await hosts(serverId);
    const inspect = await inspectServer(host, signal);
    return { serverId, at: Date.now(), reachable: true, error: null, containers: discoveredContainers(inspect, sealer) };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { serverId, at: Date.now(), reachable: false, error: error instanceof Error ? error.message : String(error), containers: [] };
  }
}

/** Discovers several servers in parallel; `onServer` hears about each as it finishes. */
export async function discoverServers(
  serverIds: readonly string[],
  hosts: HostProvider,
  sealer: SpecSealer,
  options: { signal?: AbortSignal; onServer?: (result: ServerDiscovery) => void } = {},
): Promise<ServerDiscovery[]> {
  return Promise.all(
    [...new Set(serverIds)].map(async (serverId) => {
      const result = await discoverServer(serverId, hosts, sealer, options.signal);
      options.onServer?.(result);
      return result;
    }),
  );
}

/** Inspects one container (by name or id) and its image: one exec. Throws `not_found` when there is no such container. */
export async function inspectContainer(host: InventoryHost, container: string, signal?: AbortSignal): Promise<ServerInspect> {
  const quoted = `'${container.replaceAll("'", `'\\''`)}'`;
  const command = [
    `docker inspect --type container ${quoted} || exit 4`,
    `echo '${IMAGES_MARK}'`,
    `docker image inspect $(docker inspect --type container --format "{{.Image}}" ${quoted}) || true`,
  ].join('\n');
  const result = await host.exec(command, { signal });
  if (result.code === 4 && /no such (container|object)/i.test(result.stderr)) {
    throw new GantryError('not_found', `There is no container "${container}" on ${host.label}. Run discovery to see the containers there.`);
  }
  const imagesAt = result.stdout.indexOf(IMAGES_MARK);
  if (result.code !== 0 || imagesAt === -1) {
    const detail = result.stderr.trim().split('\n').slice(-2).join(' ') || `exit code ${result.code}`;
    throw new GantryError('docker_unavailable', `Could not inspect "${container}" on ${host.label}: ${detail}.`);
  }
  return {
    containers: parseArray<ContainerInspectInfo>(result.stdout.slice(0, imagesAt), host.label),
    images: parseArray<ImageInspectInfo>(result.stdout.slice(imagesAt + IMAGES_MARK.length), host.label),
  };
}
