import { useEffect } from 'react';
import { create } from 'zustand';
import type { InventoryGraph, ProjectSummary } from '@shared/inventory/model';
import type { ServerView } from '@shared/servers/server-schemas';
import { isTerminalStatus } from '@shared/migration/status';
import type { MigrationSummary } from '@shared/migration/views';
import { invoke, on } from '../../lib/api';

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
  /** Re-reads the servers of a project after a run there ended (discovery, then the graph). */
  rediscover(projectId: string): Promise<void>;
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
  async rediscover(projectId) {
    const result = await invoke('inventory:discover', { projectId });
    // The page follows the job (and reloads the graph when it ends) only for the project it shows.
    if (result.ok && get().projectId === projectId) set({ discoveryJobId: result.value.jobId });
  },
}));

/** Loads projects and servers when the page is shown. */
export function useEnvironmentsLoad(): void {
  const load = useEnvironments((state) => state.load);
  useEffect(() => {
    void load();
  }, [load]);
}

const RUN_SETTLE_MS = 400;

/**
 * Keeps the graph true to what runs did: when a migration, rollback or restore ends, the servers
 * of its project are discovered again (once per burst: a rollback ends itself and marks the run
 * it undid). Mount once, for the life of the app.
 */
export function useGraphFollowsRuns(): void {
  useEffect(() => {
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    const ended = (migration: MigrationSummary) => {
      const projectId = migration.projectId;
      if (!projectId || !isTerminalStatus(migration.status)) return;
      clearTimeout(timers.get(projectId));
      timers.set(
        projectId,
        setTimeout(() => {
          timers.delete(projectId);
          void useEnvironments.getState().rediscover(projectId);
        }, RUN_SETTLE_MS),
      );
    };
    const off = on('migrations:changed', ({ migration }) => ended(migration));
    return () => {
      off();
      for (const timer of timers.values()) clearTimeout(timer);
    };
  }, []);
}

/**
 * When each environment last had a run end (newest `endedAt` of the runs that targeted it), so a
 * cell can say that what it shows was seen before that run.
 */
export function lastRunEnds(migrations: readonly MigrationSummary[]): Map<string, number> {
  const ends = new Map<string, number>();
  for (const migration of migrations) {
    if (migration.endedAt === null || !isTerminalStatus(migration.status)) continue;
    ends.set(migration.targetEnvironmentId, Math.max(ends.get(migration.targetEnvironmentId) ?? 0, migration.endedAt));
  }
  return ends;
}
