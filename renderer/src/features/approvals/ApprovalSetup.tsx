import { useEffect, useState } from 'react';
import type { PolicyView } from '@shared/approvals/views';
import { parseAllowedSigners } from '@shared/approvals/allowed-signers';
import { invoke } from '../../lib/api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useApprovals } from './store';

/** The operator's signing key: shown when set, a small form otherwise (or to change it). */
export function IdentitySection() {
  const identity = useApprovals((state) => state.identity);
  const loadIdentity = useApprovals((state) => state.loadIdentity);
  const [editing, setEditing] = useState(false);
  const [principal, setPrincipal] = useState('');
  const [keyPath, setKeyPath] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void loadIdentity(), [loadIdentity]);

  async function save() {
    const result = await invoke('approvals:set-identity', { principal: principal.trim(), keyPath: keyPath.trim(), ...(passphrase ? { passphrase } : {}) });
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
          <label>
            Private key file
            <input value={keyPath} onChange={(event) => setKeyPath(event.target.value)} placeholder="~/.ssh/id_ed25519" required />
          </label>
          <label>
            Passphrase (kept in the OS keychain)
            <input type="password" value={passphrase} onChange={(event) => setPassphrase(event.target.value)} autoComplete="off" />
          </label>
          <button type="submit">Save signing key</button>
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
          {setup ? <PolicySetupForm serverId={server.id} onDone={onChange} /> : null}
        </>
      ) : policy.state === 'unreachable' || policy.state === 'changed' ? (
        <span role="alert">{policy.problem}</span>
      ) : (
        <>
          v{policy.version}, {policy.approvalsRequired} approval{policy.approvalsRequired === 1 ? '' : 's'} needed; {members}
          {policy.protectedEnvironments.length ? `; also protects ${policy.protectedEnvironments.join(', ')}` : ''}.{' '}
          {policy.state === 'unpinned' ? (
            <>
              Not pinned by this Gantry: <code>{policy.digest}</code>{' '}
              <button type="button" className="small-button" onClick={() => void pin()}>
                Pin this policy
              </button>
            </>
          ) : (
            <span className="muted">Pinned.</span>
          )}
        </>
      )}
      <ErrorBanner message={error} />
    </div>
  );
}

function PolicySetupForm({ serverId, onDone }: { serverId: string; onDone: (view: PolicyView) => void }) {
  const [signers, setSigners] = useState('');
  const [required, setRequired] = useState(1);
  const [error, setError] = useState<string | null>(null);
  async function save() {
    const lines = parseAllowedSigners(signers);
    const bad = lines.find((line) => 'error' in line);
    if (bad && 'error' in bad) return setError(`Line ${bad.line}: ${bad.error}`);
    const members = lines.flatMap((line) => ('principals' in line ? [{ principal: line.principals[0]!, publicKey: line.publicKey, roles: ['request' as const, 'approve' as const, 'deploy' as const] }] : []));
    const result = await invoke('approvals:setup-policy', { serverId, members, approvalsRequired: required });
    if (!result.ok) return setError(result.error.message);
    onDone(result.value);
  }
  return (
    <form
      className="form-grid"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <label>
        Team members (allowed_signers lines: name and public key; each may request, approve and deploy)
        <textarea rows={4} value={signers} onChange={(event) => setSigners(event.target.value)} placeholder="alice ssh-ed25519 AAAA…" />
      </label>
      <label>
        Approvals needed (the requester never counts)
        <input type="number" min={1} max={20} value={required} onChange={(event) => setRequired(Number(event.target.value))} />
      </label>
      <button type="submit">Write the policy on the server</button>
      <ErrorBanner message={error} />
    </form>
  );
}
