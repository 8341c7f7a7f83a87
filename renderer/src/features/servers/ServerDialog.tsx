import { useState } from 'react';
import type { ResponseOf } from '@shared/ipc/contract';
import type { AuthMethod, ServerInput, SshConfigHost } from '@shared/servers/server-schemas';
import { Dialog, DialogFooter } from '../../components/Dialog';
import { invoke } from '../../lib/api';
import { jumpHostsFor } from './jump-hosts';
import { ConnectionTestSteps } from './ConnectionTestSteps';
import { HostKeyConfirmDialog } from './HostKeyConfirmDialog';
import { saveWarning } from './save-warning';
import { useServers } from './store';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useDialogs } from '../shell/dialogs';

type TestResult = ResponseOf<'servers:test'>;

/** The fields that decide how Gantry reaches the server: changing one makes an earlier test stale. */
const CONNECTION_FIELDS = ['host', 'port', 'username', 'method', 'keyPath', 'passphrase', 'privateKey', 'password', 'jumpHostIds'] as const;

interface FormState {
  name: string;
  host: string;
  port: string;
  username: string;
  method: AuthMethod;
  keyPath: string;
  passphrase: string;
  privateKey: string;
  password: string;
  jumpHostIds: string[];
  labels: string;
}

/** Add or edit a server, with "Test connection" and first-contact host-key confirmation. */
export function ServerDialog({ serverId, prefill }: { serverId: string | null; prefill?: SshConfigHost }) {
  const servers = useServers((state) => state.servers);
  const close = useDialogs((state) => state.close);
  const existing = servers.find((s) => s.id === serverId) ?? null;
  const [form, setForm] = useState<FormState>(() => initialForm(existing, prefill, servers));
  const [initial] = useState(form);
  // Saving an untested or failing server asks once; a second Save goes ahead.
  const [warned, setWarned] = useState<string | null>(null);
  const [test, setTest] = useState<TestResult | null>(null);
  const [busy, setBusy] = useState<'test' | 'save' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [trusted, setTrusted] = useState<{ fingerprint: string; algorithm: string } | null>(null);
  const [confirming, setConfirming] = useState(false);
  // A Save that stopped at the host-key question carries on once it is answered.
  const [saveAfterTrust, setSaveAfterTrust] = useState(false);
  // Hops of an imported ProxyJump that are not saved servers: never dropped silently.
  const [missingHops] = useState(() => (existing ? [] : jumpHostsFor(prefill?.proxyJump ?? [], servers).missing));
  const [direct, setDirect] = useState(false);
  const hopsUnresolved = missingHops.length > 0 && !direct;
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => {
    setForm((previous) => ({ ...previous, [key]: value }));
    setTest(null);
    setWarned(null);
  };
  const connectionChanged = !existing || CONNECTION_FIELDS.some((key) => JSON.stringify(form[key]) !== JSON.stringify(initial[key]));
  const hasStored = existing?.hasStoredSecret && existing.authMethod === form.method;

  async function runTest(trustFingerprint?: string): Promise<TestResult | null> {
    setBusy('test');
    setError(null);
    const result = await invoke('servers:test', { ...(serverId ? { id: serverId } : {}), server: toInput(form), ...(trustFingerprint ? { trustFingerprint } : {}) });
    setBusy(null);
    if (!result.ok) {
      setError(result.error.message);
      return null;
    }
    setTest(result.value);
    setWarned(null);
    if (result.value.steps.some((step) => step.status === 'needs-confirmation')) setConfirming(true);
    return result.value;
  }

  /**
   * Save tests a changed connection first: a passing test saves at once, a first contact asks for
   * the host key and then goes on, a failing one shows why and waits for "Save anyway".
   */
  async function save(tested: TestResult | null = test, pin: { fingerprint: string; algorithm: string } | null = trusted) {
    if (connectionChanged && tested === null && !warned) {
      const result = await runTest(pin?.fingerprint);
      // The test could not even start (its error is shown): a second Save keeps the server untested.
      if (!result) return setWarned(saveWarning(null, connectionChanged));
      if (result.steps.some((step) => step.status === 'needs-confirmation')) return setSaveAfterTrust(true);
      return save(result, pin);
    }
    const warning = saveWarning(tested?.steps ?? null, connectionChanged);
    if (warning && warned !== warning) return setWarned(warning);
    setBusy('save');
    setError(null);
    const result = await invoke('servers:save', { ...(serverId ? { id: serverId } : {}), server: toInput(form), ...(pin ? { pin } : {}) });
    setBusy(null);
    if (!result.ok) return setError(result.error.message);
    close();
    // A new, trusted server gets probed straight away so its facts show up in the list.
    if (!serverId && result.value.server.hostKeyFingerprint) void invoke('servers:probe', { id: result.value.server.id });
  }

  const otherServers = servers.filter((s) => s.id !== serverId && !form.jumpHostIds.includes(s.id));
  return (
    <Dialog open onClose={close} title={existing ? `Edit ${existing.name}` : 'Add server'} description="Secrets (passwords, passphrases, imported keys) are stored in the OS keychain, never on disk." wide>
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <label htmlFor="server-name">Name</label>
        <input id="server-name" value={form.name} onChange={(e) => set('name', e.target.value)} placeholder="uat" required />
        <label htmlFor="server-host">Host</label>
        <input id="server-host" value={form.host} onChange={(e) => set('host', e.target.value)} placeholder="uat.example.com or 10.0.0.12" required />
        <label htmlFor="server-port">Port</label>
        <input id="server-port" value={form.port} onChange={(e) => set('port', e.target.value)} inputMode="numeric" />
        <label htmlFor="server-user">User</label>
        <input id="server-user" value={form.username} onChange={(e) => set('username', e.target.value)} placeholder="deploy" required />
        <label htmlFor="server-auth">Log in with</label>
        <select id="server-auth" value={form.method} onChange={(e) => set('method', e.target.value as AuthMethod)}>
          <option value="key-file">Private key file</option>
          <option value="key-stored">Private key kept in the keychain</option>
          <option value="password">Password (kept in the keychain)</option>
          <option value="agent">ssh-agent</option>
        </select>
        {form.method === 'key-file' ? (
          <>
            <label htmlFor="server-key-path">Key file</label>
            <input id="server-key-path" value={form.keyPath} onChange={(e) => set('keyPath', e.target.value)} placeholder="/home/me/.ssh/id_ed25519" />
          </>
        ) : null}
        {form.method === 'key-stored' ? (
          <>
            <label htmlFor="server-private-key">Private key</label>
            <textarea id="server-private-key" value={form.privateKey} onChange={(e) => set('privateKey', e.target.value)} placeholder={hasStored ? 'Stored in the keychain (paste a new key to replace it)' : '-----BEGIN OPENSSH PRIVATE KEY-----'} spellCheck={false} autoComplete="off" />
          </>
        ) : null}
        {form.method === 'key-file' || form.method === 'key-stored' ? (
          <>
            <label htmlFor="server-passphrase">Passphrase</label>
            <input id="server-passphrase" type="password" value={form.passphrase} onChange={(e) => set('passphrase', e.target.value)} placeholder={hasStored ? 'Stored in the keychain' : 'Only if the key has one'} autoComplete="off" />
          </>
        ) : null}
        {form.method === 'password' ? (
          <>
            <label htmlFor="server-password">Password</label>
            <input id="server-password" type="password" value={form.password} onChange={(e) => set('password', e.target.value)} placeholder={hasStored ? 'Stored in the keychain' : ''} autoComplete="off" />
          </>
        ) : null}
        {form.method === 'agent' ? <p className="field-hint">Uses the agent of the shell Gantry was started from (SSH_AUTH_SOCK; on Windows the OpenSSH agent).</p> : null}
        <label htmlFor="server-jump">Jump hosts</label>
        <div className="row">
          {form.jumpHostIds.map((id) => (
            <span key={id} className="chip">
              {servers.find((s) => s.id === id)?.name ?? id}{' '}
              <button type="button" className="secondary" aria-label={`Remove jump host ${servers.find((s) => s.id === id)?.name ?? id}`} onClick={() => set('jumpHostIds', form.jumpHostIds.filter((j) => j !== id))}>
                ×
              </button>
            </span>
          ))}
          <select id="server-jump" value="" onChange={(e) => e.target.value && set('jumpHostIds', [...form.jumpHostIds, e.target.value])} disabled={otherServers.length === 0}>
            <option value="">{form.jumpHostIds.length ? 'Add another hop…' : 'Direct (no ProxyJump)'}</option>
            {otherServers.map((s) => (
              <option key={s.id} value={s.id}>
                through {s.name}
              </option>
            ))}
          </select>
        </div>
        <label htmlFor="server-labels">Labels</label>
        <input id="server-labels" value={form.labels} onChange={(e) => set('labels', e.target.value)} placeholder="eu, docker-20" />
      </form>

      {missingHops.length > 0 ? (
        <div role="alert" className="banner warning" data-testid="missing-hops">
          <p>
            The SSH config reaches this server through {missingHops.join(' → ')}, which {missingHops.length === 1 ? 'is not a saved server' : 'are not saved servers'} yet. Add {missingHops.length === 1 ? 'it' : 'them'} first (Import from ~/.ssh/config), then import this server again or pick the hop under Jump hosts.
          </p>
          <label className="inline-check">
            <input type="checkbox" checked={direct} onChange={(event) => setDirect(event.target.checked)} />
            This machine reaches the server without {missingHops.length === 1 ? 'it' : 'them'}: connect {form.jumpHostIds.length ? 'through the hosts above only' : 'directly'}
          </label>
        </div>
      ) : null}
      {test ? <ConnectionTestSteps steps={test.steps} /> : null}
      {trusted ? (
        <p className="banner" data-testid="trusted-fingerprint">
          Host key <code>{trusted.fingerprint}</code> confirmed; it is pinned when you save.
        </p>
      ) : null}
      {test?.hostKey?.status === 'changed' ? (
        <p role="alert" className="banner error">
          The server presents a different host key than the one pinned. Gantry will not connect. If the change is expected, close this dialog and use “Re-pin host key”.
        </p>
      ) : null}
      {/* Once saved anyway, a save error says more than the warning did. */}
      {warned && !error ? (
        <p role="alert" className="banner warning" data-testid="save-warning">
          {warned} Press “Save anyway” to keep it as it is, or “Test connection” first.
        </p>
      ) : null}
      <ErrorBanner message={error} />
      <DialogFooter status={busy === 'test' ? 'Testing the connection…' : busy === 'save' ? 'Saving…' : null}>
        <button type="button" className="secondary" onClick={close}>
          Cancel
        </button>
        <button type="button" className="secondary" onClick={() => void runTest(trusted?.fingerprint)} disabled={busy !== null || hopsUnresolved}>
          Test connection
        </button>
        <button type="button" onClick={() => void save()} disabled={busy !== null || hopsUnresolved}>
          {warned ? 'Save anyway' : 'Save'}
        </button>
      </DialogFooter>
      {confirming && test?.hostKey ? (
        <HostKeyConfirmDialog
          serverName={form.name || form.host}
          hostKey={test.hostKey}
          onCancel={() => {
            setConfirming(false);
            if (saveAfterTrust) void save(test);
            setSaveAfterTrust(false);
          }}
          onTrust={() => {
            const key = { fingerprint: test.hostKey!.fingerprint, algorithm: test.hostKey!.algorithm };
            setTrusted(key);
            setConfirming(false);
            const thenSave = saveAfterTrust;
            setSaveAfterTrust(false);
            void runTest(key.fingerprint).then((result) => (thenSave && result ? save(result, key) : undefined));
          }}
        />
      ) : null}
    </Dialog>
  );
}

