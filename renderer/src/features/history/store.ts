import { create } from 'zustand';
import type { MigrationStatus } from '@shared/migration/status';
import type { MigrationSummary } from '@shared/migration/views';
import { invoke } from '../../lib/api';

/** The History page's filters; empty strings mean "any". */
export interface HistoryFilters {
  projectId: string;
  environmentId: string;
  resourceId: string;
  status: MigrationStatus | '';
}

interface HistoryState {
  filters: HistoryFilters;
  migrations: MigrationSummary[];
  loaded: boolean;
  error: string | null;
  setFilters(change: Partial<HistoryFilters>): void;
  load(): Promise<void>;
}

let latestLoad = 0;

/** Every migration matching the filters (kept when the operator leaves the page and comes back). */
export const useHistory = create<HistoryState>((set, get) => ({
  filters: { projectId: '', environmentId: '', resourceId: '', status: '' },
  migrations: [],
  loaded: false,
  error: null,
  setFilters(change) {
    // A new project makes its environment and resource filters meaningless.
    const reset = change.projectId !== undefined && change.projectId !== get().filters.projectId ? { environmentId: '', resourceId: '' } : {};
    set({ filters: { ...get().filters, ...reset, ...change } });
    void get().load();
  },
  async load() {
    const mine = ++latestLoad;
    const { projectId, environmentId, resourceId, status } = get().filters;
    const result = await invoke('migrations:list', {
      limit: 1000,
      ...(projectId ? { projectId } : {}),
      ...(environmentId ? { environmentId } : {}),
      ...(resourceId ? { resourceId } : {}),
      ...(status ? { status } : {}),
    });
    if (mine !== latestLoad) return; // a newer filter's answer wins
    if (result.ok) set({ migrations: result.value.migrations, loaded: true, error: null });
    else set({ error: result.error.message, loaded: true });
  },
}));
