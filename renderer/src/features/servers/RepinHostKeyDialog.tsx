import { useEffect, useState } from 'react';
import type { HostKeyCheck } from '@shared/servers/server-schemas';
import { Dialog, DialogFooter } from '../../components/Dialog';
import { invoke } from '../../lib/api';
import { useServers } from './store';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useDialogs } from '../shell/dialogs';

/** The deliberate way to replace a pinned host key: shows old and new fingerprints and needs an explicit confirmation. */
export function RepinHostKeyDialog({ serverId }: { serverId: string }) {
  const server = useServers((state) => state.servers.find((s) => s.id === serverId));
  const close = useDialogs((state) => state.close);
  const [check, setCheck] = useState<HostKeyCheck | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [busy, setBusy] = useState(true);

  useEffect(() => {
    let live = true;
    void invoke('servers:test', { id: serverId }).then((result) => {
      if (!live) return;
      setBusy(false);
      if (!result.ok) setError(result.error.message);
      else if (!result.value.hostKey) setError(result.value.steps.find((step) => step.status === 'failed')?.message ?? 'The server did not present a host key.');
      else setCheck(result.value.hostKey);
    });
    return () => {
      live = false;
    };
  }, [serverId]);

  async function repin() {
    if (!check) return;
    setBusy(true);
    const result = await invoke('servers:pin-host-key', { id: serverId, fingerprint: check.fingerprint, replace: true });
    setBusy(false);
    if (result.ok) close();
    else setError(result.error.message);
  }

  const changed = check?.status === 'changed';
  return (
    <Dialog open onClose={close} title={`Re-pin the host key of ${server?.name ?? 'server'}`} tone="danger" description="Only do this when you know why the key changed (the server was rebuilt or its key rotated). A changed key can also mean someone is intercepting the connection.">
      {busy && !check ? <p>Asking the server for its current key…</p> : null}
      {check ? (
        <dl className="facts">
          <dt>Pinned</dt>
          <dd className="fingerprint">{check.pinnedFingerprint ?? 'nothing'}</dd>
          <dt>Presented now</dt>
          <dd className="fingerprint" data-testid="presented-fingerprint">
            {check.algorithm} {check.fingerprint}
          </dd>
        </dl>
      ) : null}
      {check && !changed ? <p className="banner">The server presents the key that is already pinned; there is nothing to re-pin.</p> : null}
      {changed ? (
        <label className="row">
          <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />I verified the new fingerprint with the server’s administrator.
        </label>
      ) : null}
      <ErrorBanner message={error} />
      <DialogFooter>
        <button type="button" className="secondary" onClick={close}>
          Cancel
        </button>
        <button type="button" onClick={() => void repin()} disabled={!changed || !confirmed || busy}>
          Replace the pinned key
        </button>
      </DialogFooter>
    </Dialog>
  );
}
