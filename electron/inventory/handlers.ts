/**
 * The inventory channels: projects and their chains, adoption of existing containers, discovery
 * (a job) and the graph. Handlers validate through the store and throw GantryError for
 * anything the operator can fix.
 */
import { GantryError } from '@shared/ipc/result';
import type { Router } from '../ipc/router';
import { discoveredContainers, discoverServers, inspectContainer } from './discovery';
import { buildInventoryGraph, containerView } from './inventory-graph';
import type { InventoryArea, InventoryDeps } from './inventory-area';

/** Registers the inventory channels on the area's services. */
export function registerInventoryHandlers(router: Router, area: InventoryArea, deps: Pick<InventoryDeps, 'jobs' | 'hosts'>): void {
  const { store, snapshots } = area;
  router.handle('projects:list', () => ({ projects: store.listProjects() }));
  router.handle('projects:create', ({ name, environments }) => ({ project: store.createProject(name, environments) }));
  router.handle('environments:add', (request) => ({ environment: store.addEnvironment(request) }));
  router.handle('environments:reorder', ({ projectId, order }) => ({ environments: store.reorderEnvironments(projectId, order) }));
  router.handle('environments:bind', (request) => ({ environment: store.bindEnvironment(request) }));

  router.handle('resources:adopt', async ({ environmentId, container, resource }) => {
    const environment = store.environment(environmentId);
    if (!environment.serverId) throw new GantryError('not_bound', `Environment "${environment.name}" is not bound to a server yet. Bind it first, then adopt its containers.`);
    const host = await deps.hosts(environment.serverId);
    const [found] = discoveredContainers(await inspectContainer(host, container), area.sealer());
    if (!found) throw new GantryError('not_found', `There is no container "${container}" on ${host.label}.`);

    const claimedBy = store.instances(environment.projectId).find((instance) => instance.environmentId === environmentId && instance.containerId === found.containerId);
    const target = 'resourceId' in resource ? store.resource(environment.projectId, resource.resourceId) : null;
    if (claimedBy && claimedBy.resourceId !== target?.id) {
      throw new GantryError('conflict', `Container "${found.containerName}" already belongs to another resource in "${environment.name}".`);
    }
    if (target && store.instances(environment.projectId).some((instance) => instance.resourceId === target.id && instance.environmentId === environmentId && instance.containerId !== found.containerId)) {
      throw new GantryError('conflict', `Resource "${target.name}" already has a container in "${environment.name}". Each resource has one container per environment.`);
    }
    const adopted = target ?? store.createResource(environment.projectId, resource as Exclude<typeof resource, { resourceId: string }>);
    store.recordInstance({
      resourceId: adopted.id,
      environmentId,
      serverId: environment.serverId,
      containerName: found.containerName,
      containerId: found.containerId,
      sealed: { spec: found.spec, hash: found.specHash },
      event: 'adopted',
    });
    snapshots.updateContainer(environment.serverId, found);
    return { resource: store.resource(environment.projectId, adopted.id), container: containerView(found) };
  });

  router.handle('resources:update', ({ resourceId, ...changes }) => ({ resource: store.updateResource(resourceId, changes) }));

  router.handle('resources:accept-drift', async ({ resourceId, environmentId }) => {
    const environment = store.environment(environmentId);
    const resource = store.resource(environment.projectId, resourceId);
    const instance = store.instances(environment.projectId).find((row) => row.resourceId === resourceId && row.environmentId === environmentId);
    if (!instance) throw new GantryError('not_found', `"${resource.name}" has no container in "${environment.name}" yet. Adopt one first.`);
    if (!environment.serverId) throw new GantryError('not_bound', `Environment "${environment.name}" is not bound to a server.`);
    const host = await deps.hosts(environment.serverId);
    const [found] = discoveredContainers(await inspectContainer(host, instance.containerName), area.sealer());
    if (!found) throw new GantryError('not_found', `There is no container "${instance.containerName}" on ${host.label} any more.`);
    store.recordInstance({
      resourceId,
      environmentId,
      serverId: environment.serverId,
      containerName: found.containerName,
      containerId: found.containerId,
      sealed: { spec: found.spec, hash: found.specHash },
      event: 'accepted_drift',
      promotedFromHash: instance.promotedFromHash,
    });
    snapshots.updateContainer(environment.serverId, found);
    return { container: containerView(found) };
  });

  router.handle('inventory:discover', ({ projectId }) => {
    const projectIds = projectId ? [store.project(projectId).id] : store.listProjects().map((project) => project.id);
    const serverIds = [...new Set(projectIds.flatMap((id) => store.environments(id).flatMap((environment) => (environment.serverId ? [environment.serverId] : []))))];
    return { jobId: startDiscovery(area, deps, serverIds, `Discover containers on ${serverIds.length} server(s)`) };
  });

  router.handle('inventory:graph', ({ projectId }) => buildInventoryGraph(store, snapshots, projectId));

  // The graph shows what the last run saw (with its time) at once; this brings it up to date.
  const restored = snapshots.restoredServerIds();
  if (restored.length > 0) startDiscovery(area, deps, restored, `Refresh the last discovery of ${restored.length} server(s)`);
}

/** Starts a discovery job over `serverIds`; each server's result replaces its snapshot as it arrives. */
function startDiscovery(area: InventoryArea, deps: Pick<InventoryDeps, 'jobs' | 'hosts'>, serverIds: string[], title: string): string {
  return deps.jobs.start('discovery', title, async (job) => {
    let finished = 0;
    const results = await discoverServers(serverIds, deps.hosts, area.sealer(), {
      signal: job.signal,
      onServer: (result) => {
        area.snapshots.set(result);
        finished += 1;
        job.log(result.reachable ? 'info' : 'warn', result.reachable ? `${result.containers.length} container(s) on server ${result.serverId}` : `Server ${result.serverId}: ${result.error}`);
        job.progress((finished / Math.max(1, serverIds.length)) * 100);
      },
    });
    return { servers: results.map(({ serverId, reachable, error, containers }) => ({ serverId, reachable, error, containers: containers.length })) };
  });
}
