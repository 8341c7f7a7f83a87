/**
 * Gathers what the planner needs: the chain, both environments' resources as they run right
 * now (specs read live from each server, one inspect round trip per server) and the target's
 * facts (disk, ports, volumes, names, drift, an active lock).
 */
import { GantryError } from '@shared/ipc/result';
import type { PlanInputDraft, EnvironmentResource, PublishedPort, TargetFacts } from '@shared/migration/plan-input';
import type { EnvironmentView } from '@shared/inventory/model';
import type { ContainerInspectInfo } from '@shared/spec/docker-inspect';
import { containerName, specFromInspect } from '@shared/spec/spec-from-inspect';
import { inspectServer, type ServerInspect } from '../inventory/discovery';
import type { InventoryStore } from '../inventory/inventory-store';
import type { SpecSealer } from '../inventory/spec-hash';
import { validateDomain } from '@shared/domains/domain-name';
import { readDomainFacts } from '../domains/domain-facts';
import { shellQuote, type RemoteHost } from '../servers/remote-host';
import { LOCK_DIR, type LockHolder } from './target-lock';

/** What gathering reads from. */
export interface GatherDeps {
  inventory: InventoryStore;
  hosts: (serverId: string) => RemoteHost;
  sealer: () => SpecSealer;
}

/** A plan request after gathering: the planner input plus what the engine keeps to execute it. */
export interface Gathered {
  /** The resources as gathered (specs complete), with the rest of the planner's input. */
  input: Omit<PlanInputDraft, 'sourceResources' | 'targetResources'> & { sourceResources: EnvironmentResource[]; targetResources: EnvironmentResource[] };
  source: { environment: EnvironmentView; host: RemoteHost; serverId: string };
  target: { environment: EnvironmentView; host: RemoteHost; serverId: string };
}

/**
 * The name of the migration lock on a target server. One per server, not per environment: the
 * server is the one thing every operator's Gantry agrees on (environment ids are local to each
 * installation, names may differ), so two Gantry installations can never migrate into it at once.
 */
export const TARGET_LOCK_KEY = 'migrations';

/** Reads the chain, both inventories and the target facts for a plan request. */
export async function gatherPlanInput(
  deps: GatherDeps,
  request: { projectId: string; sourceEnvId: string; targetEnvId: string; resourceIds: string[]; purpose?: 'migrate' | 'rollback'; includeMissingDependencies?: boolean; portOverrides?: Record<string, Record<string, number>>; domains?: Record<string, string> },
  signal: AbortSignal,
): Promise<Gathered> {
  const environments = deps.inventory.environments(request.projectId);
  const find = (id: string) => {
    const environment = environments.find((each) => each.id === id);
    if (!environment) throw new GantryError('not_found', `Environment ${id} is not part of this project.`);
    if (!environment.serverId) throw new GantryError('not_bound', `Environment "${environment.name}" is not bound to a server. Bind it under Environments first.`);
    return { environment, serverId: environment.serverId, host: deps.hosts(environment.serverId) };
  };
  const source = find(request.sourceEnvId);
  const target = find(request.targetEnvId);

  const [sourceInspect, targetInspect] = await Promise.all([
    inspectServer(source.host, signal).catch((error: unknown) => {
      if (signal.aborted) throw error;
      throw new GantryError('source_unreachable', `Cannot read the source environment "${source.environment.name}": ${(error as Error).message}`);
    }),
    inspectServer(target.host, signal).catch((error: unknown) => {
      if (signal.aborted) throw error;
      return error as Error;
    }),
  ]);

  const sourceResources = environmentResources(deps.inventory, request.projectId, source.environment.id, sourceInspect);
  const targetResources = targetInspect instanceof Error ? [] : environmentResources(deps.inventory, request.projectId, target.environment.id, targetInspect);
  const facts = targetInspect instanceof Error ? unreachableFacts(targetInspect) : await targetFacts(deps, target.host, target.environment, targetInspect, targetResources, request.projectId, signal);
  // Domains asked for: the target's proxy, what it routes, and what the domains resolve to there.
  const domains = Object.values(request.domains ?? {}).flatMap((typed) => {
    const valid = validateDomain(typed);
    return valid.ok ? [valid.domain] : [];
  });
  if (Object.keys(request.domains ?? {}).length > 0 && !(targetInspect instanceof Error)) facts.domains = await readDomainFacts(target.host, targetInspect.containers, domains, signal);

  return {
    input: {
      chain: environments.map((environment) => ({ id: environment.id, name: environment.name, production: environment.production, network: environment.network })),
      sourceEnvId: source.environment.id,
      targetEnvId: target.environment.id,
      purpose: request.purpose ?? 'migrate',
      sourceResources,
      targetResources,
      resourceIds: request.resourceIds,
      includeMissingDependencies: request.includeMissingDependencies ?? false,
      portOverrides: request.portOverrides ?? {},
      domains: request.domains ?? {},
      target: { server: { id: target.serverId, name: target.host.label }, facts },
    },
    source,
    target,
  };
}

