import { EmptyState } from '../../components/EmptyState';

/** The Servers section. */
export function ServersPage() {
  return (
    <section className="page" aria-labelledby="servers-title">
      <h1 id="servers-title">Servers</h1>
      <EmptyState title="No servers yet">
        <p>Gantry reaches your Docker hosts over SSH. Add your first server (host, user and key or password; secrets go to the OS keychain, never to disk) to get started.</p>
      </EmptyState>
    </section>
  );
}
