import { useEffect, useState } from 'react';
import type { BackupRecord } from '@shared/migration/backups';
import { formatBytes } from '@shared/format-bytes';
import { FACTORY_RUN_DEFAULTS } from '@shared/settings/settings-view';
import { Dialog, DialogFooter } from '../../components/Dialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { TypedNameConfirm, typedNameOk } from '../../components/TypedNameConfirm';
import { invoke } from '../../lib/api';
import { formatTime } from '../migrations/migration-format';
import { useMigrations } from '../migrations/store';
import { useRunDefaults } from '../settings/store';

type Listed = { state: 'loading' } | { state: 'failed'; message: string } | { state: 'loaded'; backups: BackupRecord[]; unreadable: string[]; pinned: string[] };

/**
 * The verified backups of one database in one environment, as its server lists them (they live
 * there): size, time, SHA-256, the migration that took each, and whether a migration that can
 * still be rolled back made it. Each offers "Restore this backup", a journaled run that takes a
 * fresh backup first.
 */
export function BackupList({ environment, resource }: { environment: { id: string; name: string; production: boolean }; resource: { id: string; name: string } }) {
  const [listed, setListed] = useState<Listed>({ state: 'loading' });
  const [restoring, setRestoring] = useState<BackupRecord | null>(null);
  const openMigration = useMigrations((state) => state.openMigration);
  const migrations = useMigrations((state) => state.migrations);

  useEffect(() => {
    let live = true;
    void invoke('backups:list', { environmentId: environment.id, resourceId: resource.id }).then((result) => {
      if (live) setListed(result.ok ? { state: 'loaded', ...result.value } : { state: 'failed', message: result.error.message });
    });
    return () => {
      live = false;
    };
  }, [environment.id, resource.id]);

  if (listed.state === 'loading') return <p className="muted">Reading the backups on {environment.name}’s server…</p>;
  if (listed.state === 'failed') return <ErrorBanner message={listed.message} prefix="Could not list the backups" />;
  const runLabel = (migrationId: string) => {
    const run = migrations.find((each) => each.id === migrationId);
    return run ? `${run.sourceName && run.sourceName !== run.targetName ? `${run.sourceName} → ` : ''}${run.targetName}, ${formatTime(run.createdAt)}` : `Migration ${migrationId.slice(0, 8)}`;
  };
  return (
    <div className="backups" data-testid="backups" aria-label={`Backups of ${resource.name} in ${environment.name}`}>
      {listed.backups.length === 0 ? (
        <p className="muted">
          No backup of {resource.name} on {environment.name}’s server. {environment.production ? 'Gantry takes one before every production change of this database.' : 'Gantry takes backups before production changes only.'}
        </p>
      ) : (
        <table className="step-table backup-table" aria-label={`Backups of ${resource.name}`}>
          <thead>
            <tr>
              <th scope="col">Taken</th>
              <th scope="col">Size</th>
              <th scope="col">SHA-256</th>
              <th scope="col">Made by</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {listed.backups.map((backup) => {
              const pinned = listed.pinned.includes(backup.id);
              return (
                <tr key={backup.id} data-testid="backup-row" data-backup-id={backup.id} data-pinned={pinned ? 'true' : 'false'}>
                  <td>
                    {formatTime(backup.takenAt)}
                    <div className="muted small-text">Verified: {backup.verified}</div>
                  </td>
                  <td>{formatBytes(backup.sizeBytes)}</td>
                  <td>
                    <code title={`SHA-256 ${backup.sha256}`}>{backup.sha256.slice(0, 12)}</code>
                  </td>
                  <td>
                    <button type="button" className="link" onClick={() => openMigration(backup.migrationId)}>
                      {runLabel(backup.migrationId)}
                    </button>
                    {pinned ? (
                      <div>
                        <span className="badge" title="The migration that took it can still be rolled back; retention keeps this backup.">
                          pinned for rollback
                        </span>
                      </div>
                    ) : null}
                  </td>
                  <td>
                    <button type="button" className="secondary small" onClick={() => setRestoring(backup)}>
                      Restore this backup
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {listed.unreadable.length ? <p className="banner warning">Gantry cannot read the record of {listed.unreadable.length === 1 ? 'one backup' : `${listed.unreadable.length} backups`} on the server: {listed.unreadable.join(', ')}. Check those files by hand.</p> : null}
      {restoring ? <RestoreBackupDialog backup={restoring} environment={environment} resourceName={resource.name} onClose={() => setRestoring(null)} onStarted={openMigration} /> : null}
    </div>
  );
}

/** The confirm of "Restore this backup": names the environment, and into production asks for its name. */
function RestoreBackupDialog({ backup, environment, resourceName, onClose, onStarted }: { backup: BackupRecord; environment: { id: string; name: string; production: boolean }; resourceName: string; onClose: () => void; onStarted: (migrationId: string) => void }) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const runDefaults = useRunDefaults() ?? FACTORY_RUN_DEFAULTS;
  const ok = typedNameOk(environment.production, environment.name, typed);

  async function restore() {
    if (!ok) return;
    setBusy(true);
    setError(null);
    const result = await invoke('backups:restore', { environmentId: environment.id, resourceId: backup.resourceId, backupId: backup.id, options: { waitForReady: true, healthTimeoutSec: runDefaults.healthTimeoutSec } });
    setBusy(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    onClose();
    onStarted(result.value.migrationId);
  }

  return (
    <Dialog open onClose={onClose} tone="danger" title={`Restore ${resourceName} in ${environment.name} from this backup?`} description={`${resourceName}’s data in ${environment.name} is replaced by the backup taken ${formatTime(backup.takenAt)} (${formatBytes(backup.sizeBytes)}, SHA-256 ${backup.sha256.slice(0, 12)}). Everything written to it since then is replaced.`}>
      <ul className="plain-list">
        <li>First Gantry takes a fresh verified backup of what is there now, so this restore can itself be undone (restore that backup).</li>
        <li>The file’s SHA-256 is checked before anything changes; a changed file is refused.</li>
        <li>The restore is recorded as a migration of its own; you follow it on its page.</li>
      </ul>
      <TypedNameConfirm production={environment.production} environmentName={environment.name} what={`${resourceName}’s data there is replaced by this backup.`} typed={typed} onTyped={setTyped} />
      <ErrorBanner message={error} />
      <DialogFooter status={environment.production && !ok ? <span className="muted">Type {environment.name} to enable the restore.</span> : null}>
        <button type="button" className="secondary" autoFocus={!environment.production} onClick={onClose}>
          Keep the current data
        </button>
        <button type="button" className="danger" disabled={busy || !ok} onClick={() => void restore()}>
          Restore this backup
        </button>
      </DialogFooter>
    </Dialog>
  );
}
