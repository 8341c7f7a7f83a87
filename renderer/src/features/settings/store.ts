import { create } from 'zustand';
import type { ResponseOf } from '@shared/ipc/contract';
import { invoke } from '../../lib/api';

type AppInfo = ResponseOf<'app:info'>;

interface AppInfoState {
  info: AppInfo | null;
  error: string | null;
  load(): Promise<void>;
}

/** What the engine says about itself (version, data folder, bridge kind). */
export const useAppInfo = create<AppInfoState>((set) => ({
  info: null,
  error: null,
  async load() {
    const result = await invoke('app:info', {});
    if (result.ok) set({ info: result.value, error: null });
    else set({ error: result.error.message });
  },
}));
