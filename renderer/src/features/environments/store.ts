import { useEffect } from 'react';
import { create } from 'zustand';
import type { InventoryGraph, ProjectSummary } from '@shared/inventory/model';
import type { ServerView } from '@shared/servers/server-schemas';
import { invoke } from '../../lib/api';

interface EnvironmentsState {
  projects: ProjectSummary[];
  servers: ServerView[];
  projectId: string | null;
  graph: InventoryGraph | null;
  loaded: boolean;
  error: string | null;
  discoveryJobId: string | null;
  load(): Promise<void>;
  select(projectId: string): Promise<void>;
  refreshGraph(): Promise<void>;
  /** Runs a change; on success reloads the graph and returns null, else returns the error message. */
  change(action: () => Promise<{ ok: true } | { ok: false; error: { message: string } }>): Promise<string | null>;
  discover(): Promise<void>;
}

/** Projects and the selected project's graph. */
export const useEnvironments = create<EnvironmentsState>((set, get) => ({
  projects: [],
  servers: [],
  projectId: null,
  graph: null,
  loaded: false,
  error: null,
  discoveryJobId: null,
  async load() {
    const [projects, servers] = await Promise.all([invoke('projects:list', {}), invoke('servers:list', {})]);
    if (!projects.ok) return set({ error: projects.error.message, loaded: true });
    const current = get().projectId;
    const projectId = projects.value.projects.some((p) => p.id === current) ? current : (projects.value.projects[0]?.id ?? null);
    set({ projects: projects.value.projects, servers: servers.ok ? servers.value.servers : [], projectId, error: null });
    await get().refreshGraph();
    set({ loaded: true });
  },
  async select(projectId) {
    set({ projectId, graph: null });
    await get().refreshGraph();
  },
  async refreshGraph() {
    const projectId = get().projectId;
    if (!projectId) return set({ graph: null });
    const result = await invoke('inventory:graph', { projectId });
    if (result.ok) set({ graph: result.value, error: null });
    else set({ error: result.error.message });
  },
  async change(action) {
    const result = await action();
    if (!result.ok) return result.error.message;
    await get().load();
    return null;
  },
  async discover() {
    const projectId = get().projectId;
    if (!projectId) return;
    const result = await invoke('inventory:discover', { projectId });
    if (result.ok) set({ discoveryJobId: result.value.jobId, error: null });
    else set({ error: result.error.message });
  },
}));

/** Loads projects and servers when the page is shown. */
export function useEnvironmentsLoad(): void {
  const load = useEnvironments((state) => state.load);
  useEffect(() => {
    void load();
  }, [load]);
}
