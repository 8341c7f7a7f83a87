import { useEffect, useState } from 'react';
import { create } from 'zustand';
import { MigrateWizard } from './MigrateWizard';
import { useMigrationDialogs } from './dialogs';
import { useMigrations, useMigrationsLive } from './store';
import { useToasts } from './toasts';
import './migrations.css';

const useOverlayHosts = create<{ ids: number[] }>(() => ({ ids: [] }));
let nextHostId = 1;

/**
 * What the migrations feature shows over any page: the open dialog (the migrate wizard, opened by
 * `openMigrateWizard` from anywhere) and the toasts that tell when a migration ended. Safe to
 * mount in several places (the shell and the sections): only the first mounted one shows.
 */
export function MigrationOverlays() {
  const [id] = useState(() => nextHostId++);
  useEffect(() => {
    useOverlayHosts.setState((state) => ({ ids: [...state.ids, id] }));
    return () => useOverlayHosts.setState((state) => ({ ids: state.ids.filter((each) => each !== id) }));
  }, [id]);
  const primary = useOverlayHosts((state) => state.ids[0] === id);
  return primary ? <OverlayContent /> : null;
}

function OverlayContent() {
  useMigrationsLive();
  const dialog = useMigrationDialogs((state) => state.dialog);
  const { projectId, sourceEnvironmentId, resourceIds } = dialog.kind === 'migrate' ? dialog : {};
  return (
    <>
      {dialog.kind === 'migrate' ? <MigrateWizard key={`${projectId}:${sourceEnvironmentId}`} start={{ projectId, sourceEnvironmentId, resourceIds }} /> : null}
      <Toasts />
    </>
  );
}

function Toasts() {
  const toasts = useToasts((state) => state.toasts);
  const dismiss = useToasts((state) => state.dismiss);
  const openMigration = useMigrations((state) => state.openMigration);
  if (toasts.length === 0) return null;
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.key} className={`toast toast-${toast.tone}`} data-testid="toast">
          <strong>{toast.title}</strong>
          <span>{toast.body}</span>
          <div className="row">
            <button type="button" className="link" onClick={() => (openMigration(toast.migrationId), dismiss(toast.key))}>
              Open
            </button>
            <button type="button" className="link" onClick={() => dismiss(toast.key)} aria-label={`Dismiss: ${toast.title}`}>
              Dismiss
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
