/**
 * The page bench/run.mjs builds and opens: renders the real EnvironmentGraph (or, as the baseline,
 * plain <div> rows with the same text) from a generated InventoryGraph and reports how long the
 * first render took. Not part of the app: nothing in the app imports it.
 */
import { createRoot } from 'react-dom/client';
import type { GraphCell, InventoryGraph, ResourceView } from '@shared/inventory/model';
import type { ResourceSpec } from '@shared/spec/resource-spec';
import { EnvironmentGraph } from './EnvironmentGraph';
import '../../styles.css';
import './environments.css';

const kinds = ['application', 'database', 'service'] as const;
const statuses = ['in_sync', 'behind', 'drifted', 'absent'] as const;

/** A graph of `count` resources across dev → uat → production, every cell with a container. */
function generatedGraph(count: number): InventoryGraph {
  const environments = ['dev', 'uat', 'production'].map((name, position) => ({
    id: `env-${name}`,
    projectId: 'bench',
    name,
    position,
    production: name === 'production',
    serverId: null,
    serverName: null,
    network: `gantry-bench-${name}`,
    domain: '',
  }));
  const resources: ResourceView[] = Array.from({ length: count }, (_, index) => ({
    id: `res-${index}`,
    name: `resource-${index}`,
    kind: kinds[index % kinds.length]!,
    databaseType: null,
    tags: [`team-${index % 7}`, index % 2 ? 'critical' : 'batch'],
    links: index > 0 ? [`res-${index - 1}`] : [],
    scheduledTasks: [],
  }));
  const spec = { image: { ref: 'gantry-lab/webapp:1' } } as unknown as ResourceSpec;
  const cells: GraphCell[] = resources.flatMap((resource, index) =>
    environments.map((environment, column) => ({
      resourceId: resource.id,
      environmentId: environment.id,
      status: statuses[(index + column) % statuses.length]!,
      also: [],
      reason: `reason ${index}/${column}`,
      recordedHash: null,
      container: { containerId: `c-${index}-${column}`, containerName: `${resource.name}-${environment.name}`, state: 'running', health: 'none' as const, imageRef: 'gantry-lab/webapp:1', specHash: 'h', spec },
    })),
  );
  return {
    project: { id: 'bench', name: 'Bench', environmentCount: 3, resourceCount: count, createdAt: 0 },
    environments,
    resources,
    cells,
    discovery: environments.map((environment) => ({ environmentId: environment.id, discoveredAt: null, reachable: null, error: null, unadopted: [] })),
  };
}

/** The same text as the graph's rows, as plain <div>s: what any renderer must at least pay. */
function PlainRows({ graph }: { graph: InventoryGraph }) {
  const cells = new Map(graph.cells.map((cell) => [`${cell.resourceId}/${cell.environmentId}`, cell]));
  return (
    <div>
      {graph.resources.map((resource) => (
        <div key={resource.id}>
          <div>
            {resource.name} {resource.kind} · {resource.tags.join(', ')}
          </div>
          {graph.environments.map((environment) => {
            const cell = cells.get(`${resource.id}/${environment.id}`);
            return (
              <div key={environment.id}>
                {cell?.status} {cell?.container?.containerName} · {cell?.container?.imageRef} {cell?.reason}
              </div>
            );
          })}
        </div>
      ))}
    </div>
  );
}

const params = new URLSearchParams(location.search);
const graph = generatedGraph(Number(params.get('resources') ?? '300'));
const mode = params.get('mode') === 'baseline' ? 'baseline' : 'graph';
const start = performance.now();
createRoot(document.getElementById('root')!).render(mode === 'graph' ? <EnvironmentGraph graph={graph} /> : <PlainRows graph={graph} />);
// After React commits, the next frame is the first one painted with the rows in it.
requestAnimationFrame(() =>
  setTimeout(() => {
    const ms = performance.now() - start;
    // The graph renders the first screenful of rows in full and the rest as row placeholders that
    // fill in near the viewport: every resource is there, as three cells or one placeholder.
    const rows = mode === 'graph' ? document.querySelectorAll('[data-testid="inventory-cell"]').length + 3 * document.querySelectorAll('[data-testid="row-placeholder"]').length : document.querySelectorAll('#root > div > div').length;
    const fullRows = document.querySelectorAll('[data-testid="inventory-cell"]').length / 3;
    (window as unknown as { benchResult: unknown }).benchResult = { mode, ms, rows, fullRows };
  }, 0),
);
