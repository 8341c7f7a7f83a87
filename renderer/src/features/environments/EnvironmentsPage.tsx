import { useEffect } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { useJobs } from '../jobs/store';
import { AdoptDialog } from './AdoptDialog';
import { EnvironmentGraph } from './EnvironmentGraph';
import { AddEnvironmentDialog, NewProjectDialog } from './ProjectDialogs';
import { CopyDataDialog } from './CopyDataDialog';
import { ResourceDetail } from './ResourceDetail';
import { ResourceEditDialog } from './ResourceEditDialog';
import { useEnvironments, useEnvironmentsLoad } from './store';
import './environments.css';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useDialogs } from '../shell/dialogs';

/** The Environments section: a project's chain, its resources and their status in each environment. */
export function EnvironmentsPage() {
  useEnvironmentsLoad();
  const projects = useEnvironments((state) => state.projects);
  const projectId = useEnvironments((state) => state.projectId);
  const graph = useEnvironments((state) => state.graph);
  const loaded = useEnvironments((state) => state.loaded);
  const error = useEnvironments((state) => state.error);
  const dialog = useDialogs((state) => state.dialog);
  const open = useDialogs((state) => state.open);
  const select = useEnvironments((state) => state.select);
  const discover = useEnvironments((state) => state.discover);
  const refreshGraph = useEnvironments((state) => state.refreshGraph);
  const jobId = useEnvironments((state) => state.discoveryJobId);
  const job = useJobs((state) => (jobId ? state.jobs[jobId] : undefined));
  const jobState = job?.state;

  // Any finished discovery changes statuses (this page's own, or the engine's background refresh
  // of results kept from before a restart): reload the graph once one ends.
  const discoveriesEnded = useJobs((state) => Object.values(state.jobs).filter((each) => each.kind === 'discovery' && each.state !== 'running').length);
  useEffect(() => {
    if ((jobState && jobState !== 'running') || discoveriesEnded > 0) void refreshGraph();
  }, [jobState, discoveriesEnded, refreshGraph]);

  const bound = graph?.environments.some((environment) => environment.serverId) ?? false;
  return (
    <section className="page" aria-labelledby="environments-title" data-environments-loaded={loaded ? 'true' : 'false'}>
      <div className="page-header">
        <h1 id="environments-title">Environments</h1>
        <div className="row">
          {projects.length ? (
            <select aria-label="Project" value={projectId ?? ''} onChange={(event) => void select(event.target.value)}>
              {projects.map((project) => (
                <option key={project.id} value={project.id}>
                  {project.name}
                </option>
              ))}
            </select>
          ) : null}
          <button type="button" className="secondary" onClick={() => open({ kind: 'new-project' })}>
            New project
          </button>
          {graph ? (
            <>
              <button type="button" className="secondary" onClick={() => open({ kind: 'add-environment' })}>
                Add environment
              </button>
              <button type="button" onClick={() => void discover()} disabled={!bound || job?.state === 'running'} title={bound ? undefined : 'Bind an environment to a server first'}>
                {job?.state === 'running' ? `Discovering… ${Math.round(job.percent)}%` : 'Discover containers'}
              </button>
            </>
          ) : null}
        </div>
      </div>
      <ErrorBanner message={error} testId="environments-error" />
      <ErrorBanner message={job?.state === 'failed' ? job.error : null} prefix="Discovery failed" />
      {loaded && projects.length === 0 ? (
        <EmptyState title="No environments yet" action={<button type="button" onClick={() => open({ kind: 'new-project' })}>Create a project</button>}>
          <p>Environments are your chain — dev → uat → production — each bound to a server. Create a project and its chain here, then bind each environment to a server (servers are added under Servers).</p>
        </EmptyState>
      ) : null}
      {graph ? <EnvironmentGraph graph={graph} /> : null}
      {graph && graph.resources.length === 0 ? (
        <p className="env-meta">No resources yet: bind each environment to a server, discover its containers, then adopt them.</p>
      ) : null}
      {dialog.kind === 'new-project' ? <NewProjectDialog /> : null}
      {dialog.kind === 'add-environment' ? <AddEnvironmentDialog /> : null}
      {dialog.kind === 'detail' && graph ? <ResourceDetail graph={graph} resourceId={dialog.resourceId} environmentId={dialog.environmentId} /> : null}
      {dialog.kind === 'edit-resource' && graph ? <ResourceEditDialog graph={graph} resourceId={dialog.resourceId} environmentId={dialog.environmentId} /> : null}
      {dialog.kind === 'copy-data' ? <CopyDataDialog projectId={dialog.projectId} resourceId={dialog.resourceId} sourceEnvironmentId={dialog.sourceEnvironmentId} targetEnvironmentId={dialog.targetEnvironmentId} title={dialog.title} /> : null}
      {dialog.kind === 'adopt' ? <AdoptDialog environmentId={dialog.environmentId} containerName={dialog.containerName} /> : null}
    </section>
  );
}
