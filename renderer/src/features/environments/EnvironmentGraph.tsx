import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { EnvironmentView, GraphCell, InventoryGraph, ResourceView } from '@shared/inventory/model';
import { resourceKind } from '@shared/spec/resource-spec';
import { invoke } from '../../lib/api';
import { useJobs } from '../jobs/store';
import { openMigrateWizard } from '../shell/dialogs';
import { filterResources, noFilter, tagsOf, type GraphFilter } from './graph-filter';
import { StatusBadge } from './StatusBadge';
import { useMigrations } from '../migrations/store';
import { useDialogs } from '../shell/dialogs';
import { lastRunEnds, useEnvironments } from './store';

/** Rows rendered in full from the first frame; the ones below render as they come near the viewport. */
const EAGER_ROWS = 12;

/** The chain as columns (dev → uat → production) and each resource as a row, with its status per environment. */
export function EnvironmentGraph({ graph }: { graph: InventoryGraph }) {
  const columns = `minmax(9rem, 12rem) repeat(${graph.environments.length}, minmax(12rem, 1fr))`;
  const cells = useMemo(() => new Map(graph.cells.map((cell) => [`${cell.resourceId}/${cell.environmentId}`, cell])), [graph.cells]);
  const names = useMemo(() => new Map(graph.resources.map((resource) => [resource.id, resource.name])), [graph.resources]);
  const [filter, setFilter] = useState<GraphFilter>(noFilter);
  const shown = useMemo(() => filterResources(graph.resources, filter), [graph.resources, filter]);
  const migrations = useMigrations((state) => state.migrations);
  const staleSince = useMemo(() => staleEnvironments(graph, lastRunEnds(migrations)), [graph, migrations]);
  const gridRef = useRef<HTMLDivElement>(null);
  // The column count is the one thing the stylesheet cannot know; set through the CSSOM (allowed by the CSP).
  useLayoutEffect(() => gridRef.current?.style.setProperty('--graph-columns', columns), [columns]);
  return (
    <>
      <GraphFilters resources={graph.resources} filter={filter} onChange={setFilter} shown={shown.length} />
      <div className="inventory-grid" ref={gridRef} role="table" aria-label="Environment graph" aria-rowcount={shown.length + 2}>
        <div role="row" className="graph-row">
          <div className="corner" role="columnheader">
            Resources
          </div>
          {graph.environments.map((environment, index) => (
            <EnvironmentHead key={environment.id} environment={environment} graph={graph} index={index} staleSince={staleSince.get(environment.id) ?? null} />
          ))}
        </div>
        {shown.map((resource, index) => (
          <ResourceRow key={resource.id} resource={resource} names={names} environments={graph.environments} cells={cells} staleSince={staleSince} eager={index < EAGER_ROWS} />
        ))}
        <div role="row" className="graph-row" aria-label="Not adopted yet">
          <div className="corner" role="rowheader">
            Not adopted yet
          </div>
          {graph.environments.map((environment) => (
            <Unadopted key={environment.id} graph={graph} environment={environment} />
          ))}
        </div>
      </div>
    </>
  );
}

/** One observer for every row placeholder (hundreds of observers cost more than the rows they save). */
let nearViewport: { observer: IntersectionObserver; callbacks: Map<Element, () => void> } | null = null;

/** Calls `onNear` once `element` comes within a screen of the viewport; returns the unsubscribe. */
function watchNearViewport(element: Element, onNear: () => void): () => void {
  if (!nearViewport) {
    const callbacks = new Map<Element, () => void>();
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          callbacks.get(entry.target)?.();
          callbacks.delete(entry.target);
          observer.unobserve(entry.target);
        }
      },
      { rootMargin: '100% 0px' },
    );
    nearViewport = { observer, callbacks };
  }
  const { observer, callbacks } = nearViewport;
  callbacks.set(element, onNear);
  observer.observe(element);
  return () => {
    callbacks.delete(element);
    observer.unobserve(element);
  };
}

