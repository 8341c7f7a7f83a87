import { useState } from 'react';
import type { ServerView } from '@shared/servers/server-schemas';
import { EmptyState } from '../../components/EmptyState';
import { invoke } from '../../lib/api';
import { useJobs } from '../jobs/store';
import { DeleteServerDialog } from './DeleteServerDialog';
import { ImportSshConfigDialog } from './ImportSshConfigDialog';
import { ProbeSummary } from './ProbeSummary';
import { RepinHostKeyDialog } from './RepinHostKeyDialog';
import { ServerDialog } from './ServerDialog';
import { useServers, useServersLive } from './store';
import './servers.css';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useDialogs } from '../shell/dialogs';

const AUTH_LABELS: Record<ServerView['authMethod'], string> = {
  'key-file': 'key file',
  'key-stored': 'key in keychain',
  password: 'password',
  agent: 'ssh-agent',
};

/** The Servers section: every server with its live connection state and last probe. */
export function ServersPage() {
  useServersLive();
  const servers = useServers((state) => state.servers);
  const loaded = useServers((state) => state.loaded);
  const error = useServers((state) => state.error);
  const dialog = useDialogs((state) => state.dialog);
  const open = useDialogs((state) => state.open);

  return (
    <section className="page" aria-labelledby="servers-title" data-servers-loaded={loaded ? 'true' : 'false'}>
      <div className="page-header">
        <h1 id="servers-title">Servers</h1>
        <div className="row">
          <button type="button" className="secondary" onClick={() => open({ kind: 'import-ssh-config' })}>
            Import from ~/.ssh/config
          </button>
          <button type="button" onClick={() => open({ kind: 'edit', serverId: null })}>
            Add server
          </button>
        </div>
      </div>
      <ErrorBanner message={error} />
      {loaded && servers.length === 0 ? (
        <EmptyState title="No servers yet">
          <p>Gantry reaches your Docker hosts over SSH. Add your first server (host, user and key or password; secrets go to the OS keychain, never to disk) to get started.</p>
        </EmptyState>
      ) : (
        <ul className="server-list" aria-label="Servers">
          {servers.map((server) => (
            <ServerRow key={server.id} server={server} servers={servers} />
          ))}
        </ul>
      )}
      {dialog.kind === 'edit' ? <ServerDialog serverId={dialog.serverId} prefill={dialog.prefill} /> : null}
      {dialog.kind === 'import-ssh-config' ? <ImportSshConfigDialog /> : null}
      {dialog.kind === 'repin' ? <RepinHostKeyDialog serverId={dialog.serverId} /> : null}
      {dialog.kind === 'delete' ? <DeleteServerDialog serverId={dialog.serverId} /> : null}
    </section>
  );
}

function ServerRow({ server, servers }: { server: ServerView; servers: ServerView[] }) {
  const open = useDialogs((state) => state.open);
  const [probeJobId, setProbeJobId] = useState<string | null>(null);
  // An action's error belongs to the host key it was about: once another key is pinned (by a test, an import or a re-pin) it no longer shows.
  const [actionError, setActionError] = useState<{ message: string; hostKey: string | null } | null>(null);
  const failed = (message: string) => setActionError({ message, hostKey: server.hostKeyFingerprint });
  const probeJob = useJobs((state) => (probeJobId ? state.jobs[probeJobId] : undefined));
  const probing = probeJob?.state === 'running';
  const jumps = server.jumpHostIds.map((id) => servers.find((s) => s.id === id)?.name ?? 'missing server');

  async function probe() {
    setActionError(null);
    const result = await invoke('servers:probe', { id: server.id });
    if (result.ok) setProbeJobId(result.value.jobId);
    else failed(result.error.message);
  }

  async function importKnownHost() {
    setActionError(null);
    const result = await invoke('servers:import-known-host', { id: server.id });
    if (!result.ok) failed(result.error.message);
  }

  return (
    <li className="server-card" aria-label={server.name} data-server-id={server.id}>
      <div className="server-head">
        <div>
          <h2 className="server-name">{server.name}</h2>
          <div className="server-address">
            {server.username}@{server.host}:{server.port} · {AUTH_LABELS[server.authMethod]}
            {jumps.length ? ` · via ${jumps.join(' → ')}` : ''}
          </div>
          {server.labels.length ? (
            <div className="server-labels">
              {server.labels.map((label) => (
                <span key={label} className="chip">
                  {label}
                </span>
              ))}
            </div>
          ) : null}
        </div>
        <span className={`status status-${server.connection.state}`} data-testid="connection-state" data-state={server.connection.state} title={server.connection.message ?? undefined}>
          {server.connection.state}
        </span>
      </div>
      <div className="server-hostkey" data-testid="host-key">
        {server.hostKeyFingerprint ? (
          <>
            Host key <code>{server.hostKeyFingerprint}</code> pinned
          </>
        ) : (
          <span className="warn-text">No host key pinned yet: test the connection to confirm it, or import it from known_hosts.</span>
        )}
      </div>
      <ErrorBanner message={server.connection.state === 'failed' ? server.connection.message : null} testId="connection-error" />
      <ErrorBanner message={probeJob?.state === 'failed' && probeJob.error !== server.connection.message ? probeJob.error : null} prefix="Probe failed" />
      <ErrorBanner message={actionError && actionError.hostKey === server.hostKeyFingerprint ? actionError.message : null} testId="action-error" />
      {server.probe ? <ProbeSummary probe={server.probe} /> : null}
      <div className="row server-actions">
        <button type="button" onClick={() => void probe()} disabled={probing || !server.hostKeyFingerprint}>
          {probing ? `Probing… ${probeJob?.currentStep ?? ''}` : server.probe ? 'Probe again' : 'Probe'}
        </button>
        <button type="button" className="secondary" onClick={() => open({ kind: 'edit', serverId: server.id })}>
          Edit
        </button>
        {server.hostKeyFingerprint ? (
          <button type="button" className="secondary" onClick={() => open({ kind: 'repin', serverId: server.id })}>
            Re-pin host key
          </button>
        ) : (
          <button type="button" className="secondary" onClick={() => void importKnownHost()}>
            Import key from known_hosts
          </button>
        )}
        <button type="button" className="secondary" onClick={() => open({ kind: 'delete', serverId: server.id })}>
          Delete
        </button>
      </div>
    </li>
  );
}
