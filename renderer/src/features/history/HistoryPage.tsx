import { EmptyState } from '../../components/EmptyState';

/** The History section. */
export function HistoryPage() {
  return (
    <section className="page" aria-labelledby="history-title">
      <h1 id="history-title">History</h1>
      <EmptyState title="Nothing has happened yet">
        <p>Every migration, rollback and detected drift is recorded here with the spec hash it left behind.</p>
      </EmptyState>
    </section>
  );
}
