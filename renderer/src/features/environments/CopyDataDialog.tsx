import { useEffect, useState } from 'react';
import { formatBytes } from '@shared/format-bytes';
import type { CopyEstimate } from '@shared/migration/data-copy';
import { Dialog, DialogFooter } from '../../components/Dialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { invoke } from '../../lib/api';

import { useMigrations } from '../migrations/store';
import { useDialogs } from '../shell/dialogs';

type Prepared = { state: 'loading' } | { state: 'failed'; message: string } | { state: 'ready'; planId: string; estimate: CopyEstimate };

/**
 * "Copy data": replaces one database's data in an environment with the previous environment's
 * (both must have the resource; never into production). Shows the engine, the estimated size and
 * what is replaced; the operator ticks that they understand before the button does anything.
 */
export function CopyDataDialog({ projectId, resourceId, sourceEnvironmentId, targetEnvironmentId, title }: { projectId: string; resourceId: string; sourceEnvironmentId: string; targetEnvironmentId: string; title: string }) {
  const close = useDialogs((state) => state.close);
  const openMigration = useMigrations((state) => state.openMigration);
  const [prepared, setPrepared] = useState<Prepared>({ state: 'loading' });
  const [understood, setUnderstood] = useState(false);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void (async () => {
      const planned = await invoke('migrations:plan', { projectId, sourceEnvId: sourceEnvironmentId, targetEnvId: targetEnvironmentId, resourceIds: [resourceId] });
      if (!live) return;
      if (!planned.ok) return setPrepared({ state: 'failed', message: planned.error.message });
      const estimate = await invoke('data:estimate', { planId: planned.value.planId, resourceId });
      if (!live) return;
      setPrepared(estimate.ok ? { state: 'ready', planId: planned.value.planId, estimate: estimate.value } : { state: 'failed', message: estimate.error.message });
    })();
    return () => {
      live = false;
    };
  }, [projectId, resourceId, sourceEnvironmentId, targetEnvironmentId]);

  async function start() {
    if (prepared.state !== 'ready' || !understood) return;
    setStarting(true);
    setError(null);
    const result = await invoke('data:copy', { planId: prepared.planId, resourceId, confirmation: prepared.estimate.confirmation });
    setStarting(false);
    if (!result.ok) return setError(result.error.message);
    close();
    openMigration(result.value.migrationId);
  }

  return (
    <Dialog open onClose={close} title={title} description="Test data only: a copy into production is never offered and the engine refuses it.">
      <div data-testid="copy-data-dialog">
        {prepared.state === 'loading' ? <p className="env-meta">Reading the source database&apos;s size…</p> : null}
        {prepared.state === 'failed' ? <ErrorBanner message={prepared.message} prefix="Cannot copy this data" /> : null}
        {prepared.state === 'ready' ? (
          <>
            <p>
              {prepared.estimate.engineLabel}: <code>{prepared.estimate.sourceContainer}</code> → <code>{prepared.estimate.targetContainer}</code>, about {formatBytes(prepared.estimate.estimateBytes)}.
            </p>
            <div className="banner warning" role="note">
              <p>
                <strong>{prepared.estimate.confirmation}.</strong> Gantry saves it on that server first and puts it back if the copy fails, is cancelled, or its checksums differ.
              </p>
              <label className="inline-check" htmlFor="copy-data-understood">
                <input id="copy-data-understood" type="checkbox" checked={understood} onChange={(event) => setUnderstood(event.target.checked)} />
                I understand that this data is replaced
              </label>
            </div>
          </>
        ) : null}
        <ErrorBanner message={error} prefix="The copy did not start" />
      </div>
      <DialogFooter>
        <button type="button" className="secondary" onClick={close}>
          Cancel
        </button>
        <button type="button" disabled={prepared.state !== 'ready' || !understood || starting} onClick={() => void start()}>
          {starting ? 'Starting…' : 'Replace the data'}
        </button>
      </DialogFooter>
    </Dialog>
  );
}
