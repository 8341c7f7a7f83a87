import { useEffect, useState } from 'react';
import type { InventoryGraph, ProjectSummary } from '@shared/inventory/model';
import { invoke } from '../../lib/api';

/** The projects to choose from and the chosen project's graph (chain, resources, cells), as the wizard needs them. */
export function useWizardData(projectId: string | null): { projects: ProjectSummary[] | null; graph: InventoryGraph | null; error: string | null } {
  const [projects, setProjects] = useState<ProjectSummary[] | null>(null);
  const [graph, setGraph] = useState<InventoryGraph | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void invoke('projects:list', {}).then((result) => {
      if (!live) return;
      if (result.ok) setProjects(result.value.projects);
      else setError(result.error.message);
    });
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (!projectId) return;
    let live = true;
    void invoke('inventory:graph', { projectId }).then((result) => {
      if (!live) return;
      if (result.ok) {
        setGraph(result.value);
        setError(null);
      } else setError(result.error.message);
    });
    return () => {
      live = false;
      setGraph(null);
    };
  }, [projectId]);

  return { projects, graph, error };
}