/**
 * One resource's row. Rows past the first screenful start as a placeholder of a row's height and
 * render in full once they come within a screen of the viewport (then stay): a graph of hundreds
 * of resources paints its first screen at the cost of that screen.
 */
const ResourceRow = memo(function ResourceRow({
  resource,
  names,
  environments,
  cells,
  staleSince,
  eager,
}: {
  resource: ResourceView;
  names: Map<string, string>;
  environments: EnvironmentView[];
  cells: Map<string, GraphCell>;
  staleSince: Map<string, number>;
  eager: boolean;
}) {
  const [near, setNear] = useState(eager);
  const placeholder = useRef<HTMLDivElement>(null);
  const visible = near || eager;
  useEffect(() => {
    const element = placeholder.current;
    if (visible || !element) return;
    return watchNearViewport(element, () => setNear(true));
  }, [visible]);
  if (!visible) return <div role="row" aria-label={resource.name} className="graph-row-placeholder" ref={placeholder} data-testid="row-placeholder" />;
  const linked = resource.links.flatMap((id) => names.get(id) ?? []);
  return (
    <div role="row" className="graph-row" aria-label={resource.name}>
      <div className="resource-name" role="rowheader">
        <div>{resource.name}</div>
        <div className="resource-kind">
          {resource.kind}
          {resource.databaseType ? ` · ${resource.databaseType}` : ''}
          {resource.tags.length ? ` · ${resource.tags.join(', ')}` : ''}
        </div>
        <Links name={resource.name} linked={linked} />
      </div>
      {environments.map((environment, index) => (
        <Cell key={environment.id} cell={cells.get(`${resource.id}/${environment.id}`)} environment={environment} resource={resource} next={environments[index + 1] ?? null} staleSince={staleSince.get(environment.id) ?? null} />
      ))}
    </div>
  );
});

/** Environments whose last discovery is older than the end of the last run there, with that end. */
function staleEnvironments(graph: InventoryGraph, runEnds: Map<string, number>): Map<string, number> {
  const stale = new Map<string, number>();
  for (const environment of graph.environments) {
    const runEnd = runEnds.get(environment.id);
    const seenAt = graph.discovery.find((item) => item.environmentId === environment.id)?.discoveredAt ?? null;
    if (runEnd !== undefined && seenAt !== null && seenAt < runEnd) stale.set(environment.id, runEnd);
  }
  return stale;
}

/** What a stale cell or column says: when it was seen, that a run ended since, and what happens now. */
function StaleNote({ staleSince }: { staleSince: number }) {
  const jobId = useEnvironments((state) => state.discoveryJobId);
  const rereading = useJobs((state) => (jobId ? state.jobs[jobId]?.state === 'running' : false));
  return (
    <div className="stale-note" data-testid="stale-note">
      Seen before the last run ended ({new Date(staleSince).toLocaleTimeString()}){rereading ? ': re-reading the server…' : ': discover to refresh.'}
    </div>
  );
}

function GraphFilters({ resources, filter, onChange, shown }: { resources: ResourceView[]; filter: GraphFilter; onChange: (filter: GraphFilter) => void; shown: number }) {
  const tags = tagsOf(resources);
  return (
    <div className="graph-filters" role="group" aria-label="Filter resources">
      <label>
        Kind{' '}
        <select aria-label="Filter by kind" value={filter.kind} onChange={(event) => onChange({ ...filter, kind: event.target.value as GraphFilter['kind'] })}>
          <option value="">All kinds</option>
          {resourceKind.options.map((kind) => (
            <option key={kind} value={kind}>
              {kind}
            </option>
          ))}
        </select>
      </label>
      <label>
        Tag{' '}
        <select aria-label="Filter by tag" value={filter.tag} onChange={(event) => onChange({ ...filter, tag: event.target.value })} disabled={tags.length === 0}>
          <option value="">All tags</option>
          {tags.map((tag) => (
            <option key={tag} value={tag}>
              {tag}
            </option>
          ))}
        </select>
      </label>
      <span className="env-meta" data-testid="filter-count">
        {shown} of {resources.length} resources
      </span>
      {filter.kind || filter.tag ? (
        <button type="button" className="secondary small-button" onClick={() => onChange(noFilter)}>
          Clear filters
        </button>
      ) : null}
    </div>
  );
}

