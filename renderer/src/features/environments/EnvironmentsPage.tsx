import { EmptyState } from '../../components/EmptyState';

/** The Environments section. */
export function EnvironmentsPage() {
  return (
    <section className="page" aria-labelledby="environments-title">
      <h1 id="environments-title">Environments</h1>
      <EmptyState title="No environments yet">
        <p>Environments are your chain — dev → uat → production — each bound to a server. Start by adding a server under Servers, then create a project and its environments here.</p>
      </EmptyState>
    </section>
  );
}
