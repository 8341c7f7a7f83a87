import { useEffect, useState } from 'react';
import type { EnvironmentView } from '@shared/inventory/model';
import { ErrorBanner } from '../../components/ErrorBanner';
import { invoke } from '../../lib/api';

/** A server that hosts production, with the production environments on it (retention is a setting on the server). */
interface ProductionServer {
  serverId: string;
  serverName: string;
  /** Any of its production environments: the channel reaches the server through one. */
  environmentId: string;
  environments: string[];
}

async function productionServers(): Promise<ProductionServer[]> {
  const projects = await invoke('projects:list', {});
  if (!projects.ok) throw new Error(projects.error.message);
  const byServer = new Map<string, ProductionServer>();
  for (const project of projects.value.projects) {
    const graph = await invoke('inventory:graph', { projectId: project.id });
    if (!graph.ok) continue;
    for (const environment of graph.value.environments.filter((each: EnvironmentView) => each.production && each.serverId)) {
      const entry = byServer.get(environment.serverId!) ?? { serverId: environment.serverId!, serverName: environment.serverName ?? environment.serverId!, environmentId: environment.id, environments: [] };
      entry.environments.push(`${project.name} / ${environment.name}`);
      byServer.set(environment.serverId!, entry);
    }
  }
  return [...byServer.values()];
}

/** Backup retention: how many verified backups of each database a production server keeps (the newest; a backup pinned for rollback stays too). */
export function BackupRetention() {
  const [servers, setServers] = useState<ProductionServer[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    productionServers().then(setServers, (failure: Error) => setError(failure.message));
  }, []);
  if (error) return <ErrorBanner message={error} />;
  if (!servers) return <p>Loading…</p>;
  if (servers.length === 0) return <p className="muted">No production environment is bound to a server yet. Backups are taken on the production server before every change of a database there.</p>;
  return (
    <ul className="plain-list" data-testid="backup-retention">
      {servers.map((server) => (
        <li key={server.serverId}>
          <RetentionForm server={server} />
        </li>
      ))}
    </ul>
  );
}

function RetentionForm({ server }: { server: ProductionServer }) {
  const [keep, setKeep] = useState<string>('');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    void invoke('backups:retention', { environmentId: server.environmentId }).then((result) => (result.ok ? setKeep(String(result.value.keep)) : setError(result.error.message)));
  }, [server.environmentId]);
  const value = Number(keep);
  const problem = keep === '' || (Number.isInteger(value) && value >= 1 && value <= 1000) ? null : 'Keep a whole number of backups between 1 and 1000.';
  const inputId = `retention-${server.serverId}`;

  async function save(event: React.FormEvent) {
    event.preventDefault();
    if (problem || keep === '') return;
    setSaved(false);
    const result = await invoke('backups:set-retention', { environmentId: server.environmentId, keep: value });
    if (result.ok) {
      setKeep(String(result.value.keep));
      setError(null);
      setSaved(true);
    } else setError(result.error.message);
  }

  return (
    <form className="form-grid" onSubmit={(event) => void save(event)} aria-label={`Backup retention on ${server.serverName}`} data-server={server.serverName}>
      <label htmlFor={inputId}>Backups kept per database on {server.serverName}</label>
      <input id={inputId} inputMode="numeric" value={keep} onChange={(event) => (setKeep(event.target.value.trim()), setSaved(false))} aria-invalid={problem ? true : undefined} />
      <span className="field-hint">
        For {server.environments.join(', ')}. The newest are kept; older ones are removed after each completed run, except a backup whose migration can still be rolled back. The setting lives on the server, so every operator’s Gantry uses it.
      </span>
      <span />
      <div className="row">
        <button type="submit" disabled={Boolean(problem) || keep === ''}>
          Save retention
        </button>
        {saved ? (
          <span role="status" data-testid="retention-saved">
            Saved on {server.serverName}.
          </span>
        ) : null}
      </div>
      <span />
      <div>
        <ErrorBanner message={problem ?? error} inline />
      </div>
    </form>
  );
}

/** The GitHub token Gantry registers webhooks with: written to the keychain, never shown back. */
export function GithubToken() {
  const [saved, setSaved] = useState<boolean | null>(null);
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [justSaved, setJustSaved] = useState(false);
  useEffect(() => {
    void invoke('webhooks:github-token', {}).then((result) => (result.ok ? setSaved(result.value.saved) : setError(result.error.message)));
  }, []);
  const problem = token && token.trim().length < 10 ? 'A GitHub token is at least 10 characters long.' : null;

  async function save(event: React.FormEvent) {
    event.preventDefault();
    if (!token.trim() || problem) return;
    setJustSaved(false);
    const result = await invoke('webhooks:set-github-token', { token: token.trim() });
    if (result.ok) {
      setToken('');
      setSaved(true);
      setError(null);
      setJustSaved(true);
    } else setError(result.error.message);
  }

  return (
    <form className="form-grid" onSubmit={(event) => void save(event)} aria-label="GitHub token">
      <label htmlFor="settings-github-token">GitHub token</label>
      <input id="settings-github-token" type="password" autoComplete="off" spellCheck={false} value={token} placeholder={saved ? 'A token is saved (type a new one to replace it)' : 'github_pat_… or ghp_…'} onChange={(event) => (setToken(event.target.value), setJustSaved(false))} aria-invalid={problem ? true : undefined} />
      <span className="field-hint" data-testid="github-token-state" data-saved={saved ? 'true' : 'false'}>
        {saved ? 'A token is saved in the keychain. Gantry never shows it back.' : 'No token saved.'} It needs permission to manage a repository’s webhooks; Gantry uses it only to register a webhook from a migration’s page.
      </span>
      <span />
      <div className="row">
        <button type="submit" disabled={!token.trim() || Boolean(problem)}>
          Save token
        </button>
        {justSaved ? (
          <span role="status" data-testid="github-token-saved">
            Saved in the keychain.
          </span>
        ) : null}
      </div>
      <span />
      <div>
        <ErrorBanner message={problem ?? error} inline />
      </div>
    </form>
  );
}
