import { useEffect, useId, useState } from 'react';
import type { DomainCheckView } from '@shared/domains/domain-change';
import { validateDomain } from '@shared/domains/domain-name';
import { Dialog, DialogFooter } from '../../components/Dialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { TypedNameConfirm, typedNameOk } from '../../components/TypedNameConfirm';
import { invoke } from '../../lib/api';
import { PrecheckList } from '../migrations/PrecheckList';
import { useMigrations } from '../migrations/store';
import { useDialogs } from '../shell/dialogs';

type Checked = { state: 'idle' } | { state: 'checking' } | { state: 'failed'; message: string } | { state: 'done'; typed: string; view: DomainCheckView };

/**
 * "Change domain…" on a resource's page, with its dialog: the domain it has now (read from the
 * server's proxy), the new one checked as it is typed (the reason shown), then the pre-checks asked
 * from the server before anything runs (routed elsewhere blocks; not resolving to the server
 * warns). Production asks for its name typed. Starting opens the run's migration page; its
 * Roll back brings the old domain back.
 */
export function ChangeDomainButton({ environment, resource }: { environment: { id: string; name: string; production: boolean; domain: string }; resource: { id: string; name: string } }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="secondary" onClick={() => setOpen(true)}>
        Change domain…
      </button>
      {open ? <ChangeDomainDialog environment={environment} resource={resource} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function ChangeDomainDialog({ environment, resource, onClose }: { environment: { id: string; name: string; production: boolean; domain: string }; resource: { id: string; name: string }; onClose: () => void }) {
  const id = useId();
  const closeDialogs = useDialogs((state) => state.close);
  const openMigration = useMigrations((state) => state.openMigration);
  const [current, setCurrent] = useState<{ state: 'loading' } | { state: 'known'; domain: string | null } | { state: 'failed'; message: string }>({ state: 'loading' });
  const [typed, setTyped] = useState('');
  const [checked, setChecked] = useState<Checked>({ state: 'idle' });
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const valid = typed.trim() === '' ? null : validateDomain(typed);

  useEffect(() => {
    let live = true;
    // An empty domain is refused, but the answer names the domain the proxy routes now.
    void invoke('domains:check', { environmentId: environment.id, resourceId: resource.id, domain: '' }).then((result) => {
      if (live) setCurrent(result.ok ? { state: 'known', domain: result.value.current } : { state: 'failed', message: result.error.message });
    });
    return () => {
      live = false;
    };
  }, [environment.id, resource.id]);

  async function check() {
    if (!valid?.ok) return;
    setChecked({ state: 'checking' });
    const result = await invoke('domains:check', { environmentId: environment.id, resourceId: resource.id, domain: typed });
    setChecked(result.ok ? { state: 'done', typed, view: result.value } : { state: 'failed', message: result.error.message });
  }

  async function change() {
    setBusy(true);
    setError(null);
    const result = await invoke('domains:change', { environmentId: environment.id, resourceId: resource.id, domain: typed, ...(environment.production ? { confirmation: confirm.trim() } : {}) });
    setBusy(false);
    if (!result.ok) return setError(result.error.message);
    onClose();
    closeDialogs();
    openMigration(result.value.migrationId);
  }

  const view = checked.state === 'done' && checked.typed === typed ? checked.view : null;
  const warned = view?.prechecks.some((each) => each.severity === 'warning') ?? false;
  const ready = view !== null && !view.blocking && typedNameOk(environment.production, environment.name, confirm);
  const oldDomain = current.state === 'known' ? current.domain : null;
  return (
    <Dialog open onClose={onClose} tone={environment.production ? 'danger' : 'normal'} title={`Change the domain of ${resource.name} in ${environment.name}`} description="The proxy on the server routes the new domain to it and gets its certificate; the old domain stops being served. Roll back the run to bring the old one back.">
      <div className="change-domain" data-testid="change-domain-dialog">
        <p data-testid="change-domain-current">{current.state === 'loading' ? 'Reading the domain it has now…' : current.state === 'failed' ? null : oldDomain ? `Now: https://${oldDomain}` : 'It has no domain yet.'}</p>
        <ErrorBanner message={current.state === 'failed' ? current.message : null} prefix="Could not read its domain" />
        <div className="domain-field">
          <label htmlFor={id}>New domain</label>
          <input
            id={id}
            data-testid="change-domain-input"
            type="text"
            spellCheck={false}
            autoComplete="off"
            autoFocus
            placeholder={environment.domain ? `${resource.name}.${environment.domain}` : 'shop.example.com'}
            value={typed}
            aria-invalid={valid !== null && !valid.ok}
            aria-describedby={`${id}-note`}
            onChange={(event) => setTyped(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') void check();
            }}
          />
          <span id={`${id}-note`} className={valid && !valid.ok ? 'domain-note bad' : 'domain-note muted'} data-testid="change-domain-note">
            {valid === null ? 'Enter the new domain (no scheme, path or port).' : valid.ok ? `${valid.url}${valid.unicode ? ` (${valid.unicode})` : ''}` : valid.reason}
          </span>
        </div>
        {checked.state === 'checking' ? <p className="muted">Asking {environment.name}’s server about {typed}…</p> : null}
        <ErrorBanner message={checked.state === 'failed' ? checked.message : null} prefix="The pre-checks could not run" />
        {view ? <PrecheckList prechecks={view.prechecks.map((each) => ({ ...each, check: 'domain' as const }))} /> : null}
        {view && !view.blocking ? <TypedNameConfirm production={environment.production} environmentName={environment.name} what={`${resource.name} moves from ${oldDomain ?? 'no domain'} to ${view.domain}.`} typed={confirm} onTyped={setConfirm} /> : null}
        <ErrorBanner message={error} prefix="The domain was not changed" />
      </div>
      <DialogFooter status={view?.blocking ? <span className="muted">A blocking pre-check stops the change.</span> : environment.production && view && !ready ? <span className="muted">Type {environment.name} to enable the change.</span> : null}>
        <button type="button" className="secondary" onClick={onClose}>
          Keep the current domain
        </button>
        <button type="button" className={view ? 'secondary' : ''} disabled={!valid?.ok || checked.state === 'checking'} onClick={() => void check()}>
          Check the domain
        </button>
        {view ? (
          <button type="button" className={environment.production ? 'danger' : ''} disabled={!ready || busy} onClick={() => void change()}>
            {busy ? 'Starting…' : warned ? 'Change domain despite the warning' : 'Change domain'}
          </button>
        ) : null}
      </DialogFooter>
    </Dialog>
  );
}
