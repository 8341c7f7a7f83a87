/**
 * The open dialog, for the whole app: one discriminated union in one small store (STYLE.md §6).
 * At most one dialog is open at a time; opening another replaces it.
 */
import { create } from 'zustand';
import type { SshConfigHost } from '@shared/servers/server-schemas';

/** Where the migrate wizard starts: a project and source environment chosen by the opener, or nothing (the wizard asks). */
export interface MigrateWizardStart {
  projectId?: string;
  sourceEnvironmentId?: string;
  /** Resources to preselect (e.g. the one the operator picked in the graph). */
  resourceIds?: string[];
}

/** Every dialog the app can show. */
export type AppDialog =
  | { kind: 'none' }
  // environments
  | { kind: 'new-project' }
  | { kind: 'add-environment' }
  | { kind: 'adopt'; environmentId: string; containerName: string }
  | { kind: 'detail'; resourceId: string; environmentId: string }
  | { kind: 'edit-resource'; resourceId: string; environmentId: string }
  | { kind: 'copy-data'; projectId: string; resourceId: string; sourceEnvironmentId: string; targetEnvironmentId: string; title: string }
  // servers
  | { kind: 'edit'; serverId: string | null; prefill?: SshConfigHost }
  | { kind: 'import-ssh-config' }
  | { kind: 'repin'; serverId: string }
  | { kind: 'delete'; serverId: string }
  // migrations
  | ({ kind: 'migrate' } & MigrateWizardStart);

interface DialogsState {
  dialog: AppDialog;
  open(dialog: AppDialog): void;
  close(): void;
}

/** The one open dialog. */
export const useDialogs = create<DialogsState>((set) => ({
  dialog: { kind: 'none' },
  open: (dialog) => set({ dialog }),
  close: () => set({ dialog: { kind: 'none' } }),
}));

/** Opens the migrate wizard; with a project and source environment it starts at the resources. */
export function openMigrateWizard(start: MigrateWizardStart = {}): void {
  useDialogs.getState().open({ kind: 'migrate', ...start });
}