function Links({ name, linked }: { name: string; linked: string[] }) {
  if (linked.length === 0) return null;
  return (
    <div className="resource-links" aria-label={`Links of ${name}`}>
      {linked.map((each) => (
        <span className="link-chip" key={each} data-testid="link-chip">
          → {each}
        </span>
      ))}
    </div>
  );
}

function EnvironmentHead({ environment, graph, index, staleSince }: { environment: EnvironmentView; graph: InventoryGraph; index: number; staleSince: number | null }) {
  const servers = useEnvironments((state) => state.servers);
  const change = useEnvironments((state) => state.change);
  const setError = (error: string | null) => useEnvironments.setState({ error });
  const discovery = graph.discovery.find((item) => item.environmentId === environment.id);
  const order = graph.environments.map((item) => item.id);
  // Every resource whose instance here is behind the previous environment's: one batch migration promotes them all.
  const previous = index > 0 ? graph.environments[index - 1] : undefined;
  const behind = graph.cells.filter((cell) => cell.environmentId === environment.id && (cell.status === 'behind' || cell.also.includes('behind'))).map((cell) => cell.resourceId);

  async function move(by: -1 | 1) {
    const next = [...order];
    const [moved] = next.splice(index, 1);
    next.splice(index + by, 0, moved!);
    setError(await change(() => invoke('environments:reorder', { projectId: graph.project.id, order: next })));
  }

  async function bind(serverId: string) {
    setError(await change(() => invoke('environments:bind', { environmentId: environment.id, serverId: serverId || null })));
  }

  return (
    <div className="env-column-head" role="columnheader" aria-label={environment.name} data-production={environment.production ? 'true' : 'false'} data-testid="environment">
      <div className="env-name">
        {index > 0 ? <span className="env-arrow" aria-hidden="true">→</span> : null}
        <span data-testid="environment-name">{environment.name}</span>
        {environment.production ? <span className="badge-production">production</span> : null}
      </div>
      <label className="env-meta">
        Server{' '}
        <select value={environment.serverId ?? ''} onChange={(event) => void bind(event.target.value)} aria-label={`Server of ${environment.name}`}>
          <option value="">Not bound</option>
          {servers.map((server) => (
            <option key={server.id} value={server.id}>
              {server.name}
            </option>
          ))}
        </select>
      </label>
      <div className="env-meta">
        network <code>{environment.network}</code>
        {environment.domain ? (
          <>
            {' '}
            · <code>{environment.domain}</code>
          </>
        ) : null}
      </div>
      {discovery?.reachable === false ? (
        <div className="env-meta warn-text" data-testid="discovery-error">
          Unreachable: {discovery.error}
        </div>
      ) : discovery?.discoveredAt ? (
        <div className="env-meta" data-testid="discovered-at">
          As of {new Date(discovery.discoveredAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
        </div>
      ) : null}
      {staleSince !== null ? <StaleNote staleSince={staleSince} /> : null}
      {behind.length > 0 && previous ? (
        <button
          type="button"
          className="secondary small-button"
          data-testid="promote-behind"
          onClick={() => openMigrateWizard({ projectId: graph.project.id, sourceEnvironmentId: previous.id, resourceIds: behind })}
          aria-label={`Promote everything that is behind in ${environment.name} from ${previous.name}`}
        >
          Promote {behind.length} behind from {previous.name}
        </button>
      ) : null}
      <div className="row">
        <button type="button" className="secondary small-button" disabled={index === 0} onClick={() => void move(-1)} aria-label={`Move ${environment.name} earlier`}>
          ←
        </button>
        <button type="button" className="secondary small-button" disabled={index === graph.environments.length - 1} onClick={() => void move(1)} aria-label={`Move ${environment.name} later`}>
          →
        </button>
      </div>
    </div>
  );
}

const Cell = memo(function Cell({ cell, environment, resource, next, staleSince }: { cell: GraphCell | undefined; environment: EnvironmentView; resource: ResourceView; next: EnvironmentView | null; staleSince: number | null }) {
  const change = useEnvironments((state) => state.change);
  const open = useDialogs((state) => state.open);
  if (!cell) return <div className="inventory-cell" role="cell" />;
  const drifted = cell.status === 'drifted' || cell.also.includes('drifted');
  async function acceptDrift(resourceId: string) {
    const error = await change(() => invoke('resources:accept-drift', { resourceId, environmentId: environment.id }));
    useEnvironments.setState({ error });
  }
  return (
    <div className="inventory-cell" role="cell" aria-label={`${environment.name}`} data-testid="inventory-cell" data-environment={environment.name} data-stale={staleSince !== null ? 'true' : 'false'}>
      <StatusBadge status={cell.status} reason={cell.reason} />
      {cell.also.length ? <div className="reason">also: {cell.also.map((status) => status.replace('_', ' ')).join(', ')}</div> : null}
      {cell.container ? (
        <>
          <div className="container-name" title={cell.container.containerName}>
            {cell.container.containerName}
          </div>
          <div className="container-name container-image" title={cell.container.imageRef}>
            {cell.container.imageRef}
          </div>
        </>
      ) : null}
      <div className="reason">{cell.reason}</div>
      {staleSince !== null ? <StaleNote staleSince={staleSince} /> : null}
      <button type="button" className="secondary small-button" onClick={() => open({ kind: 'detail', resourceId: resource.id, environmentId: environment.id })} aria-label={`Details of ${resource.name} in ${environment.name}`}>
        Details
      </button>
      {next && cell.container ? (
        <button
          type="button"
          className="secondary small-button"
          onClick={() => openMigrateWizard({ projectId: environment.projectId, sourceEnvironmentId: environment.id, resourceIds: [resource.id] })}
          aria-label={`Migrate to ${next.name}: ${resource.name} from ${environment.name}`}
        >
          Migrate to {next.name}
        </button>
      ) : null}
      {drifted ? (
        <button type="button" className="secondary small-button" onClick={() => void acceptDrift(cell.resourceId)} title="Record the container as it runs now as what Gantry expects here">
          Accept current spec
        </button>
      ) : null}
    </div>
  );
});

function Unadopted({ graph, environment }: { graph: InventoryGraph; environment: EnvironmentView }) {
  const open = useDialogs((state) => state.open);
  const [expanded, setExpanded] = useState(false);
  const containers = graph.discovery.find((item) => item.environmentId === environment.id)?.unadopted ?? [];
  const shown = expanded ? containers : containers.slice(0, 6);
  return (
    <div className="unadopted" role="cell" data-testid="unadopted" data-environment={environment.name}>
      {containers.length === 0 ? <span className="env-meta">—</span> : null}
      {shown.map((container) => (
        <div className="unadopted-item" key={container.containerId}>
          <code title={`${container.imageRef} · ${container.state}`}>{container.containerName}</code>
          <button
            type="button"
            className="small-button"
            onClick={() => open({ kind: 'adopt', environmentId: environment.id, containerName: container.containerName })}
            aria-label={`Adopt ${container.containerName} in ${environment.name}`}
          >
            Adopt
          </button>
        </div>
      ))}
      {containers.length > shown.length ? (
        <button type="button" className="secondary small-button" onClick={() => setExpanded(true)}>
          Show all {containers.length}
        </button>
      ) : null}
    </div>
  );
}
