import { useEffect, useRef, useState } from 'react';
import type { MigrationDetail } from '@shared/migration/views';
import { isTerminalStatus } from '@shared/migration/status';
import { Dialog, DialogFooter } from '../../components/Dialog';
import { invoke } from '../../lib/api';
import { useJobs } from '../jobs/store';
import { formatDuration, formatTime, statusLabels, statusTone, stepDuration } from './migration-format';
import { useMigrations } from './store';
import { useMigrationDetail } from './use-migration-detail';
import { BatchResources, isBatch } from './BatchResources';
import { ProductionFollowUp } from './ProductionFollowUp';
import { maintenanceTitle } from './maintenance-title';
import { ApprovalTrail } from '../approvals/ApprovalTrail';
import { ErrorBanner } from '../../components/ErrorBanner';
import { FACTORY_RUN_DEFAULTS } from '@shared/settings/settings-view';
import { useRunDefaults } from '../settings/store';

const modeLabels = { clone: 'New (clone)', promote: 'Update (promote)', unchanged: 'Unchanged', restore: 'Restore' } as const;

/** One migration: status, mode per resource, live progress, steps with their times, the log, cancel and roll back. */
export function MigrationDetailView({ migrationId }: { migrationId: string }) {
  const { detail, error, reload } = useMigrationDetail(migrationId);
  const closeMigration = useMigrations((state) => state.closeMigration);
  const openMigration = useMigrations((state) => state.openMigration);
  const job = useJobs((state) => (detail?.migration.jobId ? state.jobs[detail.migration.jobId] : undefined));
  const [actionError, setActionError] = useState<string | null>(null);
  const [confirmRollback, setConfirmRollback] = useState(false);
  const [busy, setBusy] = useState(false);
  const runDefaults = useRunDefaults();
  const heading = useRef<HTMLHeadingElement>(null);
  const loaded = detail !== null;
  // Arriving here from the wizard, a rollback or a toast leaves focus nowhere (the button that
  // opened it is gone): put it on the page's heading, so the keyboard starts from here.
  useEffect(() => {
    if (loaded && (document.activeElement === document.body || document.activeElement === null)) heading.current?.focus();
  }, [loaded, migrationId]);
  const now = useNow(detail ? !isTerminalStatus(detail.migration.status) : false);

  if (!detail) {
    return (
      <section className="page" aria-labelledby="migration-title">
        <BackLink onBack={closeMigration} />
        <h1 id="migration-title">Migration</h1>
        {error ? <ErrorBanner message={error} /> : <p className="muted">Loading…</p>}
      </section>
    );
  }

  const { migration } = detail;
  // A migration created already running has no separate start time.
  const startedAt = migration.startedAt ?? migration.createdAt;
  const running = migration.status === 'running';
  const percent = running ? Math.max(detail.percent, job?.state === 'running' ? job.percent : 0) : detail.percent;
  const currentStep = detail.steps.find((step) => step.status === 'running')?.title ?? (running ? job?.currentStep : null) ?? null;

  async function cancel() {
    setBusy(true);
    setActionError(null);
    const result = await invoke('migrations:cancel', { migrationId });
    setBusy(false);
    if (!result.ok) setActionError(result.error.message);
    await reload();
  }

  async function rollBack() {
    setBusy(true);
    setActionError(null);
    const result = await invoke('migrations:rollback', { migrationId, options: { waitForReady: true, ...(runDefaults ?? FACTORY_RUN_DEFAULTS) } });
    setBusy(false);
    setConfirmRollback(false);
    if (result.ok) openMigration(result.value.migrationId);
    else setActionError(result.error.message);
  }

  const bannerTone = { ok: 'ok', bad: 'error', warn: 'warning', busy: '', neutral: '' } as const;
  const title = maintenanceTitle({ ...migration, plan: detail.plan }) ?? (migration.kind === 'rollback' ? `Rollback of ${migration.targetName}` : `${migration.sourceName ?? '?'} → ${migration.targetName}`);
  return (
    <section className="page migration-detail" aria-labelledby="migration-title" data-testid="migration-detail" data-status={migration.status}>
      <BackLink onBack={closeMigration} />
      <div className="page-header">
        <h1 id="migration-title" ref={heading} tabIndex={-1}>
          {title}
        </h1>
        <div className="row">
          {detail.canCancel ? (
            <button type="button" className="danger" disabled={busy} onClick={() => void cancel()}>
              Cancel migration
            </button>
          ) : null}
          {detail.canRollBack ? (
            <button type="button" className="secondary" disabled={busy} onClick={() => setConfirmRollback(true)}>
              Roll back
            </button>
          ) : null}
        </div>
      </div>
      <p>
        <span className={`status-pill tone-${statusTone(migration.status)}`} data-testid="migration-status">
          {statusLabels[migration.status]}
        </span>{' '}
        <span className="muted">
          {migration.startedAt === null ? 'queued' : 'started'} {formatTime(startedAt)}
          {migration.endedAt ? ` · took ${formatDuration(migration.endedAt - startedAt)}` : ''}
        </span>
      </p>
      {/* The rollback link below says who rolled it back; the engine's message would say it again. */}
      {migration.message && !(migration.rolledBackBy && /^Rolled back by\b/.test(migration.message)) ? (
        <p className={`banner ${bannerTone[statusTone(migration.status)]}`} data-testid="migration-message">
          {migration.message}
        </p>
      ) : null}
      {migration.rollbackOf ? (
        <p>
          Rolls back{' '}
          <button type="button" className="link" onClick={() => openMigration(migration.rollbackOf!)}>
            the migration it undoes
          </button>
          .
        </p>
      ) : null}
      {migration.rolledBackBy ? (
        <p>
          Rolled back by{' '}
          <button type="button" className="link" onClick={() => openMigration(migration.rolledBackBy!)}>
            a later rollback
          </button>
          .
        </p>
      ) : null}
      <ErrorBanner message={actionError} />

      <div className="progress-block" data-testid="migration-progress" data-percent={percent}>
        <progress max={100} value={percent} aria-label="Migration progress" />
        <span className="progress-label">
          {percent}%{currentStep ? ` · ${currentStep}` : ''}
        </span>
      </div>

      <h2>Resources</h2>
      {isBatch(detail) ? <BatchResources detail={detail} now={now} /> : null}
      <ul className="plain-list" aria-label="Resources" hidden={isBatch(detail)}>
        {migration.resources.map((resource) => (
          <li key={resource.resourceId}>
            {resource.name} <span className={`badge badge-${resource.mode === 'clone' ? 'new' : resource.mode === 'promote' ? 'update' : resource.mode}`}>{modeLabels[resource.mode]}</span>
          </li>
        ))}
      </ul>

      {detail.plan?.target.production ? <ProductionFollowUp migrationId={migrationId} completed={migration.status === 'completed' || migration.status === 'completed_with_warning'} /> : null}
      {/* Read again when the run's status changes: its gate uses the approved request under the lock. */}
      <ApprovalTrail key={migration.status} migrationId={migrationId} />

      <h2>Steps</h2>
      <StepTable detail={detail} now={now} />

      <h2>Log</h2>
      <MigrationLog log={detail.log} />

      {confirmRollback ? (
        <Dialog open onClose={() => setConfirmRollback(false)} title="Roll back this migration?" tone="danger" description={`The resources of ${migration.targetName} are put back to the snapshots taken before this migration. This is recorded as a new migration.`}>
          <DialogFooter>
            <button type="button" className="secondary" autoFocus onClick={() => setConfirmRollback(false)}>
              Keep it
            </button>
            <button type="button" className="danger" disabled={busy} onClick={() => void rollBack()}>
              Roll back
            </button>
          </DialogFooter>
        </Dialog>
      ) : null}
    </section>
  );
}

