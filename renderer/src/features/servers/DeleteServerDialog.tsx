import { useEffect, useState } from 'react';
import { Dialog, DialogFooter } from '../../components/Dialog';
import { invoke } from '../../lib/api';
import { useServers } from './store';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useDialogs } from '../shell/dialogs';

type Bound = { state: 'loading' } | { state: 'failed'; message: string } | { state: 'loaded'; names: string[] };

/** Confirms deleting a server (its record and its keychain entry), naming the environments bound to it. */
export function DeleteServerDialog({ serverId }: { serverId: string }) {
  const server = useServers((state) => state.servers.find((s) => s.id === serverId));
  const close = useDialogs((state) => state.close);
  const load = useServers((state) => state.load);
  const [error, setError] = useState<string | null>(null);
  const [bound, setBound] = useState<Bound>({ state: 'loading' });

  useEffect(() => {
    let live = true;
    void boundEnvironments(serverId).then((result) => {
      if (live) setBound(result);
    });
    return () => {
      live = false;
    };
  }, [serverId]);

  async function remove() {
    const result = await invoke('servers:delete', { id: serverId });
    if (!result.ok) return setError(result.error.message);
    close();
    await load();
  }

  const names = bound.state === 'loaded' ? bound.names : [];
  return (
    <Dialog open onClose={close} title={`Delete ${server?.name ?? 'server'}?`} description="Gantry forgets the server and removes its secret from the OS keychain. Nothing on the server changes.">
      {bound.state === 'loading' ? <p className="env-meta">Looking for environments bound to this server…</p> : null}
      <ErrorBanner message={bound.state === 'failed' ? bound.message : null} prefix="Could not read which environments use this server" />
      {names.length ? (
        <div className="banner warning" role="note" data-testid="bound-environments">
          <p>
            {names.length === 1 ? 'One environment runs' : `${names.length} environments run`} on this server: <strong>{names.join(', ')}</strong>.
          </p>
          <p>After the delete {names.length === 1 ? 'it has' : 'they have'} no server: discovery, migrations and rollbacks there stop until you bind another server. The containers keep running.</p>
        </div>
      ) : null}
      {bound.state === 'loaded' && !names.length ? <p className="env-meta">No environment is bound to this server.</p> : null}
      <ErrorBanner message={error} />
      <DialogFooter>
        <button type="button" className="secondary" autoFocus onClick={close}>
          Cancel
        </button>
        <button type="button" className="danger" disabled={bound.state === 'loading'} onClick={() => void remove()}>
          {names.length ? 'Delete and unbind' : 'Delete'}
        </button>
      </DialogFooter>
    </Dialog>
  );
}

/** "project / environment" for every environment bound to the server, from each project's graph. */
async function boundEnvironments(serverId: string): Promise<Bound> {
  const projects = await invoke('projects:list', {});
  if (!projects.ok) return { state: 'failed', message: projects.error.message };
  const graphs = await Promise.all(projects.value.projects.map((project) => invoke('inventory:graph', { projectId: project.id })));
  const names: string[] = [];
  for (const graph of graphs) {
    if (!graph.ok) return { state: 'failed', message: graph.error.message };
    for (const environment of graph.value.environments) if (environment.serverId === serverId) names.push(`${graph.value.project.name} / ${environment.name}`);
  }
  return { state: 'loaded', names };
}
