import { useEffect, useState } from 'react';
import type { SshConfigHost } from '@shared/servers/server-schemas';
import { Dialog, DialogFooter } from '../../components/Dialog';
import { invoke } from '../../lib/api';
import { useServers } from './store';

/** Lists the Host entries of an OpenSSH config; picking one opens the add dialog filled in. */
export function ImportSshConfigDialog() {
  const open = useServers((state) => state.open);
  const close = useServers((state) => state.close);
  const existing = useServers((state) => state.servers);
  const [path, setPath] = useState('');
  const [hosts, setHosts] = useState<SshConfigHost[] | null>(null);
  const [readFrom, setReadFrom] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  type ReadResult = Awaited<ReturnType<typeof invoke<'servers:read-ssh-config'>>>;
  const show = (result: ReadResult) => {
    if (!result.ok) {
      setHosts(null);
      setError(result.error.message);
      return;
    }
    setError(null);
    setHosts(result.value.hosts);
    setReadFrom(result.value.path);
  };

  useEffect(() => {
    // The default config is read as soon as the dialog opens.
    let live = true;
    void invoke('servers:read-ssh-config', {}).then((result) => {
      if (!live) return;
      if (result.ok) {
        setHosts(result.value.hosts);
        setReadFrom(result.value.path);
      } else setError(result.error.message);
    });
    return () => {
      live = false;
    };
  }, []);

  return (
    <Dialog open onClose={close} title="Import from SSH config" description="Host aliases with their HostName, Port, User, IdentityFile and ProxyJump. Add jump hosts before the servers that use them." wide>
      <form
        className="row"
        onSubmit={(event) => {
          event.preventDefault();
          void invoke('servers:read-ssh-config', path ? { path } : {}).then(show);
        }}
      >
        <label htmlFor="ssh-config-path">Config file</label>
        <input id="ssh-config-path" value={path} onChange={(e) => setPath(e.target.value)} placeholder={readFrom ?? '~/.ssh/config'} />
        <button type="submit" className="secondary">
          Read
        </button>
      </form>
      {error ? (
        <p role="alert" className="banner error">
          {error}
        </p>
      ) : null}
      {hosts && hosts.length === 0 ? <p>No Host aliases in {readFrom}.</p> : null}
      {hosts?.length ? (
        <ul className="ssh-hosts" aria-label="SSH config hosts">
          {hosts.map((host) => {
            const added = existing.some((s) => s.name === host.alias);
            return (
              <li key={host.alias} className="ssh-host">
                <span>
                  <strong>{host.alias}</strong> — {host.username ?? '(your user)'}@{host.host}:{host.port}
                  {host.identityFile ? ` · key ${host.identityFile}` : ''}
                  {host.identityFiles.length > 1 ? ` (ssh would also try ${host.identityFiles.slice(1).join(', ')}; Gantry uses the first)` : ''}
                  {host.proxyJump.length ? ` · via ${host.proxyJump.join(' → ')}` : ''}
                  {host.notes.length ? (
                    <span className="ssh-host-notes" role="note" aria-label={`Where Gantry connects differently from OpenSSH for ${host.alias}`}>
                      {host.notes.map((note) => (
                        <span key={note} className="hint">
                          <br />
                          Differs from OpenSSH: {note}
                        </span>
                      ))}
                    </span>
                  ) : null}
                </span>
                <button type="button" className="secondary" disabled={added} onClick={() => open({ kind: 'edit', serverId: null, prefill: host })}>
                  {added ? 'Added' : `Add ${host.alias}`}
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
      <DialogFooter>
        <button type="button" className="secondary" onClick={close}>
          Close
        </button>
      </DialogFooter>
    </Dialog>
  );
}
