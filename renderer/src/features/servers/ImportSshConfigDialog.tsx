import { useEffect, useState } from 'react';
import type { SshConfigHost } from '@shared/servers/server-schemas';
import { Dialog, DialogFooter } from '../../components/Dialog';
import { invoke } from '../../lib/api';
import { jumpHostsFor } from './jump-hosts';
import { useServers } from './store';

/** What "Add selected" did for one host: added (and how its key was pinned) or why not. */
interface AddOutcome {
  alias: string;
  ok: boolean;
  message: string;
}

/**
 * Lists the Host entries of an OpenSSH config. One host opens the add dialog filled in; several
 * ticked hosts are added in one go ("Add selected"), each key pinned from the config's
 * UserKnownHostsFile (looked up under its HostKeyAlias) when that file lists it.
 */
export function ImportSshConfigDialog() {
  const open = useServers((state) => state.open);
  const close = useServers((state) => state.close);
  const existing = useServers((state) => state.servers);
  const [path, setPath] = useState('');
  const [hosts, setHosts] = useState<SshConfigHost[] | null>(null);
  const [readFrom, setReadFrom] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [outcomes, setOutcomes] = useState<AddOutcome[]>([]);
  const [adding, setAdding] = useState(false);
  const load = useServers((state) => state.load);

  const addSelected = async (picked: SshConfigHost[]) => {
    setAdding(true);
    const results: AddOutcome[] = [];
    // Known servers grow as we go, so a jump host added first serves the hosts after it.
    const known = existing.map((s) => ({ id: s.id, name: s.name, host: s.host }));
    for (const host of picked) {
      if (!host.username) {
        results.push({ alias: host.alias, ok: false, message: 'The config sets no User for it: add it on its own and name the user.' });
        continue;
      }
      const jumps = jumpHostsFor(host.proxyJump, known);
      if (jumps.missing.length) {
        results.push({ alias: host.alias, ok: false, message: `Add its jump host${jumps.missing.length > 1 ? 's' : ''} first: ${jumps.missing.join(', ')}.` });
        continue;
      }
      const auth = host.identityFile ? ({ method: 'key-file', keyPath: host.identityFile } as const) : ({ method: 'agent' } as const);
      const saved = await invoke('servers:save', { server: { name: host.alias, host: host.host, port: host.port, username: host.username, auth, jumpHostIds: jumps.ids } });
      if (!saved.ok) {
        results.push({ alias: host.alias, ok: false, message: saved.error.message });
        continue;
      }
      known.push({ id: saved.value.server.id, name: host.alias, host: host.host });
      const pinned = await invoke('servers:import-known-host', {
        id: saved.value.server.id,
        ...(host.userKnownHostsFiles.length ? { files: host.userKnownHostsFiles } : {}),
        ...(host.hostKeyAlias ? { hostKeyAlias: host.hostKeyAlias } : {}),
      });
      results.push(
        pinned.ok
          ? { alias: host.alias, ok: true, message: `Added; host key pinned from ${pinned.value.file} (line ${pinned.value.line}).` }
          : { alias: host.alias, ok: true, message: `Added; host key not pinned: ${pinned.error.message}` },
      );
    }
    setOutcomes(results);
    setSelected(new Set());
    setAdding(false);
    await load();
  };

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
                <input
                  type="checkbox"
                  aria-label={`Select ${host.alias}`}
                  disabled={added || adding}
                  checked={selected.has(host.alias)}
                  onChange={(e) => {
                    const next = new Set(selected);
                    if (e.target.checked) next.add(host.alias);
                    else next.delete(host.alias);
                    setSelected(next);
                  }}
                />
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
      {outcomes.length ? (
        <ul className="ssh-import-outcomes" aria-label="Import results">
          {outcomes.map((o) => (
            <li key={o.alias} className={o.ok ? 'hint' : 'banner error'}>
              <strong>{o.alias}</strong>: {o.message}
            </li>
          ))}
        </ul>
      ) : null}
      <DialogFooter>
        <button type="button" disabled={selected.size === 0 || adding} onClick={() => void addSelected((hosts ?? []).filter((h) => selected.has(h.alias)))}>
          {adding ? 'Adding…' : `Add selected (${selected.size})`}
        </button>
        <button type="button" className="secondary" onClick={close}>
          Close
        </button>
      </DialogFooter>
    </Dialog>
  );
}
