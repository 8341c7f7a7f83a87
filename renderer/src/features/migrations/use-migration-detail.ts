import { useCallback, useEffect, useRef, useState } from 'react';
import type { Result } from '@shared/ipc/result';
import type { MigrationDetail } from '@shared/migration/views';
import { invoke, on } from '../../lib/api';
import { useJobs } from '../jobs/store';

/**
 * One migration as the engine knows it (`migrations:get`), re-read whenever its status changes or
 * its job reports anything: the page shows what the engine journaled, so a reload loses nothing.
 */
export function useMigrationDetail(migrationId: string): { detail: MigrationDetail | null; error: string | null; reload: () => Promise<void> } {
  const [detail, setDetail] = useState<MigrationDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const jobId = useRef<string | null>(null);

  const apply = useCallback((result: Result<MigrationDetail>) => {
    if (result.ok) {
      jobId.current = result.value.migration.jobId;
      setDetail(result.value);
      setError(null);
    } else setError(result.error.message);
  }, []);

  const reload = useCallback(() => invoke('migrations:get', { migrationId }).then(apply), [migrationId, apply]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let live = true;
    const read = () => void invoke('migrations:get', { migrationId }).then((result) => live && apply(result));
    // Job events come in bursts (log lines); one read per burst is enough.
    const soon = () => {
      timer ??= setTimeout(() => {
        timer = null;
        read();
      }, 250);
    };
    read();
    const offChanged = on('migrations:changed', ({ migration }) => {
      if (migration.id === migrationId) soon();
    });
    // The jobs store is the one subscriber of `job:event`; follow this migration's job through it.
    const offJob = useJobs.subscribe((state, previous) => {
      const id = jobId.current;
      if (id && state.jobs[id] !== previous.jobs[id]) soon();
    });
    return () => {
      live = false;
      offChanged();
      offJob();
      if (timer) clearTimeout(timer);
    };
  }, [migrationId, apply]);

  return { detail, error, reload };
}
