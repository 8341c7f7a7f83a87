import type { HostKeyCheck } from '@shared/servers/server-schemas';
import { Dialog, DialogFooter } from '../../components/Dialog';

/** First contact: shows the server's SHA256 fingerprint so the operator can compare it before trusting it. */
export function HostKeyConfirmDialog({ serverName, hostKey, onTrust, onCancel }: { serverName: string; hostKey: HostKeyCheck; onTrust: () => void; onCancel: () => void }) {
  const matching = hostKey.knownHosts.filter((entry) => entry.fingerprint === hostKey.fingerprint);
  const conflicting = hostKey.knownHosts.filter((entry) => entry.fingerprint !== hostKey.fingerprint);
  return (
    <Dialog open onClose={onCancel} title={`Trust the host key of ${serverName}?`} description="Gantry has not connected to this server before. Compare the fingerprint with the one the server's administrator gives you (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the server).">
      <p>
        {hostKey.algorithm} fingerprint:
      </p>
      <p className="fingerprint" data-testid="host-key-fingerprint">
        {hostKey.fingerprint}
      </p>
      {matching.length ? (
        <p className="banner" data-testid="known-hosts-match">
          ✓ Matches your known_hosts ({matching[0]!.file}, line {matching[0]!.line}).
        </p>
      ) : null}
      {conflicting.length ? (
        <p role="alert" className="banner error">
          Your known_hosts lists a different key for this host ({conflicting[0]!.fingerprint}, {conflicting[0]!.file} line {conflicting[0]!.line}). Do not trust this key unless you know why it changed.
        </p>
      ) : null}
      <DialogFooter>
        <button type="button" className="secondary" onClick={onCancel}>
          Don’t trust
        </button>
        <button type="button" onClick={onTrust}>
          Trust and pin this key
        </button>
      </DialogFooter>
    </Dialog>
  );
}