function BackLink({ onBack }: { onBack: () => void }) {
  return (
    <button type="button" className="link back-link" onClick={onBack}>
      ← All migrations
    </button>
  );
}

function StepTable({ detail, now }: { detail: MigrationDetail; now: number }) {
  const journaled = new Map(detail.steps.map((step) => [step.stepId, step]));
  // Planned steps not journaled yet are shown as waiting, so the operator sees what is still to come.
  const planned = detail.migration.kind === 'migrate' ? (detail.plan?.steps ?? []).filter((step) => !journaled.has(step.id)) : [];
  if (detail.steps.length === 0 && planned.length === 0) return <p className="muted">No steps have run yet.</p>;
  return (
    <table className="step-table" data-testid="migration-steps">
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Status</th>
          <th scope="col">Time</th>
        </tr>
      </thead>
      <tbody>
        {detail.steps.map((step) => {
          const took = stepDuration(step, now);
          return (
            <tr key={`${step.seq}:${step.stepId}`} data-status={step.status}>
              <td>
                {step.title}
                {step.error ? <div className="step-error">{step.error}</div> : null}
              </td>
              <td className={`step-status step-${step.status}`}>{step.status}</td>
              <td>{took === null ? '—' : formatDuration(took)}</td>
            </tr>
          );
        })}
        {planned.map((step) => (
          <tr key={`planned:${step.id}`} data-status="waiting" className="muted">
            <td>{step.title}</td>
            <td className="step-status">waiting</td>
            <td>—</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function MigrationLog({ log }: { log: MigrationDetail['log'] }) {
  const box = useRef<HTMLOListElement>(null);
  // Follow the newest line inside the log's own scroll box, never scrolling the page.
  useEffect(() => {
    if (box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [log.length]);
  if (log.length === 0) return <p className="muted">Nothing logged yet.</p>;
  return (
    // A scroll box: reachable by keyboard (Tab, then the arrow keys) and named for screen readers.
    <ol className="migration-log" data-testid="migration-log" aria-live="polite" aria-label="Migration log" tabIndex={0} ref={box}>
      {log.map((line, index) => (
        <li key={index} className={`log-${line.level}`}>
          <time>{new Date(line.at).toLocaleTimeString()}</time> {line.message}
        </li>
      ))}
    </ol>
  );
}

/** The current time, ticking every second while `ticking` (running steps show their elapsed time). */
function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}