function initialForm(existing: ReturnType<typeof useServers.getState>['servers'][number] | null, prefill: SshConfigHost | undefined, servers: { id: string; name: string; host: string }[]): FormState {
  if (existing) {
    return { name: existing.name, host: existing.host, port: String(existing.port), username: existing.username, method: existing.authMethod, keyPath: existing.keyPath ?? '', passphrase: '', privateKey: '', password: '', jumpHostIds: existing.jumpHostIds, labels: existing.labels.join(', ') };
  }
  const jumps = jumpHostsFor(prefill?.proxyJump ?? [], servers).ids;
  return {
    name: prefill?.alias ?? '',
    host: prefill?.host ?? '',
    port: String(prefill?.port ?? 22),
    username: prefill?.username ?? '',
    method: prefill?.identityFile ? 'key-file' : 'agent',
    keyPath: prefill?.identityFile ?? '',
    passphrase: '',
    privateKey: '',
    password: '',
    jumpHostIds: jumps,
    labels: '',
  };
}

function toInput(form: FormState): ServerInput {
  const port = Number(form.port);
  const base = { name: form.name, host: form.host, port: Number.isInteger(port) ? port : 0, username: form.username, jumpHostIds: form.jumpHostIds, labels: form.labels.split(',').map((l) => l.trim()).filter(Boolean) };
  const optional = (value: string) => (value ? value : undefined);
  switch (form.method) {
    case 'key-file':
      return { ...base, auth: { method: 'key-file', keyPath: form.keyPath, passphrase: optional(form.passphrase) } };
    case 'key-stored':
      return { ...base, auth: { method: 'key-stored', privateKey: optional(form.privateKey), passphrase: optional(form.passphrase) } };
    case 'password':
      return { ...base, auth: { method: 'password', password: optional(form.password) } };
    case 'agent':
      return { ...base, auth: { method: 'agent' } };
  }
}
