import type { MigrationDetail } from '@shared/migration/views';
import { batchProgress, type BatchResourceProgress, type BatchResourceStatus } from '@shared/migration/batch-levels';
import { isTerminalStatus } from '@shared/migration/status';
import { formatDuration, stepDuration } from './migration-format';

const modeLabels = { clone: 'New (clone)', promote: 'Update (promote)', unchanged: 'Unchanged', restore: 'Restore' } as const;

/** What each resource's status reads as, and its colour family. */
const resourceStatus: Record<BatchResourceStatus, { label: string; tone: 'ok' | 'bad' | 'busy' | 'warn' | 'neutral' }> = {
  waiting: { label: 'Waiting', tone: 'neutral' },
  running: { label: 'Running', tone: 'busy' },
  completed: { label: 'Completed', tone: 'ok' },
  failed: { label: 'Failed', tone: 'bad' },
  undone: { label: 'Undone', tone: 'warn' },
  skipped: { label: 'Not started', tone: 'neutral' },
  'needs-attention': { label: 'Needs attention', tone: 'bad' },
};

/** True when a migration runs as a batch: two or more resources with steps of their own. */
export function isBatch(detail: MigrationDetail): boolean {
  if (detail.migration.kind !== 'migrate' || !detail.plan) return false;
  return new Set(detail.plan.steps.flatMap((step) => (step.resourceId && step.kind !== 'backup-database' ? [step.resourceId] : []))).size > 1;
}

/**
 * Each resource of a batch with its own status, progress and steps (from the journal), grouped
 * by level: a level's resources run in parallel, each only after what it depends on is healthy.
 */
export function BatchResources({ detail, now }: { detail: MigrationDetail; now: number }) {
  const plan = detail.plan!;
  const finished = isTerminalStatus(detail.migration.status);
  const progress = batchProgress(plan.steps, plan.resources, detail.steps, finished);
  const journaled = new Map(detail.steps.map((step) => [step.stepId, step]));
  const nameOf = new Map(plan.resources.map((resource) => [resource.resourceId, resource.name]));
  const modeOf = new Map(detail.migration.resources.map((resource) => [resource.resourceId, resource.mode]));
  const levels = [...new Set(progress.map((entry) => entry.level))].sort((a, b) => a - b);
  const logOf = (entry: BatchResourceProgress) => resourceLog(detail.log, entry, plan.steps, progress);
  return (
    <div className="batch-resources" data-testid="batch-resources">
      {levels.map((level) => (
        <section key={level} className="batch-level" aria-label={`Level ${level + 1}`}>
          <h3>
            Level {level + 1} <span className="muted">{level === 0 ? '· depends on nothing else in this batch' : '· starts after what it depends on is healthy'}</span>
          </h3>
          <ul className="plain-list batch-list">
            {progress
              .filter((entry) => entry.level === level)
              .map((entry) => {
                const status = resourceStatus[entry.status];
                const percent = entry.total > 0 ? Math.round((entry.done / entry.total) * 100) : 0;
                return (
                  <li key={entry.resourceId} className="batch-resource" data-testid="batch-resource" data-resource={entry.name} data-status={entry.status}>
                    <details open={entry.status === 'running' || entry.status === 'failed' || entry.status === 'needs-attention'}>
                      <summary>
                        <strong>{entry.name}</strong> <span className="badge">{modeLabels[modeOf.get(entry.resourceId) ?? 'clone']}</span> <span className={`status-pill tone-${status.tone}`}>{status.label}</span>{' '}
                        <progress max={100} value={percent} aria-label={`${entry.name} progress`} /> <span className="muted">
                          {entry.done}/{entry.total} steps
                          {entry.dependsOn.length > 0 ? ` · after ${entry.dependsOn.map((id) => nameOf.get(id) ?? id).join(', ')}` : ''}
                        </span>
                      </summary>
                      <ol className="batch-steps">
                        {entry.seqs.map((seq) => {
                          const step = plan.steps[seq]!;
                          const row = journaled.get(step.id);
                          const took = row ? stepDuration(row, now) : null;
                          const state = row?.status ?? (finished ? 'not run' : 'waiting');
                          return (
                            <li key={step.id} data-status={state}>
                              <span className={`step-status step-${state}`}>{state}</span> {step.title}
                              {took === null ? '' : <span className="muted"> · {formatDuration(took)}</span>}
                              {row?.error ? <div className="step-error">{row.error}</div> : null}
                            </li>
                          );
                        })}
                      </ol>
                      <ResourceLog name={entry.name} lines={logOf(entry)} />
                    </details>
                  </li>
                );
              })}
          </ul>
        </section>
      ))}
    </div>
  );
}

/**
 * The lines of the run's log about one resource: those the engine prefixes with `[name] `, its
 * failure ("name failed: …") and the undo of its steps ("↶ Undone: <title>", "Could not undo
 * "<title>": …"), matched by the titles no other resource of the batch has.
 */
function resourceLog(log: MigrationDetail['log'], entry: BatchResourceProgress, steps: readonly { title: string }[], all: readonly BatchResourceProgress[]): MigrationDetail['log'] {
  const others = new Set(all.filter((each) => each.resourceId !== entry.resourceId).flatMap((each) => each.seqs.map((seq) => steps[seq]!.title)));
  const titles = entry.seqs.map((seq) => steps[seq]!.title).filter((title) => !others.has(title));
  return log.filter(({ message }) => {
    if (message.replace(/^▶ /, '').startsWith(`[${entry.name}] `) || message.startsWith(`${entry.name} failed: `)) return true;
    return titles.some((title) => message === `↶ Undone: ${title}` || message.startsWith(`Could not undo "${title}": `));
  });
}

/** One resource's lines of the run's log, without the engine's `[name] ` prefix. */
function ResourceLog({ name, lines }: { name: string; lines: MigrationDetail['log'] }) {
  if (lines.length === 0) return null;
  return (
    <ol className="migration-log batch-log" data-testid="batch-resource-log" aria-label={`Log of ${name}`} tabIndex={0}>
      {lines.map((line, index) => (
        <li key={index} className={`log-${line.level}`}>
          <time>{new Date(line.at).toLocaleTimeString()}</time> {line.message.replace(`[${name}] `, '')}
        </li>
      ))}
    </ol>
  );
}
