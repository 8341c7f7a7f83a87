import { useEffect } from 'react';
import { create } from 'zustand';
import type { ResponseOf } from '@shared/ipc/contract';
import { FACTORY_RUN_DEFAULTS, type RunDefaults, type SettingsView } from '@shared/settings/settings-view';
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

interface SettingsState {
  view: SettingsView | null;
  error: string | null;
  load(): Promise<void>;
  /** Stores new run defaults; returns null on success, else the error message. */
  saveDefaults(defaults: RunDefaults): Promise<string | null>;
}

/** The operator's settings: run defaults (the wizard starts from them), keychain status, data folder. */
export const useSettings = create<SettingsState>((set) => ({
  view: null,
  error: null,
  async load() {
    const result = await invoke('settings:get', {});
    if (result.ok) set({ view: result.value, error: null });
    else set({ error: result.error.message });
  },
  async saveDefaults(defaults) {
    const result = await invoke('settings:set-defaults', { defaults });
    if (!result.ok) return result.error.message;
    set({ view: result.value, error: null });
    return null;
  },
}));

/**
 * The run defaults a new migration, rollback or restore starts with: read once from the engine
 * (the factory values if that fails), null while they load.
 */
export function useRunDefaults(): RunDefaults | null {
  const view = useSettings((state) => state.view);
  const error = useSettings((state) => state.error);
  const load = useSettings((state) => state.load);
  useEffect(() => {
    if (!view && !error) void load();
  }, [view, error, load]);
  return view?.defaults ?? (error ? FACTORY_RUN_DEFAULTS : null);
}
