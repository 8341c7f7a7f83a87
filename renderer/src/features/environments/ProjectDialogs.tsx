import { useState } from 'react';
import { Dialog, DialogFooter } from '../../components/Dialog';
import { invoke } from '../../lib/api';
import { useEnvironments } from './store';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useDialogs } from '../shell/dialogs';

/** Creates a project with its chain, e.g. "dev, uat, production" with production last. */
export function NewProjectDialog() {
  const close = useDialogs((state) => state.close);
  const load = useEnvironments((state) => state.load);
  const select = useEnvironments((state) => state.select);
  const [name, setName] = useState('');
  const [chain, setChain] = useState('dev, uat, production');
  const [lastIsProduction, setLastIsProduction] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create() {
    setBusy(true);
    const names = chain.split(/[,→>\s]+/).filter(Boolean);
    const result = await invoke('projects:create', { name, environments: names.map((env, i) => ({ name: env, production: lastIsProduction && i === names.length - 1 })) });
    setBusy(false);
    if (!result.ok) return setError(result.error.message);
    close();
    await load();
    await select(result.value.project.id);
  }

  return (
    <Dialog open onClose={close} title="New project" description="A project is the set of resources that move together up one chain of environments.">
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void create();
        }}
      >
        <label htmlFor="project-name">Name</label>
        <input id="project-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Shop" required />
        <label htmlFor="project-chain">Environments</label>
        <input id="project-chain" value={chain} onChange={(e) => setChain(e.target.value)} />
        <div className="field-hint">First to last, separated by commas. You can add and reorder them later.</div>
        <label htmlFor="project-production">Production</label>
        <label className="row">
          <input id="project-production" type="checkbox" checked={lastIsProduction} onChange={(e) => setLastIsProduction(e.target.checked)} /> The last environment is production
        </label>
      </form>
      <DialogFooter status={<ErrorBanner message={error} inline />}>
        <button type="button" className="secondary" onClick={close}>
          Cancel
        </button>
        <button type="button" onClick={() => void create()} disabled={busy || !name.trim()}>
          Create project
        </button>
      </DialogFooter>
    </Dialog>
  );
}

/** Adds an environment to the selected project's chain. */
export function AddEnvironmentDialog() {
  const close = useDialogs((state) => state.close);
  const change = useEnvironments((state) => state.change);
  const projectId = useEnvironments((state) => state.projectId);
  const servers = useEnvironments((state) => state.servers);
  const [name, setName] = useState('');
  const [production, setProduction] = useState(false);
  const [serverId, setServerId] = useState('');
  const [domain, setDomain] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function add() {
    if (!projectId) return;
    const failure = await change(() => invoke('environments:add', { projectId, name, production, serverId: serverId || null, domain }));
    if (failure) return setError(failure);
    close();
  }

  return (
    <Dialog open onClose={close} title="Add environment" description="A non-production environment is placed before production; production must stay last.">
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void add();
        }}
      >
        <label htmlFor="environment-name">Name</label>
        <input id="environment-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="staging" required />
        <label htmlFor="environment-server">Server</label>
        <select id="environment-server" value={serverId} onChange={(e) => setServerId(e.target.value)}>
          <option value="">Not bound yet</option>
          {servers.map((server) => (
            <option key={server.id} value={server.id}>
              {server.name}
            </option>
          ))}
        </select>
        <label htmlFor="environment-domain">Domain</label>
        <input id="environment-domain" value={domain} onChange={(e) => setDomain(e.target.value)} placeholder="staging.example.com (optional)" />
        <label htmlFor="environment-production">Production</label>
        <label className="row">
          <input id="environment-production" type="checkbox" checked={production} onChange={(e) => setProduction(e.target.checked)} /> This is a production environment
        </label>
      </form>
      <DialogFooter status={<ErrorBanner message={error} inline />}>
        <button type="button" className="secondary" onClick={close}>
          Cancel
        </button>
        <button type="button" onClick={() => void add()} disabled={!name.trim()}>
          Add environment
        </button>
      </DialogFooter>
    </Dialog>
  );
}
