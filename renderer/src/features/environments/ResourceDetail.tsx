import { useEffect, useState } from 'react';
import type { InventoryGraph } from '@shared/inventory/model';
import { Dialog, DialogFooter } from '../../components/Dialog';
import { invoke } from '../../lib/api';
import { linkedNames } from './graph-filter';
import { ScheduleWords } from './ScheduleWords';
import { StatusBadge } from './StatusBadge';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useDialogs } from '../shell/dialogs';
import { DatabaseCredentials, RotateCredentialsButton } from './DatabaseCredentials';
import { ChangeDomainButton } from './ChangeDomainDialog';

type Timeline = { state: 'loading' } | { state: 'failed'; message: string } | { state: 'loaded'; entries: { id: number; event: string; at: number; specHash: string; migrationId: string | null }[] };

/** One resource in one environment: status, masked spec, links, scheduled tasks and spec history; links, tags and tasks can be edited. */
export function ResourceDetail({ graph, resourceId, environmentId }: { graph: InventoryGraph; resourceId: string; environmentId: string }) {
  const close = useDialogs((state) => state.close);
  const open = useDialogs((state) => state.open);
  const [timeline, setTimeline] = useState<Timeline>({ state: 'loading' });
  const resource = graph.resources.find((item) => item.id === resourceId);
  const environment = graph.environments.find((item) => item.id === environmentId);
  const cell = graph.cells.find((item) => item.resourceId === resourceId && item.environmentId === environmentId);

  useEffect(() => {
    let live = true;
    void invoke('history:timeline', { resourceId, environmentId }).then((result) => {
      if (!live) return;
      setTimeline(result.ok ? { state: 'loaded', entries: result.value.entries } : { state: 'failed', message: result.error.message });
    });
    return () => {
      live = false;
    };
  }, [resourceId, environmentId]);

  if (!resource || !environment) return null;
  const links = linkedNames(resource, graph.resources);
  const linkedFrom = graph.resources.filter((item) => item.links.includes(resource.id)).map((item) => item.name);
  // "Copy data" from the previous environment of the chain, for a database both have; never into production.
  const chain = [...graph.environments].sort((a, b) => a.position - b.position);
  const previous = chain[chain.findIndex((item) => item.id === environment.id) - 1];
  const hasContainer = (environmentIdOf: string) => Boolean(graph.cells.find((item) => item.resourceId === resourceId && item.environmentId === environmentIdOf)?.container);
  const copyFrom = resource.kind === 'database' && !environment.production && previous && hasContainer(previous.id) && hasContainer(environment.id) ? previous : null;
  return (
    <Dialog open onClose={close} title={`${resource.name} in ${environment.name}`} wide>
      <div className="resource-detail" data-testid="resource-detail">
        <div className="row">
          <StatusBadge status={cell?.status ?? null} reason={cell?.reason ?? ''} />
          <span className="env-meta">
            {resource.kind}
            {resource.databaseType ? ` · ${resource.databaseType}` : ''}
            {resource.tags.length ? ` · tags: ${resource.tags.join(', ')}` : ''}
          </span>
        </div>
        {cell?.reason ? <p className="env-meta">{cell.reason}</p> : null}
        <h3>Links</h3>
        <p data-testid="detail-links">
          {links.length ? `Uses ${links.join(', ')}` : 'Uses no other resource'}
          {linkedFrom.length ? ` · used by ${linkedFrom.join(', ')}` : ''}
        </p>
        <h3>Scheduled tasks</h3>
        {resource.scheduledTasks.length ? (
          <ul className="plain-list" data-testid="detail-tasks">
            {resource.scheduledTasks.map((task) => (
              <li key={task.name}>
                <code>{task.schedule}</code> {task.name}: <code>{task.command}</code> <ScheduleWords schedule={task.schedule} />
              </li>
            ))}
          </ul>
        ) : (
          <p className="env-meta" data-testid="detail-tasks">
            No scheduled tasks.
          </p>
        )}
        <h3>Spec (secrets masked)</h3>
        {cell?.container ? (
          <pre className="spec-view" data-testid="detail-spec" tabIndex={0} aria-label={`Spec of ${resource.name} in ${environment.name} (secrets masked)`}>
            {JSON.stringify(cell.container.spec, null, 2)}
          </pre>
        ) : (
          <p className="env-meta">No container seen here yet: discover this environment to see its spec.</p>
        )}
        {resource.kind === 'database' && cell?.container ? <DatabaseCredentials environmentId={environment.id} resourceId={resource.id} resourceName={resource.name} env={cell.container.spec.env} /> : null}
        <h3>History</h3>
        {timeline.state === 'loading' ? <p className="env-meta">Loading history…</p> : null}
        <ErrorBanner message={timeline.state === 'failed' ? timeline.message : null} prefix="Could not load the history" />
        {timeline.state === 'loaded' && timeline.entries.length === 0 ? <p className="env-meta">No spec recorded here yet.</p> : null}
        {timeline.state === 'loaded' && timeline.entries.length ? (
          <ol className="detail-history" data-testid="detail-history">
            {timeline.entries.map((entry) => (
              <li key={entry.id}>
                {new Date(entry.at).toLocaleString()} · {entry.event} · <code>{entry.specHash.slice(0, 12)}</code>
                {entry.migrationId ? ` · migration ${entry.migrationId}` : ''}
              </li>
            ))}
          </ol>
        ) : null}
      </div>
      <DialogFooter>
        {copyFrom ? (
          <button type="button" className="secondary" onClick={() => open({ kind: 'copy-data', projectId: graph.project.id, resourceId, sourceEnvironmentId: copyFrom.id, targetEnvironmentId: environment.id, title: `Copy ${copyFrom.name}'s data into ${environment.name}'s ${resource.name}` })}>
            Copy data from {copyFrom.name}…
          </button>
        ) : null}
        {resource.kind === 'database' && environment.production && cell?.container ? <RotateCredentialsButton environment={environment} resource={resource} dependants={linkedFrom} /> : null}
        {environment.production && cell?.container ? <ChangeDomainButton environment={environment} resource={resource} /> : null}
        <button type="button" className="secondary" onClick={() => open({ kind: 'edit-resource', resourceId, environmentId })}>
          Edit links, tags and tasks
        </button>
        <button type="button" onClick={close}>
          Close
        </button>
      </DialogFooter>
    </Dialog>
  );
}
