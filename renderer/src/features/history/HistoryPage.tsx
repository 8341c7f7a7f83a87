import { useEffect, useState } from 'react';
import type { InventoryGraph, ProjectSummary } from '@shared/inventory/model';
import { migrationStatus } from '@shared/migration/status';
import { EmptyState } from '../../components/EmptyState';
import { invoke } from '../../lib/api';
import { MigrationList } from '../migrations/MigrationList';
import { statusLabels } from '../migrations/migration-format';
import { useHistory } from './store';
import { ResourceTimeline } from './ResourceTimeline';
import { BackupList } from './BackupList';
import { ApprovalTrail } from '../approvals/ApprovalTrail';
import './history.css';
import { ErrorBanner } from '../../components/ErrorBanner';

/** The History section: every migration, filterable, and a resource's spec timeline with diffs and restore. */
export function HistoryPage() {
  const filters = useHistory((state) => state.filters);
  const migrations = useHistory((state) => state.migrations);
  const loaded = useHistory((state) => state.loaded);
  const error = useHistory((state) => state.error);
  const setFilters = useHistory((state) => state.setFilters);
  const load = useHistory((state) => state.load);
  const [projects, setProjects] = useState<ProjectSummary[]>([]);
  const [graph, setGraph] = useState<InventoryGraph | null>(null);

  useEffect(() => {
    void load();
    void invoke('projects:list', {}).then((result) => result.ok && setProjects(result.value.projects));
  }, [load]);

  useEffect(() => {
    if (!filters.projectId) return;
    let live = true;
    void invoke('inventory:graph', { projectId: filters.projectId }).then((result) => live && result.ok && setGraph(result.value));
    return () => {
      live = false;
    };
  }, [filters.projectId]);

  const projectGraph = filters.projectId && graph?.project.id === filters.projectId ? graph : null;
  const nothingYet = loaded && migrations.length === 0 && !filters.projectId && !filters.status;
  return (
    <section className="page" aria-labelledby="history-title" data-history-loaded={loaded ? 'true' : 'false'}>
      <h1 id="history-title">History</h1>
      {nothingYet ? (
        <EmptyState title="Nothing has happened yet">
          <p>Every migration and rollback is recorded here, with the spec hash it left behind on each resource. Run your first migration from Migrations › New migration; pick a resource here afterwards to see its timeline, compare any two versions, or restore one.</p>
        </EmptyState>
      ) : (
        <>
          <div className="history-filters" role="group" aria-label="Filters">
            <label>
              Project
              <select value={filters.projectId} onChange={(event) => setFilters({ projectId: event.target.value })}>
                <option value="">Any project</option>
                {projects.map((project) => (
                  <option key={project.id} value={project.id}>
                    {project.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Environment
              <select value={filters.environmentId} disabled={!projectGraph} onChange={(event) => setFilters({ environmentId: event.target.value })}>
                <option value="">Any environment</option>
                {(projectGraph?.environments ?? []).map((environment) => (
                  <option key={environment.id} value={environment.id}>
                    {environment.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Resource
              <select value={filters.resourceId} disabled={!projectGraph} onChange={(event) => setFilters({ resourceId: event.target.value })}>
                <option value="">Any resource</option>
                {(projectGraph?.resources ?? []).map((resource) => (
                  <option key={resource.id} value={resource.id}>
                    {resource.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Status
              <select value={filters.status} onChange={(event) => setFilters({ status: event.target.value as typeof filters.status })}>
                <option value="">Any status</option>
                {migrationStatus.options.map((status) => (
                  <option key={status} value={status}>
                    {statusLabels[status]}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <ErrorBanner message={error} />
          {loaded && migrations.length === 0 ? <p className="muted">No migration matches these filters.</p> : <MigrationList migrations={migrations} label="Migration history" />}
          <h2>Spec timeline</h2>
          {projectGraph && filters.resourceId && filters.environmentId ? (
            <ResourceTimeline
              key={`${filters.resourceId}:${filters.environmentId}`}
              resourceId={filters.resourceId}
              environmentId={filters.environmentId}
              title={`${projectGraph.resources.find((resource) => resource.id === filters.resourceId)?.name ?? ''} in ${projectGraph.environments.find((environment) => environment.id === filters.environmentId)?.name ?? ''}`}
            />
          ) : (
            <p className="muted">Choose a project, an environment and a resource above to see every spec Gantry recorded for it, compare any two, and restore an earlier one.</p>
          )}
          {projectGraph && filters.environmentId && projectGraph.resources.find((resource) => resource.id === filters.resourceId)?.kind === 'database' ? (
            <>
              <h2>Backups</h2>
              <BackupList key={`${filters.resourceId}:${filters.environmentId}`} environment={projectGraph.environments.find((environment) => environment.id === filters.environmentId)!} resource={projectGraph.resources.find((resource) => resource.id === filters.resourceId)!} />
            </>
          ) : null}
        </>
      )}
      <ApprovalTrail />
    </section>
  );
}
