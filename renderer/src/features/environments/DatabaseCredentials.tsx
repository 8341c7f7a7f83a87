import { useState } from 'react';
import { MASK } from '@shared/redact';
import { Dialog, DialogFooter } from '../../components/Dialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { TypedNameConfirm, typedNameOk } from '../../components/TypedNameConfirm';
import { invoke } from '../../lib/api';
import { RevealCredential } from '../migrations/RevealCredential';
import { useMigrations } from '../migrations/store';
import { useDialogs } from '../shell/dialogs';

/** The masked secrets of a live database container, each revealed on demand (read on its server, never stored). */
export function DatabaseCredentials({ environmentId, resourceId, resourceName, env }: { environmentId: string; resourceId: string; resourceName: string; env: Record<string, string> }) {
  const secrets = Object.entries(env).filter(([, value]) => value.includes(MASK));
  if (secrets.length === 0) return null;
  return (
    <>
      <h3>Credentials</h3>
      <ul className="plain-list" data-testid="detail-credentials">
        {secrets.map(([variable, masked]) => (
          <li key={variable}>
            <code>{variable}</code> <RevealCredential environmentId={environmentId} resourceId={resourceId} variable={variable} masked={masked} label={`${variable} of ${resourceName}`} />
          </li>
        ))}
      </ul>
    </>
  );
}

/**
 * "Rotate credentials…" of a live database (production's, where a shared or leaked password
 * matters): says what happens, asks for the environment's name in production, starts the
 * journaled run and shows its migration page.
 */
export function RotateCredentialsButton({ environment, resource, dependants }: { environment: { id: string; name: string; production: boolean }; resource: { id: string; name: string }; dependants: string[] }) {
  const [asking, setAsking] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const closeDialogs = useDialogs((state) => state.close);
  const openMigration = useMigrations((state) => state.openMigration);
  const ok = typedNameOk(environment.production, environment.name, typed);

  async function rotate() {
    if (!ok) return;
    setBusy(true);
    setError(null);
    const result = await invoke('credentials:rotate', { environmentId: environment.id, resourceId: resource.id });
    setBusy(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setAsking(false);
    closeDialogs();
    openMigration(result.value.migrationId);
  }

  const close = () => (setAsking(false), setTyped(''), setError(null));
  return (
    <>
      <button type="button" className="secondary" onClick={() => setAsking(true)}>
        Rotate credentials…
      </button>
      {asking ? (
        <Dialog open onClose={close} tone="danger" title={`Rotate the credentials of ${resource.name} in ${environment.name}?`} description={`Gantry gives ${resource.name} in ${environment.name} a new password, in this order:`}>
          <ol className="rotate-steps" data-testid="rotate-steps">
            <li>A verified backup of {resource.name} is taken first.</li>
            <li>The password is changed in the database itself (for PostgreSQL, ALTER ROLE), so the old one stops working there.</li>
            <li>
              Every resource in {environment.name} whose settings embed the old password (matched by value{dependants.length ? `; linked here: ${dependants.join(', ')}` : ''}) is recreated with the new one, in dependency order, each waiting until it is healthy; then {resource.name} itself.
            </li>
            <li>Afterwards the database refuses the old password. If any step fails, the previous containers and the old password are put back.</li>
          </ol>
          <p className="muted">The new password is never stored or logged: reveal it on this page afterwards.</p>
          <TypedNameConfirm production={environment.production} environmentName={environment.name} what={`${resource.name}’s password changes and its dependants are recreated.`} typed={typed} onTyped={setTyped} />
          <ErrorBanner message={error} />
          <DialogFooter status={environment.production && !ok ? <span className="muted">Type {environment.name} to enable the rotation.</span> : null}>
            <button type="button" className="secondary" autoFocus={!environment.production} onClick={close}>
              Keep the current password
            </button>
            <button type="button" className="danger" disabled={busy || !ok} onClick={() => void rotate()}>
              Rotate credentials
            </button>
          </DialogFooter>
        </Dialog>
      ) : null}
    </>
  );
}
