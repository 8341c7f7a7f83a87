import { EmptyState } from '../../components/EmptyState';

/** The Migrations section. */
export function MigrationsPage() {
  return (
    <section className="page" aria-labelledby="migrations-title">
      <h1 id="migrations-title">Migrations</h1>
      <EmptyState title="No migrations yet">
        <p>A migration clones a resource into the next environment, or promotes a newer version into it. Once a project has environments with resources, start one from the environment graph.</p>
      </EmptyState>
    </section>
  );
}
