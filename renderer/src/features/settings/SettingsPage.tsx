import { useState } from 'react';
import { invoke } from '../../lib/api';
import { useJobs } from '../jobs/store';
import { useAppInfo } from './store';

/** Settings: what this Gantry is and where it keeps its data, plus a check that long work reports back. */
export function SettingsPage() {
  const info = useAppInfo((state) => state.info);
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useJobs((state) => (jobId ? state.jobs[jobId] : undefined));

  async function runSelfTest() {
    setError(null);
    const result = await invoke('jobs:selftest', { steps: 10, stepMs: 300 });
    if (result.ok) setJobId(result.value.jobId);
    else setError(result.error.message);
  }

  async function cancel() {
    if (!jobId) return;
    const result = await invoke('jobs:cancel', { jobId });
    if (!result.ok) setError(result.error.message);
  }

  return (
    <section className="page" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <h2>About this Gantry</h2>
      {info ? (
        <dl className="facts" data-testid="app-info">
          <dt>Version</dt>
          <dd data-testid="app-version">{info.version}</dd>
          <dt>Connected through</dt>
          <dd data-testid="app-bridge">{info.bridge === 'browser' ? 'browser mode (loopback WebSocket)' : 'Electron IPC'}</dd>
          <dt>Data folder</dt>
          <dd data-testid="app-data-dir">{info.dataDir}</dd>
          <dt>Database schema</dt>
          <dd>version {info.schemaVersion}</dd>
          <dt>Engine</dt>
          <dd>
            Node {info.nodeVersion} on {info.platform}
          </dd>
        </dl>
      ) : (
        <p>Loading…</p>
      )}
      <h2>Engine self-test</h2>
      <p>Runs a short background job so you can see progress reporting and cancellation work.</p>
      <div className="row">
        <button type="button" onClick={() => void runSelfTest()} disabled={job?.state === 'running'}>
          Run self-test
        </button>
        <button type="button" className="secondary" onClick={() => void cancel()} disabled={job?.state !== 'running'}>
          Cancel
        </button>
      </div>
      {error ? <p role="alert" className="banner error">{error}</p> : null}
      {job ? (
        <div className="job" data-testid="selftest-job" data-state={job.state}>
          <progress max={100} value={job.percent} aria-label="Self-test progress" />
          <span>
            {job.state === 'running' ? `${Math.round(job.percent)}% · ${job.currentStep ?? ''}` : job.state}
            {job.error ? ` — ${job.error}` : ''}
          </span>
        </div>
      ) : null}
    </section>
  );
}
