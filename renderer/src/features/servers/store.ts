import { useEffect } from 'react';
import { create } from 'zustand';
import type { ServerView, SshConfigHost } from '@shared/servers/server-schemas';
import { invoke, on } from '../../lib/api';

/** The dialog open on the Servers page (one at a time). */
export type ServersDialog =
  | { kind: 'none' }
  | { kind: 'edit'; serverId: string | null; prefill?: SshConfigHost }
  | { kind: 'import-ssh-config' }
  | { kind: 'repin'; serverId: string }
  | { kind: 'delete'; serverId: string };

interface ServersState {
  servers: ServerView[];
  loaded: boolean;
  error: string | null;
  dialog: ServersDialog;
  load(): Promise<void>;
  open(dialog: ServersDialog): void;
  close(): void;
}

/** The servers list (live through `servers:status`) and the page's open dialog. */
export const useServers = create<ServersState>((set) => ({
  servers: [],
  loaded: false,
  error: null,
  dialog: { kind: 'none' },
  async load() {
    const result = await invoke('servers:list', {});
    if (result.ok) set({ servers: result.value.servers, loaded: true, error: null });
    else set({ error: result.error.message, loaded: true });
  },
  open: (dialog) => set({ dialog }),
  close: () => set({ dialog: { kind: 'none' } }),
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
