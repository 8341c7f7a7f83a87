import { useEffect } from 'react';
import { create } from 'zustand';
import type { ServerView } from '@shared/servers/server-schemas';
import { invoke, on } from '../../lib/api';
import { useDialogs, type AppDialog } from '../shell/dialogs';

interface ServersState {
  servers: ServerView[];
  loaded: boolean;
  error: string | null;
  load(): Promise<void>;
  /** Opens a dialog of the app's one dialogs store (`useDialogs`). */
  open(dialog: AppDialog): void;
  /** Closes the open dialog. */
  close(): void;
}

/** The servers list (live through `servers:status`). */
export const useServers = create<ServersState>((set) => ({
  servers: [],
  loaded: false,
  error: null,
  async load() {
    const result = await invoke('servers:list', {});
    if (result.ok) set({ servers: result.value.servers, loaded: true, error: null });
    else set({ error: result.error.message, loaded: true });
  },
  open: (dialog) => useDialogs.getState().open(dialog),
  close: () => useDialogs.getState().close(),
}));

/** Loads the list and keeps it current while the page is shown. */
export function useServersLive(): void {
  const load = useServers((state) => state.load);
  useEffect(() => {
    void load();
    const unsubscribe = on('servers:status', () => void load());
    return unsubscribe;
  }, [load]);
}
