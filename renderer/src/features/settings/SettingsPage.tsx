import { useEffect, useState } from 'react';
import { FACTORY_BATCH_CONCURRENCY, HEALTH_TIMEOUT_BOUNDS, httpCheckPath as httpCheckPathSchema, type RunDefaults } from '@shared/settings/settings-view';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useAppInfo, useSettings } from './store';
import { BackupRetention, GithubToken } from './ProductionSettings';

/** Settings: the defaults every run starts with, whether secrets can be kept, and where the data lives. */
export function SettingsPage() {
  const info = useAppInfo((state) => state.info);
  const view = useSettings((state) => state.view);
  const error = useSettings((state) => state.error);
  const load = useSettings((state) => state.load);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="page" aria-labelledby="settings-title" data-settings-loaded={view ? 'true' : 'false'}>
      <h1 id="settings-title">Settings</h1>
      <ErrorBanner message={error} />
      <h2>Run defaults</h2>
      {view ? <RunDefaultsForm defaults={view.defaults} /> : <p>Loading…</p>}
      <h2>Production backups</h2>
      <BackupRetention />
      <h2>GitHub</h2>
      <GithubToken />
      <h2>Keychain</h2>
      {view ? (
        <p className={view.keychain.usable ? 'banner ok' : 'banner warning'} data-testid="keychain-status" data-usable={view.keychain.usable ? 'true' : 'false'}>
          <strong>{view.keychain.usable ? 'Usable. ' : 'Not usable. '}</strong>
          {view.keychain.message}
        </p>
      ) : null}
      <h2>Data</h2>
      {view && info ? (
        <dl className="facts" data-testid="app-info">
          <dt>Data folder</dt>
          <dd data-testid="app-data-dir">{view.dataDir}</dd>
          <dt>Database</dt>
          <dd>
            {view.databaseFile} (schema version {info.schemaVersion})
          </dd>
          <dt>Log file</dt>
          <dd>{view.logFile}</dd>
          <dt>Version</dt>
          <dd data-testid="app-version">{info.version}</dd>
          <dt>Connected through</dt>
          <dd data-testid="app-bridge">{info.bridge === 'browser' ? 'browser mode (loopback WebSocket)' : 'Electron IPC'}</dd>
          <dt>Engine</dt>
          <dd>
            Node {info.nodeVersion} on {info.platform}
          </dd>
        </dl>
      ) : null}
    </section>
  );
}

function RunDefaultsForm({ defaults }: { defaults: RunDefaults }) {
  const saveDefaults = useSettings((state) => state.saveDefaults);
  const [timeout, setTimeoutValue] = useState(String(defaults.healthTimeoutSec));
  const [path, setPath] = useState(defaults.httpCheckPath ?? '');
  const [concurrency, setConcurrency] = useState(String(defaults.batchConcurrency ?? FACTORY_BATCH_CONCURRENCY));
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const seconds = Number(timeout);
  const timeoutProblem = Number.isInteger(seconds) && seconds >= HEALTH_TIMEOUT_BOUNDS.min && seconds <= HEALTH_TIMEOUT_BOUNDS.max ? null : `The health timeout is a whole number of seconds between ${HEALTH_TIMEOUT_BOUNDS.min} and ${HEALTH_TIMEOUT_BOUNDS.max}.`;
  const pathCheck = path ? httpCheckPathSchema.safeParse(path) : null;
  const pathProblem = pathCheck && !pathCheck.success ? (pathCheck.error.issues[0]?.message ?? 'Not a path.') : null;
  const atOnce = Number(concurrency);
  const concurrencyProblem = Number.isInteger(atOnce) && atOnce >= 1 && atOnce <= 20 ? null : 'Resources at once per server is a whole number between 1 and 20.';
  const problem = timeoutProblem ?? pathProblem ?? concurrencyProblem;

  async function save(event: React.FormEvent) {
    event.preventDefault();
    if (problem) return;
    setSaved(false);
    const failure = await saveDefaults({ healthTimeoutSec: seconds, httpCheckPath: path || null, batchConcurrency: atOnce });
    setError(failure);
    setSaved(!failure);
  }

  return (
    <form className="form-grid" onSubmit={(event) => void save(event)} aria-label="Run defaults">
      <label htmlFor="settings-timeout">Default health timeout (s)</label>
      <input id="settings-timeout" inputMode="numeric" value={timeout} onChange={(event) => (setTimeoutValue(event.target.value.trim()), setSaved(false))} aria-invalid={timeoutProblem ? true : undefined} />
      <span className="field-hint">How long a migration, rollback or restore waits per resource for it to be ready. The migrate wizard starts with this value.</span>
      <label htmlFor="settings-http">Default HTTP check path</label>
      <input id="settings-http" value={path} onChange={(event) => (setPath(event.target.value.trim()), setSaved(false))} placeholder="/health (optional)" aria-invalid={pathProblem ? true : undefined} />
      <span className="field-hint">Asked on the server for a resource without a Docker health check that publishes a port. Empty: no HTTP check.</span>
      <label htmlFor="settings-batch">Resources at once per server</label>
      <input id="settings-batch" inputMode="numeric" value={concurrency} onChange={(event) => (setConcurrency(event.target.value.trim()), setSaved(false))} aria-invalid={concurrencyProblem ? true : undefined} />
      <span className="field-hint">A migration of several resources runs them in parallel by dependency level, at most this many at once on the target server (1: one after the other).</span>
      <span />
      <div className="row">
        <button type="submit" disabled={Boolean(problem)}>
          Save defaults
        </button>
        {saved ? (
          <span role="status" data-testid="defaults-saved">
            Saved.
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
