import { useEffect } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner } from '../../components/ErrorBanner';
import { MigrationDetailView } from './MigrationDetailView';
import { MigrationList } from './MigrationList';
import { openMigrateWizard } from '../shell/dialogs';
import { useMigrations } from './store';

/** The Migrations section: recent migrations and "New migration", or one migration's detail (`#/migrations/<id>`). */
export function MigrationsPage() {
  const openId = useMigrations((state) => state.openId);
  const syncFromHash = useMigrations((state) => state.syncFromHash);

  useEffect(() => syncFromHash(), [syncFromHash]);

  return openId ? <MigrationDetailView key={openId} migrationId={openId} /> : <MigrationListPage />;
}

function MigrationListPage() {
  const migrations = useMigrations((state) => state.migrations);
  const loaded = useMigrations((state) => state.loaded);
  const error = useMigrations((state) => state.error);
  return (
    <section className="page" aria-labelledby="migrations-title" data-migrations-loaded={loaded ? 'true' : 'false'}>
      <div className="page-header">
        <h1 id="migrations-title">Migrations</h1>
        <button type="button" onClick={() => openMigrateWizard()}>
          New migration
        </button>
      </div>
      <ErrorBanner message={error} />
      {loaded && migrations.length === 0 ? (
        <EmptyState title="No migrations yet">
          <p>A migration clones a resource into the next environment of its chain, or promotes a newer version into it — with pre-checks, a diff to review, and a rollback afterwards. Start one with “New migration” (or from the environment graph) once a project has environments bound to servers and resources adopted in them.</p>
        </EmptyState>
      ) : (
        <MigrationList migrations={migrations} />
      )}
    </section>
  );
}
