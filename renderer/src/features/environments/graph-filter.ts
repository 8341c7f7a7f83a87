/**
 * Which rows of the environment graph to show: resources filtered by kind and by tag.
 * Pure, so the page and its unit test share one definition.
 */
import type { ResourceView } from '@shared/inventory/model';
import type { ResourceKind } from '@shared/spec/resource-spec';

/** The graph's filter: an empty kind or tag means "any". */
export interface GraphFilter {
  kind: ResourceKind | '';
  tag: string;
}

/** The filter that shows every resource. */
export const noFilter: GraphFilter = { kind: '', tag: '' };

/** The resources that match the filter, in their original order. */
export function filterResources(resources: readonly ResourceView[], filter: GraphFilter): ResourceView[] {
  return resources.filter((resource) => (filter.kind === '' || resource.kind === filter.kind) && (filter.tag === '' || resource.tags.includes(filter.tag)));
}

/** Every tag used by the resources, sorted and without duplicates: the options of the tag filter. */
export function tagsOf(resources: readonly ResourceView[]): string[] {
  return [...new Set(resources.flatMap((resource) => resource.tags))].sort((a, b) => a.localeCompare(b));
}

/** The names of the resources a resource links to; ids no resource has (a removed link) are left out. */
export function linkedNames(resource: ResourceView, resources: readonly ResourceView[]): string[] {
  const byId = new Map(resources.map((item) => [item.id, item.name]));
  return resource.links.flatMap((id) => {
    const name = byId.get(id);
    return name === undefined ? [] : [name];
  });
}
