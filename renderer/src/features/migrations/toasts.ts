/**
 * In-app toasts when a migration ends, each ending told once. (In the Electron app the main
 * process also shows a desktop notification: electron/app/desktop-notices.ts.)
 */
import { create } from 'zustand';
import type { MigrationSummary } from '@shared/migration/views';
import { finishNotice } from '@shared/migration/notice';

/** One toast on screen. */
export interface Toast {
  key: string;
  migrationId: string;
  title: string;
  body: string;
  tone: 'ok' | 'bad';
}

interface ToastsState {
  toasts: Toast[];
  push(toast: Toast): void;
  dismiss(key: string): void;
}

/** Toasts on screen, newest last. */
export const useToasts = create<ToastsState>((set) => ({
  toasts: [],
  push: (toast) => set((state) => (state.toasts.some((each) => each.key === toast.key) ? state : { toasts: [...state.toasts, toast].slice(-4) })),
  dismiss: (key) => set((state) => ({ toasts: state.toasts.filter((each) => each.key !== key) })),
}));

const told = new Set<string>();
const TOAST_OK_MS = 10_000;

/** Tells the operator that `migration` ended, once per migration and status; does nothing for other statuses. */
export function notifyFinished(migration: MigrationSummary): void {
  const notice = finishNotice(migration);
  const key = `${migration.id}:${migration.status}`;
  if (!notice || told.has(key)) return;
  told.add(key);
  useToasts.getState().push({ key, migrationId: migration.id, ...notice });
  // Good news goes away by itself; a failure stays until the operator dismisses it.
  if (notice.tone === 'ok') setTimeout(() => useToasts.getState().dismiss(key), TOAST_OK_MS);
}
