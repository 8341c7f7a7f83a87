import { useEffect, useId, useState } from 'react';
import type { ResponseOf } from '@shared/ipc/contract';
import type { WebhookReminder } from '@shared/migration/webhook-reminders';
import { ErrorBanner } from '../../components/ErrorBanner';
import { invoke } from '../../lib/api';
import { useNavigation } from '../shell/navigation';
import { RevealCredential } from './RevealCredential';
import './production-follow-up.css';

type NewCredentials = ResponseOf<'credentials:new'>;

/**
 * What a completed production run leaves to the operator: the credentials it generated (named,
 * each revealed on demand from the live container) and, after a first clone, what still points
 * at the environment before production (webhook reminders, with "Register GitHub webhook").
 */
export function ProductionFollowUp({ migrationId, completed }: { migrationId: string; completed: boolean }) {
  const [credentials, setCredentials] = useState<NewCredentials | null>(null);
  const [reminders, setReminders] = useState<WebhookReminder[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!completed) return undefined;
    let live = true;
    void invoke('credentials:new', { migrationId }).then((result) => live && (result.ok ? setCredentials(result.value) : setError(result.error.message)));
    void invoke('webhooks:reminders', { migrationId }).then((result) => live && (result.ok ? setReminders(result.value.reminders) : setError(result.error.message)));
    return () => {
      live = false;
    };
  }, [migrationId, completed]);

  if (!completed) return null;
  const environmentId = credentials?.environmentId ?? null;
  return (
    <>
      <ErrorBanner message={error} />
      {credentials && environmentId && credentials.credentials.length ? (
        <section aria-labelledby={`new-credentials-${migrationId}`} data-testid="new-credentials">
          <h2 id={`new-credentials-${migrationId}`}>New credentials</h2>
          <p className="muted">Generated for this run and set in production; never stored or logged. Reveal one to copy it into your password manager.</p>
          <ul className="plain-list">
            {credentials.credentials.map((credential) => (
              <li key={`${credential.resourceId}:${credential.variable}`}>
                {credential.resourceName} <code>{credential.variable}</code> <RevealCredential environmentId={environmentId} resourceId={credential.resourceId} variable={credential.variable} label={`${credential.variable} of ${credential.resourceName}`} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {reminders.length ? <WebhookReminders reminders={reminders} /> : null}
    </>
  );
}

/** The reminders of a first clone into production: each names where it was found, and the production URL to configure. */
function WebhookReminders({ reminders }: { reminders: WebhookReminder[] }) {
  const [tokenSaved, setTokenSaved] = useState<boolean | null>(null);
  useEffect(() => {
    void invoke('webhooks:github-token', {}).then((result) => setTokenSaved(result.ok ? result.value.saved : false));
  }, []);
  const go = useNavigation((state) => state.go);
  return (
    <section aria-labelledby="webhook-reminders-title" data-testid="webhook-reminders">
      <h2 id="webhook-reminders-title">Still pointing at the environment before production</h2>
      <p className="muted">These name a git repository or a webhook. Point each at production once it is live here.</p>
      {tokenSaved === false && reminders.some((reminder) => reminder.githubRepository) ? (
        <p className="banner warning" data-testid="github-token-missing">
          To register a GitHub webhook from here, save a GitHub token first (it is kept in the keychain).{' '}
          <button type="button" className="link" onClick={() => go('settings')}>
            Open Settings
          </button>
        </p>
      ) : null}
      <ul className="reminder-list">
        {reminders.map((reminder) => (
          <li key={`${reminder.resourceId}:${reminder.site}:${reminder.key}`} className="reminder" data-testid="webhook-reminder" data-key={reminder.key}>
            <p>
              <strong>{reminder.resourceName}</strong> {reminder.site === 'label' ? 'label' : 'env'} <code>{reminder.key}</code> = <code>{reminder.value}</code>
            </p>
            <p>{reminder.productionUrl ? <>Configure it to production’s URL: <code data-testid="production-url">{reminder.productionUrl}</code></> : 'Production has no domain for it yet: configure it once it has one.'}</p>
            {reminder.githubRepository ? <RegisterGithubHook repository={reminder.githubRepository} productionUrl={reminder.productionUrl} /> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

type Registration = { state: 'idle' } | { state: 'busy' } | { state: 'done'; hookId: number; url: string } | { state: 'failed'; message: string };

/** "Register GitHub webhook" for one repository: the URL GitHub delivers to (production's, editable), a new secret kept in the keychain. */
function RegisterGithubHook({ repository, productionUrl }: { repository: string; productionUrl: string | null }) {
  const id = useId();
  const [url, setUrl] = useState(productionUrl ?? '');
  const [registration, setRegistration] = useState<Registration>({ state: 'idle' });
  const problem = urlProblem(url);

  async function register() {
    if (problem) return;
    setRegistration({ state: 'busy' });
    const result = await invoke('webhooks:register-github', { repository, url: url.trim() });
    setRegistration(result.ok ? { state: 'done', hookId: result.value.hookId, url: url.trim() } : { state: 'failed', message: result.error.message });
  }

  return (
    <div className="register-hook" data-testid="register-github-hook" data-state={registration.state}>
      <label htmlFor={id}>Payload URL for {repository}</label>
      <div className="row">
        <input id={id} value={url} placeholder="https://shop.example.com/hooks/github" onChange={(event) => (setUrl(event.target.value), setRegistration({ state: 'idle' }))} aria-invalid={url && problem ? true : undefined} />
        <button type="button" className="secondary" disabled={Boolean(problem) || registration.state === 'busy' || registration.state === 'done'} onClick={() => void register()}>
          Register GitHub webhook
        </button>
      </div>
      {url && problem ? <span className="field-hint warn-text">{problem}</span> : null}
      {registration.state === 'done' ? (
        <p className="banner ok" role="status" data-testid="hook-registered">
          GitHub webhook {registration.hookId} registered on {repository}: GitHub sends push events to {registration.url}, signed with a new secret kept in the keychain.
        </p>
      ) : null}
      <ErrorBanner message={registration.state === 'failed' ? registration.message : null} prefix="The webhook was not registered" testId="hook-failed" />
    </div>
  );
}

/** Why `url` is not a URL GitHub can deliver to, or null. */
function urlProblem(url: string): string | null {
  const trimmed = url.trim();
  if (!trimmed) return 'Type the URL GitHub should send its events to.';
  try {
    const parsed = new URL(trimmed);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? null : 'GitHub delivers only to http(s) URLs.';
  } catch {
    return 'Not a URL: write it like https://shop.example.com/hooks/github.';
  }
}
