/**
 * The environment graph in one call: the chain, the resources, and for every resource in every
 * environment its container and status, judged from the last discovery of each server.
 */
import type { ContainerView, EnvironmentView, GraphCell, InventoryGraph, ResourceView } from '@shared/inventory/model';
import { resourceStatus } from '@shared/inventory/status';
import { gantryLabels, type DatabaseType, type ResourceSpec } from '@shared/spec/resource-spec';
import { maskSpec } from '@shared/spec/secrets';
import { detectDatabase } from '../databases/registry';
import type { DiscoveredContainer } from './discovery';
import type { DiscoverySnapshots } from './discovery-snapshots';
import type { InstanceRow, InventoryStore } from './inventory-store';

/** The container that is `resource` in `environment`: the recorded one (by id, then name), else one Gantry labelled. */
export function findContainer(
  containers: readonly DiscoveredContainer[],
  resource: Pick<ResourceView, 'id'>,
  environment: Pick<EnvironmentView, 'id' | 'name'>,
  instance: InstanceRow | undefined,
): DiscoveredContainer | null {
  if (instance) {
    const byId = instance.containerId ? containers.find((container) => container.containerId === instance.containerId) : undefined;
    if (byId) return byId;
    // Recreated outside Gantry: a new id under the same name is still this resource.
    const byName = containers.find((container) => container.containerName === instance.containerName);
    if (byName) return byName;
  }
  return (
    containers.find(
      (container) => container.gantryLabels[gantryLabels.resource] === resource.id && container.gantryLabels[gantryLabels.environment] === environment.name,
    ) ?? null
  );
}

/** A discovered container as the renderer may see it: secrets masked. */
export function containerView(container: DiscoveredContainer): ContainerView {
  return {
    containerId: container.containerId,
    containerName: container.containerName,
    state: container.state,
    health: container.health,
    imageRef: container.imageRef,
    specHash: container.specHash,
    spec: maskSpec(container.spec),
  };
}

/** Builds the graph of one project from the store and the last discovery of each server. */
export function buildInventoryGraph(store: InventoryStore, snapshots: DiscoverySnapshots, projectId: string): InventoryGraph {
  const project = store.project(projectId);
  const chain = store.environments(projectId);
  const resources = store.resources(projectId);
  const instances = store.instances(projectId);
  const instanceOf = (resourceId: string, environmentId: string) =>
    instances.find((instance) => instance.resourceId === resourceId && instance.environmentId === environmentId);
  const snapshotOf = (environment: EnvironmentView) => (environment.serverId ? snapshots.get(environment.serverId) : undefined);
  const liveOf = (resource: ResourceView, environment: EnvironmentView) => {
    const snapshot = snapshotOf(environment);
    return snapshot ? findContainer(snapshot.containers, resource, environment, instanceOf(resource.id, environment.id)) : null;
  };

  const cells: GraphCell[] = [];
  const claimed = new Set<string>();
  for (const resource of resources) {
    chain.forEach((environment, index) => {
      const instance = instanceOf(resource.id, environment.id);
      const base = { resourceId: resource.id, environmentId: environment.id, recordedHash: instance?.recordedHash ?? null };
      const snapshot = snapshotOf(environment);
      if (!environment.serverId || !snapshot) {
        const reason = environment.serverId ? 'Not discovered yet: run discovery to see this environment.' : 'This environment is not bound to a server yet.';
        cells.push({ ...base, status: null, also: [], reason, container: null });
        return;
      }
      const live = liveOf(resource, environment);
      if (live) claimed.add(`${environment.serverId}/${live.containerId}`);
      const upstreamEnvironment = index > 0 ? chain[index - 1] : undefined;
      const upstreamSnapshot = upstreamEnvironment ? snapshotOf(upstreamEnvironment) : undefined;
      const verdict = resourceStatus({
        reachable: snapshot.reachable,
        live,
        recordedHash: instance?.recordedHash ?? null,
        upstream: upstreamEnvironment && upstreamSnapshot ? { reachable: upstreamSnapshot.reachable, live: liveOf(resource, upstreamEnvironment) } : null,
        promotedFromHash: instance?.promotedFromHash ?? null,
      });
      cells.push({ ...base, ...verdict, container: live ? containerView(live) : null });
    });
  }

  const discovery = chain.map((environment) => {
    const snapshot = snapshotOf(environment);
    return {
      environmentId: environment.id,
      discoveredAt: snapshot?.at ?? null,
      reachable: snapshot?.reachable ?? null,
      error: snapshot?.error ?? null,
      unadopted: (snapshot?.containers ?? [])
        .filter((container) => !claimed.has(`${environment.serverId}/${container.containerId}`))
        .map(({ containerId, containerName, state, health, imageRef, specHash, spec }) => ({ containerId, containerName, state, health, imageRef, specHash, env: maskSpec(spec).env, databaseGuess: databaseGuessOf(spec) })),
    };
  });
  return { project, environments: chain, resources, cells, discovery };
}

/** What the database adapters' detection sees in a container (for the adopt dialog's proposal). */
function databaseGuessOf(spec: ResourceSpec): { type: DatabaseType; sure: boolean; reason: string } | null {
  const best = detectDatabase(spec).best;
  return best ? { type: best.type, sure: best.confidence === 'sure', reason: best.reason } : null;
}
