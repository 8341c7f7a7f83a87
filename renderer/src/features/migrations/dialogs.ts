/**
 * The dialogs of the migrations feature, as one discriminated union (STYLE.md §6). Other features
 * open the wizard through `openMigrateWizard` and never render it themselves.
 */
import { create } from 'zustand';

/** Where the migrate wizard starts: a project and source environment chosen by the opener, or nothing (the wizard asks). */
export interface MigrateWizardStart {
  projectId?: string;
  sourceEnvironmentId?: string;
  /** Resources to preselect (e.g. the one the operator right-clicked in the graph). */
  resourceIds?: string[];
}

/** The dialog open in the migrations feature. */
export type MigrationDialog = { kind: 'none' } | ({ kind: 'migrate' } & MigrateWizardStart) | { kind: 'rollback'; migrationId: string };

interface DialogsState {
  dialog: MigrationDialog;
  open(dialog: MigrationDialog): void;
  close(): void;
}

/** The one open dialog of the migrations feature. */
export const useMigrationDialogs = create<DialogsState>((set) => ({
  dialog: { kind: 'none' },
  open: (dialog) => set({ dialog }),
  close: () => set({ dialog: { kind: 'none' } }),
}));

/** Opens the migrate wizard; with a project and source environment it starts at the resources. */
export function openMigrateWizard(start: MigrateWizardStart = {}): void {
  useMigrationDialogs.getState().open({ kind: 'migrate', ...start });
}
