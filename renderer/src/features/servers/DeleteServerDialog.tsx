import { useState } from 'react';
import { Dialog, DialogFooter } from '../../components/Dialog';
import { invoke } from '../../lib/api';
import { useServers } from './store';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useDialogs } from '../shell/dialogs';

/** Confirms deleting a server (its record and its keychain entry). */
export function DeleteServerDialog({ serverId }: { serverId: string }) {
  const server = useServers((state) => state.servers.find((s) => s.id === serverId));
  const close = useDialogs((state) => state.close);
  const load = useServers((state) => state.load);
  const [error, setError] = useState<string | null>(null);

  async function remove() {
    const result = await invoke('servers:delete', { id: serverId });
    if (!result.ok) return setError(result.error.message);
    close();
    await load();
  }

  return (
    <Dialog open onClose={close} title={`Delete ${server?.name ?? 'server'}?`} description="Gantry forgets the server and removes its secret from the OS keychain. Nothing on the server changes.">
      <ErrorBanner message={error} />
      <DialogFooter>
        <button type="button" className="secondary" onClick={close}>
          Cancel
        </button>
        <button type="button" onClick={() => void remove()}>
          Delete
        </button>
      </DialogFooter>
    </Dialog>
  );
}
