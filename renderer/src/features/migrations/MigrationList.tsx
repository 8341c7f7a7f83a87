import type { MigrationSummary } from '@shared/migration/views';
import { maintenanceTitle } from './maintenance-title';
import { formatDuration, formatTime, statusLabels, statusTone } from './migration-format';
import { useMigrations } from './store';

/** Migrations as a table; a row opens its detail page. */
export function MigrationList({ migrations, label = 'Migrations' }: { migrations: readonly MigrationSummary[]; label?: string }) {
  const openMigration = useMigrations((state) => state.openMigration);
  return (
    <table className="migration-table" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Migration</th>
          <th scope="col">Resources</th>
          <th scope="col">Status</th>
          <th scope="col">Started</th>
          <th scope="col">Took</th>
        </tr>
      </thead>
      <tbody>
        {migrations.map((migration) => (
          <tr key={migration.id} data-testid="migration-row" data-status={migration.status}>
            <td>
              <button type="button" className="link" onClick={() => openMigration(migration.id)}>
                {maintenanceTitle({ ...migration, plan: null }) ?? (migration.kind === 'rollback' ? `Rollback of ${migration.targetName}` : `${migration.sourceName ?? '?'} → ${migration.targetName}`)}
              </button>
            </td>
            <td>{migration.resources.map((resource) => `${resource.name} (${resource.mode})`).join(', ')}</td>
            <td>
              <span className={`status-pill tone-${statusTone(migration.status)}`}>{statusLabels[migration.status]}</span>
            </td>
            <td>{formatTime(migration.startedAt ?? migration.createdAt)}</td>
            <td>{migration.endedAt ? formatDuration(migration.endedAt - (migration.startedAt ?? migration.createdAt)) : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