/** The project's resources that have a live container in one environment, with specs in clear (memory only). */
function environmentResources(inventory: InventoryStore, projectId: string, environmentId: string, inspect: ServerInspect): EnvironmentResource[] {
  const images = new Map(inspect.images.map((image) => [image.Id, image]));
  const byName = new Map(inspect.containers.map((container) => [containerName(container), container]));
  const byId = new Map(inspect.containers.map((container) => [container.Id, container]));
  const resources = new Map(inventory.resources(projectId).map((resource) => [resource.id, resource]));
  return inventory
    .instances(projectId)
    .filter((instance) => instance.environmentId === environmentId)
    .flatMap((instance): EnvironmentResource[] => {
      const container = byName.get(instance.containerName) ?? (instance.containerId ? byId.get(instance.containerId) : undefined);
      const resource = resources.get(instance.resourceId);
      if (!container || !resource) return [];
      const spec = specFromInspect(container, images.get(container.Image));
      return [
        {
          resourceId: resource.id,
          name: resource.name,
          kind: resource.kind,
          uuid: container.Id,
          containerName: containerName(container),
          hostnames: [...new Set(spec.networks.flatMap((network) => network.aliases))],
          spec,
          links: resource.links,
          scheduledTasks: resource.scheduledTasks.filter((task) => task.enabled).map(({ name, schedule, command }) => ({ name, schedule, command })),
          tags: resource.tags,
        },
      ];
    });
}

/** Facts when the target could not be read: SSH failed, or SSH worked and Docker did not answer. */
export function unreachableFacts(error: Error): TargetFacts {
  const dockerOnly = error instanceof GantryError && error.code === 'docker_unavailable';
  return {
    reachable: dockerOnly,
    ...(dockerOnly ? { dockerError: error.message } : { reachError: error.message }),
    dockerOk: false,
    disk: null,
    publishedPorts: [],
    volumes: [],
    containerNames: [],
    specHashes: [],
    activeMigration: null,
  };
}

const DISK_MARK = '@@gantry:disk';
const VOLUMES_MARK = '@@gantry:volumes';
const LOCK_MARK = '@@gantry:lock';

async function targetFacts(
  deps: GatherDeps,
  host: RemoteHost,
  environment: EnvironmentView,
  inspect: ServerInspect,
  targetResources: EnvironmentResource[],
  projectId: string,
  signal: AbortSignal,
): Promise<TargetFacts> {
  const server = await serverFacts(host, inspect, signal);
  const recorded = new Map(deps.inventory.instances(projectId).filter((instance) => instance.environmentId === environment.id).map((instance) => [instance.resourceId, instance]));
  return {
    ...server,
    specHashes: targetResources.map((resource) => {
      const record = recorded.get(resource.resourceId);
      return {
        resourceId: resource.resourceId,
        liveSpecHash: deps.sealer().seal(resource.spec).hash,
        recordedSpecHash: record?.recordedHash ?? null,
        ...(record ? { recordedAt: new Date(record.recordedAt).toISOString() } : {}),
      };
    }),
  };
}

/** The target facts that need no inventory (disk, ports, volumes, names, an active lock): also what an approver's live re-check reads. */
export async function serverFacts(host: RemoteHost, inspect: ServerInspect, signal?: AbortSignal): Promise<Omit<TargetFacts, 'specHashes'>> {
  const lockFile = `${LOCK_DIR}/${TARGET_LOCK_KEY}.lock`;
  // The lock probe takes a shared lock for an instant: probes never block each other, and it is
  // busy only while a migration holds the exclusive lock.
  const script = [
    `echo ${DISK_MARK}`,
    `df -B1 --output=size,avail "$(docker info --format '{{.DockerRootDir}}' 2>/dev/null || echo /)" 2>/dev/null | tail -n 1`,
    `echo ${VOLUMES_MARK}`,
    'docker volume ls -q 2>/dev/null',
    `echo ${LOCK_MARK}`,
    `if [ -e ${lockFile} ] && command -v flock >/dev/null; then exec 9<${lockFile}; flock -n -s 9 || cat ${lockFile}.holder 2>/dev/null; fi`,
  ].join('\n');
  const result = await host.exec(`sh -c ${shellQuote(script)}`, signal ? { signal } : {});
  const section = (mark: string, next: string | null) => {
    const start = result.stdout.indexOf(mark);
    if (start === -1) return '';
    const end = next ? result.stdout.indexOf(next) : -1;
    return result.stdout.slice(start + mark.length, end === -1 ? undefined : end).trim();
  };
  const [size, avail] = section(DISK_MARK, VOLUMES_MARK).split(/\s+/).map(Number);
  const lockText = section(LOCK_MARK, null);
  let activeMigration: TargetFacts['activeMigration'] = null;
  if (lockText) {
    try {
      const holder = JSON.parse(lockText) as LockHolder;
      activeMigration = { id: holder.migrationId, operator: holder.operator, machine: holder.machine, since: holder.since, target: holder.target ?? null };
    } catch {
      activeMigration = { id: 'unknown', operator: 'unknown', machine: 'unknown', since: 'unknown', target: null };
    }
  }

  return {
    reachable: true,
    dockerOk: true,
    disk: size && avail !== undefined && Number.isFinite(size) && Number.isFinite(avail) ? { totalBytes: size, freeBytes: avail } : null,
    publishedPorts: inspect.containers.filter((container) => container.State?.Running).flatMap(publishedPortsOf),
    volumes: section(VOLUMES_MARK, LOCK_MARK).split('\n').filter(Boolean),
    containerNames: inspect.containers.map(containerName),
    activeMigration,
  };
}

function publishedPortsOf(container: ContainerInspectInfo): PublishedPort[] {
  return Object.entries(container.HostConfig.PortBindings ?? {}).flatMap(([key, bindings]) => {
    const protocol = key.endsWith('/udp') ? 'udp' : key.endsWith('/sctp') ? 'sctp' : 'tcp';
    return (bindings ?? [])
      .filter((binding) => Number(binding.HostPort) > 0)
      .map((binding) => ({ hostPort: Number(binding.HostPort), protocol, hostIp: binding.HostIp ?? '', holder: containerName(container) }) as PublishedPort);
  });
}
