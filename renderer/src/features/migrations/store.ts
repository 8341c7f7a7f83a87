import { useEffect } from 'react';
import { create } from 'zustand';
import type { MigrationSummary } from '@shared/migration/views';
import { invoke, on } from '../../lib/api';
import { useNavigation } from '../shell/navigation';
import { migrationHash, migrationIdFromHash } from './migration-format';
import { notifyFinished } from './toasts';

interface MigrationsState {
  migrations: MigrationSummary[];
  loaded: boolean;
  error: string | null;
  /** The migration whose detail page shows (mirrored in `#/migrations/<id>`), or null for the list. */
  openId: string | null;
  load(): Promise<void>;
  upsert(migration: MigrationSummary): void;
  /** Shows one migration's detail page (from anywhere in the app). */
  openMigration(migrationId: string): void;
  /** Back to the list. */
  closeMigration(): void;
  /** Re-reads the route from the address (when the section is shown again). */
  syncFromHash(): void;
}

/** The recent migrations (live through `migrations:changed`) and which one is open. */
export const useMigrations = create<MigrationsState>((set) => ({
  migrations: [],
  loaded: false,
  error: null,
  openId: migrationIdFromHash(window.location.hash),
  async load() {
    const result = await invoke('migrations:list', { limit: 200 });
    if (result.ok) set({ migrations: result.value.migrations, loaded: true, error: null });
    else set({ error: result.error.message, loaded: true });
  },
  upsert(migration) {
    set((state) => {
      const others = state.migrations.filter((each) => each.id !== migration.id);
      return { migrations: [migration, ...others].sort((a, b) => b.createdAt - a.createdAt) };
    });
  },
  openMigration(migrationId) {
    useNavigation.getState().go('migrations');
    window.history.replaceState(null, '', migrationHash(migrationId));
    set({ openId: migrationId });
  },
  closeMigration() {
    window.history.replaceState(null, '', '#/migrations');
    set({ openId: null });
  },
  syncFromHash() {
    set({ openId: migrationIdFromHash(window.location.hash) });
  },
}));

// The shell writes `#/<section>` when the operator picks a section, even the one already shown:
// re-reading the route then makes "Migrations" in the navigation lead back to the list.
useNavigation.subscribe(() => useMigrations.getState().syncFromHash());

/**
 * Keeps the migrations list current and tells the operator when one ends (a toast, plus a desktop
 * notification where the platform allows it). Mount once, for the life of the app.
 */
export function useMigrationsLive(): void {
  const load = useMigrations((state) => state.load);
  const upsert = useMigrations((state) => state.upsert);
  useEffect(() => {
    void load();
    return on('migrations:changed', ({ migration }) => {
      upsert(migration);
      notifyFinished(migration);
    });
  }, [load, upsert]);
}
