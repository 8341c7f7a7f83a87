import { useEffect, useState } from 'react';
import type { PolicyView } from '@shared/approvals/views';
import { invoke } from '../../lib/api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PolicyForm } from './PolicyForm';
import { PolicyProposals } from './PolicyProposals';
import { useApprovals } from './store';

/** The operator's signing key: shown when set, a small form otherwise (or to change it): a key file, or a key held by ssh-agent. */
export function IdentitySection() {
  const identity = useApprovals((state) => state.identity);
  const loadIdentity = useApprovals((state) => state.loadIdentity);
  const [editing, setEditing] = useState(false);
  const [principal, setPrincipal] = useState('');
  const [source, setSource] = useState<'key-file' | 'agent'>('key-file');
  const [keyPath, setKeyPath] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [agent, setAgent] = useState<{ keys: { publicKey: string; fingerprint: string }[]; problem: string | null } | null>(null);
  const [agentKey, setAgentKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void loadIdentity(), [loadIdentity]);

  async function chooseAgent() {
    setSource('agent');
    const result = await invoke('approvals:agent-keys', {});
    if (!result.ok) return setError(result.error.message);
    setAgent(result.value);
    setAgentKey(result.value.keys[0]?.publicKey ?? '');
  }

  async function save() {
    const request = source === 'agent' ? { principal: principal.trim(), agentPublicKey: agentKey } : { principal: principal.trim(), keyPath: keyPath.trim(), ...(passphrase ? { passphrase } : {}) };
    const result = await invoke('approvals:set-identity', request);
    if (!result.ok) return setError(result.error.message);
    setError(null);
    setPassphrase('');
    setEditing(false);
    await loadIdentity();
  }

  return (
    <section className="card" aria-labelledby="identity-title" data-testid="approval-identity">
      <h2 id="identity-title">Your signing key</h2>
      {identity && !editing ? (
        <p>
          You sign as <strong>{identity.principal}</strong> with {identity.kind === 'agent' ? 'a key in ssh-agent' : identity.keyPath} · <code>{identity.fingerprint}</code>{' '}
          <button type="button" className="secondary small-button" onClick={() => setEditing(true)}>
            Change
          </button>
        </p>
      ) : (
        <form
          className="form-grid"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <label>
            Your name in the policy
            <input value={principal} onChange={(event) => setPrincipal(event.target.value)} placeholder="alice" required />
          </label>
          <fieldset>
            <legend>Sign with</legend>
            <label className="inline-check">
              <input type="radio" name="identity-source" checked={source === 'key-file'} onChange={() => setSource('key-file')} /> A private key file
            </label>
            <label className="inline-check">
              <input type="radio" name="identity-source" checked={source === 'agent'} onChange={() => void chooseAgent()} /> A key in ssh-agent (hardware keys too)
            </label>
          </fieldset>
          {source === 'key-file' ? (
            <>
              <label>
                Private key file
                <input value={keyPath} onChange={(event) => setKeyPath(event.target.value)} placeholder="~/.ssh/id_ed25519" required />
              </label>
              <label>
                Passphrase (kept in the OS keychain)
                <input type="password" value={passphrase} onChange={(event) => setPassphrase(event.target.value)} autoComplete="off" />
              </label>
            </>
          ) : agent?.problem ? (
            <p role="alert">{agent.problem}</p>
          ) : agent ? (
            <label>
              Key (by fingerprint)
              <select value={agentKey} onChange={(event) => setAgentKey(event.target.value)}>
                {agent.keys.map((key) => (
                  <option key={key.publicKey} value={key.publicKey}>
                    {key.fingerprint} ({key.publicKey.split(' ')[0]})
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <p className="muted">Asking ssh-agent…</p>
          )}
          <button type="submit" disabled={source === 'agent' && !agentKey}>
            Save signing key
          </button>
        </form>
      )}
      <ErrorBanner message={error} />
    </section>
  );
}

/** Each server's approval policy against this Gantry's pin: pin it, or set up the first one. */
export function PoliciesSection() {
  const [servers, setServers] = useState<{ id: string; name: string }[]>([]);
  const [policies, setPolicies] = useState<Record<string, PolicyView>>({});
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void invoke('servers:list', {}).then(async (result) => {
      if (!result.ok) return setError(result.error.message);
      setServers(result.value.servers);
      const views = await Promise.all(result.value.servers.map((server) => invoke('approvals:policy', { serverId: server.id })));
      setPolicies(Object.fromEntries(views.flatMap((view) => (view.ok ? [[view.value.serverId, view.value]] : []))));
    });
  }, []);
  const update = (view: PolicyView) => setPolicies((current) => ({ ...current, [view.serverId]: view }));

  return (
    <section className="card" aria-labelledby="policies-title">
      <h2 id="policies-title">Policies</h2>
      <ErrorBanner message={error} />
      <ul className="plain-list">
        {servers.map((server) => (
          <li key={server.id} data-testid="approval-policy" data-server={server.name} data-state={policies[server.id]?.state ?? 'loading'}>
            <PolicyRow server={server} policy={policies[server.id] ?? null} onChange={update} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function PolicyRow({ server, policy, onChange }: { server: { id: string; name: string }; policy: PolicyView | null; onChange: (view: PolicyView) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [setup, setSetup] = useState(false);
  if (!policy) return <span>{server.name}: reading…</span>;
  async function pin() {
    const result = await invoke('approvals:pin-policy', { serverId: server.id, digest: policy!.digest! });
    if (!result.ok) return setError(result.error.message);
    onChange(result.value);
  }
  const members = policy.members.map((member) => `${member.principal} (${member.roles.join(', ')}) ${member.fingerprint}`).join('; ');
  return (
    <div>
      <strong>{server.name}</strong>{' '}
      {policy.state === 'none' ? (
        <>
          has no approval policy.{' '}
          <button type="button" className="secondary small-button" onClick={() => setSetup(!setup)}>
            Set up a policy
          </button>
          {setup ? <PolicyForm serverId={server.id} current={null} onDone={onChange} /> : null}
        </>
      ) : policy.state === 'unreachable' || policy.state === 'changed' ? (
        <span role="alert">{policy.problem}</span>
      ) : (
        <>
          v{policy.version}, {policy.approvalsRequired} approval{policy.approvalsRequired === 1 ? '' : 's'} needed; {members}
          {policy.protectedEnvironments.length ? `; also protects ${policy.protectedEnvironments.join(', ')}` : ''}
          {policy.maintenanceRefused.length ? `; refuses ${policy.maintenanceRefused.join(', ')} without an approval` : ''}.{' '}
          {policy.state === 'unpinned' ? (
            <>
              Not pinned by this Gantry: <code>{policy.digest}</code>{' '}
              <button type="button" className="small-button" onClick={() => void pin()}>
                Pin this policy
              </button>
            </>
          ) : (
            <>
              <span className="muted">Pinned.</span>{' '}
              <button type="button" className="secondary small-button" onClick={() => setSetup(!setup)}>
                Propose a change
              </button>
              {setup ? (
                <PolicyForm
                  serverId={server.id}
                  current={policy}
                  onDone={(view) => {
                    setSetup(false);
                    onChange(view);
                  }}
                />
              ) : null}
              <PolicyProposals serverId={server.id} policy={policy} onChange={onChange} />
            </>
          )}
        </>
      )}
      <ErrorBanner message={error} />
    </div>
  );
}
