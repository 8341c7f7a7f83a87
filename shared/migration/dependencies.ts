/**
 * Which resources a migration depends on, and in which order they go. A resource depends on the
 * ones it links to and on the ones it refers to by name (a `DATABASE_URL` naming `dev-db`). A
 * dependency the target already has is rewired to; one it lacks is either reported as missing or,
 * when the operator asks, joins the migration as a clone ahead of its dependants.
 */
import { GantryError } from '../ipc/result';
import type { ResourceKind } from '../spec/resource-spec';
import type { EnvironmentResource } from './plan-input';
import { namesOf, referencedNames } from './rewire';

/** Why one resource depends on another: `link`, or where the reference stands (`env DATABASE_URL`). */
export interface DependencyEdge {
  fromResourceId: string;
  toResourceId: string;
  via: string;
}

/** A resource the migration needs in the target that the target does not have. */
export interface MissingDependency {
  resourceId: string;
  name: string;
  kind: ResourceKind | null;
  referencedBy: { resourceId: string; name: string; via: string }[];
}

/** The resources a migration covers, dependencies first, and what is still missing. */
export interface ResolvedResources {
  /** Source resources to migrate, in the order they must go. */
  ordered: EnvironmentResource[];
  /** Resources that joined because others depend on them. */
  addedAsDependencies: string[];
  missing: MissingDependency[];
  edges: DependencyEdge[];
}

const kindRank: Record<ResourceKind, number> = { database: 0, service: 1, application: 2 };

/** Every text of a resource that may name another resource, with where it stands. */
function referenceSites(resource: EnvironmentResource): { via: string; text: string }[] {
  const { spec } = resource;
  return [
    ...Object.entries(spec.env).map(([key, value]) => ({ via: `env ${key}`, text: value })),
    ...Object.entries(spec.labels).map(([key, value]) => ({ via: `label ${key}`, text: `${key.split('.').join(' ')} ${value}` })),
    ...(spec.entrypoint ?? []).map((arg) => ({ via: 'entrypoint', text: arg })),
    ...(spec.command ?? []).map((arg) => ({ via: 'command', text: arg })),
    ...(spec.healthcheck?.test ?? []).map((arg) => ({ via: 'health check', text: arg })),
    ...resource.scheduledTasks.map((task) => ({ via: `scheduled task ${task.name}`, text: task.command })),
  ];
}

/**
 * The names that identify an instance in text: its UUID, its container name, and the hostnames
 * that carry the environment's name. A bare alias such as `db` is left out: it is the same in
 * every environment and too common a word to be told from ordinary text.
 */
function distinctiveNames(resource: EnvironmentResource, sourceSlug: string): string[] {
  const specific = resource.hostnames.filter((hostname) => hostname.toLowerCase().split(/[-_.]/).includes(sourceSlug));
  return namesOf({ uuid: resource.uuid, containerName: resource.containerName, hostnames: specific });
}

/** What `resource` depends on among `sourceResources` (links first, then references by name). */
export function dependenciesOf(resource: EnvironmentResource, sourceResources: readonly EnvironmentResource[], sourceSlug: string): DependencyEdge[] {
  const edges: DependencyEdge[] = resource.links.filter((id) => id !== resource.resourceId).map((id) => ({ fromResourceId: resource.resourceId, toResourceId: id, via: 'link' }));
  const owners = new Map<string, string>();
  for (const other of sourceResources) {
    if (other.resourceId === resource.resourceId) continue;
    for (const name of distinctiveNames(other, sourceSlug)) owners.set(name, other.resourceId);
  }
  const names = new Set(owners.keys());
  for (const site of referenceSites(resource)) {
    for (const name of referencedNames(site.text, names)) {
      const toResourceId = owners.get(name);
      if (toResourceId && !edges.some((edge) => edge.toResourceId === toResourceId && edge.via === site.via)) {
        edges.push({ fromResourceId: resource.resourceId, toResourceId, via: site.via });
      }
    }
  }
  return edges;
}

/** Resolves the resources of a migration: the selected ones, their dependencies (if asked), in dependency order. */
export function resolveResources(options: {
  resourceIds: readonly string[];
  sourceResources: readonly EnvironmentResource[];
  targetResources: readonly EnvironmentResource[];
  includeMissingDependencies: boolean;
  sourceName: string;
  sourceSlug: string;
}): ResolvedResources {
  const byId = new Map(options.sourceResources.map((resource) => [resource.resourceId, resource]));
  const inTarget = new Set(options.targetResources.map((resource) => resource.resourceId));
  const selected: EnvironmentResource[] = [];
  for (const id of new Set(options.resourceIds)) {
    const resource = byId.get(id);
    if (!resource) throw new GantryError('invalid_plan', `${options.sourceName} has no resource ${id}: refresh the inventory and choose again.`);
    selected.push(resource);
  }

  const planned = new Map(selected.map((resource) => [resource.resourceId, resource]));
  const addedAsDependencies: string[] = [];
  const edges: DependencyEdge[] = [];
  const missing = new Map<string, MissingDependency>();
  const queue = [...selected];
  for (let resource = queue.shift(); resource; resource = queue.shift()) {
    for (const edge of dependenciesOf(resource, options.sourceResources, options.sourceSlug)) {
      edges.push(edge);
      if (planned.has(edge.toResourceId) || inTarget.has(edge.toResourceId)) continue;
      const dependency = byId.get(edge.toResourceId);
      if (dependency && options.includeMissingDependencies) {
        planned.set(dependency.resourceId, dependency);
        addedAsDependencies.push(dependency.resourceId);
        queue.push(dependency);
        continue;
      }
      const entry = missing.get(edge.toResourceId) ?? { resourceId: edge.toResourceId, name: dependency?.name ?? edge.toResourceId, kind: dependency?.kind ?? null, referencedBy: [] };
      entry.referencedBy.push({ resourceId: resource.resourceId, name: resource.name, via: edge.via });
      missing.set(edge.toResourceId, entry);
    }
  }
  return { ordered: dependencyOrder([...planned.values()], edges), addedAsDependencies, missing: [...missing.values()], edges };
}

/**
 * Orders resources so each comes after what it depends on; among equals databases go first, then
 * services, then applications, then the order given. Members of a dependency cycle keep that
 * order at the end.
 */
export function dependencyOrder(resources: readonly EnvironmentResource[], edges: readonly DependencyEdge[]): EnvironmentResource[] {
  const position = new Map(resources.map((resource, i) => [resource.resourceId, i]));
  const rank = (resource: EnvironmentResource) => kindRank[resource.kind] * resources.length + (position.get(resource.resourceId) ?? 0);
  const waitingOn = new Map(resources.map((resource) => [resource.resourceId, new Set<string>()]));
  for (const edge of edges) {
    if (position.has(edge.toResourceId) && edge.toResourceId !== edge.fromResourceId) waitingOn.get(edge.fromResourceId)?.add(edge.toResourceId);
  }
  const ordered: EnvironmentResource[] = [];
  let remaining = [...resources];
  while (remaining.length > 0) {
    const ready = remaining.filter((resource) => waitingOn.get(resource.resourceId)?.size === 0).sort((a, b) => rank(a) - rank(b));
    const next = ready[0];
    if (!next) return [...ordered, ...remaining.sort((a, b) => rank(a) - rank(b))];
    ordered.push(next);
    remaining = remaining.filter((resource) => resource !== next);
    for (const waits of waitingOn.values()) waits.delete(next.resourceId);
  }
  return ordered;
}
