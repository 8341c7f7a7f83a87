import { useRunDefaults } from '../settings/store';
import { useDialogs } from '../shell/dialogs';
import { MigrateWizard } from './MigrateWizard';
import { useMigrations, useMigrationsLive } from './store';
import { useToasts } from './toasts';
import './migrations.css';

/**
 * What the migrations feature shows over any page: the migrate wizard (opened by
 * `openMigrateWizard` from anywhere) and the toasts that tell when a migration ended. The shell
 * mounts it once, for the life of the app.
 */
export function MigrationOverlays() {
  useMigrationsLive();
  const dialog = useDialogs((state) => state.dialog);
  const defaults = useRunDefaults();
  const { projectId, sourceEnvironmentId, resourceIds } = dialog.kind === 'migrate' ? dialog : {};
  return (
    <>
      {dialog.kind === 'migrate' && defaults ? <MigrateWizard key={`${projectId}:${sourceEnvironmentId}`} start={{ projectId, sourceEnvironmentId, resourceIds }} defaults={defaults} /> : null}
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
