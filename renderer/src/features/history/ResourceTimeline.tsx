import { useEffect, useState } from 'react';
import type { HistoryDiff, HistoryEntry } from '@shared/history/views';
import { Dialog, DialogFooter } from '../../components/Dialog';
import { invoke } from '../../lib/api';
import type { MigrationSummary } from '@shared/migration/views';
import { maintenanceTitle } from '../migrations/maintenance-title';
import { formatTime } from '../migrations/migration-format';
import { SecretsNote } from '../migrations/PlanReview';
import { SpecDiff } from '../migrations/SpecDiff';
import { useMigrations } from '../migrations/store';
import { ErrorBanner } from '../../components/ErrorBanner';
import { FACTORY_RUN_DEFAULTS } from '@shared/settings/settings-view';
import { useRunDefaults } from '../settings/store';

const eventLabels: Record<string, string> = { adopted: 'Adopted', migrated: 'Migrated', rolled_back: 'Rolled back', accepted_drift: 'Accepted drift' };

/** One resource's recorded specs in one environment: pick two to compare, or restore an earlier one. */
export function ResourceTimeline({ resourceId, environmentId, title }: { resourceId: string; environmentId: string; title: string }) {
  const openMigration = useMigrations((state) => state.openMigration);
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [picked, setPicked] = useState<number[]>([]);
  const [diff, setDiff] = useState<HistoryDiff | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [restoring, setRestoring] = useState<HistoryEntry | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    void invoke('history:timeline', { resourceId, environmentId }).then((result) => {
      if (!live) return;
      if (result.ok) setEntries(result.value.entries);
      else setError(result.error.message);
    });
    return () => {
      live = false;
    };
  }, [resourceId, environmentId]);

  function toggle(id: number) {
    setDiff(null);
    // Keep the two most recent picks: picking a third replaces the oldest pick.
    setPicked((current) => (current.includes(id) ? current.filter((each) => each !== id) : [...current, id].slice(-2)));
  }

  async function compare() {
    const [a, b] = picked;
    if (a === undefined || b === undefined) return;
    setError(null);
    const result = await invoke('history:diff', { fromId: a, toId: b });
    if (result.ok) setDiff(result.value);
    else setError(result.error.message);
  }

  const runDefaults = useRunDefaults();
  async function restore(entry: HistoryEntry) {
    if (!entry.restoreFrom) return;
    setBusy(true);
    const result = await invoke('migrations:restore', { ...entry.restoreFrom, options: { waitForReady: true, ...(runDefaults ?? FACTORY_RUN_DEFAULTS) } });
    setBusy(false);
    setRestoring(null);
    if (result.ok) openMigration(result.value.migrationId);
    else setError(result.error.message);
  }

  const migrations = useMigrations((state) => state.migrations);
  if (!entries) return error ? <ErrorBanner message={error} /> : <p className="muted">Loading the timeline…</p>;
  if (entries.length === 0) return <p className="muted">Gantry has recorded nothing for {title} yet: adopt it or migrate it there first.</p>;
  return (
    <div className="timeline" data-testid="timeline" aria-label={`Timeline of ${title}`}>
      <ol className="timeline-list">
        {entries.map((entry, index) => (
          <li key={entry.id} className="timeline-entry" data-testid="timeline-entry" data-event={entry.event}>
            <label className="inline-check">
              <input type="checkbox" checked={picked.includes(entry.id)} onChange={() => toggle(entry.id)} aria-label={`Compare the spec of ${formatTime(entry.at)}`} />
              <span className="timeline-time">{formatTime(entry.at)}</span>
            </label>
            <span className="timeline-event" title={`Spec hash ${entry.specHash}`}>
              {eventLabels[entry.event] ?? entry.event}
              {index === 0 ? <span className="badge">current</span> : null}
            </span>
            <span>
              {entry.migrationId ? (
                <button type="button" className="link" onClick={() => openMigration(entry.migrationId!)}>
                  {runName(migrations.find((each) => each.id === entry.migrationId), entry.at)}
                </button>
              ) : null}
            </span>
            <span>
              {entry.restoreFrom ? (
                <button type="button" className="secondary small" onClick={() => setRestoring(entry)}>
                  Restore this snapshot
                </button>
              ) : null}
            </span>
          </li>
        ))}
      </ol>
      <div className="row">
        <button type="button" className="secondary" disabled={picked.length !== 2} onClick={() => void compare()}>
          Compare the two picked
        </button>
        <span className="muted">{picked.length === 2 ? 'Older on the left.' : 'Pick two entries to compare.'}</span>
      </div>
      <ErrorBanner message={error} />
      {diff ? (
        <div className="timeline-diff">
          <p>
            <code>{diff.from.specHash.slice(0, 12)}</code> ({formatTime(diff.from.at)}) → <code>{diff.to.specHash.slice(0, 12)}</code> ({formatTime(diff.to.at)})
          </p>
          <SecretsNote />
          <SpecDiff unified={diff.unified} label="Diff of the two picked specs" />
        </div>
      ) : null}
      {restoring ? (
        <Dialog open onClose={() => setRestoring(null)} tone="danger" title="Restore this snapshot?" description={`${title} goes back to the spec recorded ${formatTime(restoring.at)} (hash ${restoring.specHash.slice(0, 12)}), from the snapshot the migration that replaced it kept on the server. Only ${title} changes; the restore is recorded as a migration of its own.`}>
          <DialogFooter>
            <button type="button" className="secondary" autoFocus onClick={() => setRestoring(null)}>
              Keep the current spec
            </button>
            <button type="button" className="danger" disabled={busy} onClick={() => void restore(restoring)}>
              Restore
            </button>
          </DialogFooter>
        </Dialog>
      ) : null}
    </div>
  );
}

/** The words of a link to the run that recorded an entry: what it was, not "migration" three times. */
function runName(migration: MigrationSummary | undefined, at: number): string {
  if (!migration) return `The run of ${formatTime(at)}`;
  const maintenance = maintenanceTitle({ ...migration, plan: null });
  if (maintenance) return maintenance;
  if (migration.kind === 'rollback') return `${migration.resources.some((resource) => resource.mode === 'restore') ? 'Restore' : 'Rollback'} of ${migration.targetName}`;
  return `Migration ${migration.sourceName ?? '?'} → ${migration.targetName}`;
}
