import { useEffect } from 'react';
import { create } from 'zustand';
import type { JobEvent, JobSummary } from '@shared/ipc/jobs';
import { invoke, on } from '../../lib/api';

/** A job as the UI follows it: its summary plus the recent log and current step. */
export interface TrackedJob extends JobSummary {
  currentStep: string | null;
  log: { level: string; message: string; at: number }[];
  error: string | null;
}

interface JobsState {
  jobs: Record<string, TrackedJob>;
  apply(event: JobEvent): void;
  refresh(): Promise<void>;
}

const LOG_LIMIT = 500;

/** Every job the engine reports, fed by `job:event` and `jobs:list` (so a reload loses nothing). */
export const useJobs = create<JobsState>((set) => ({
  jobs: {},
  apply(event) {
    set((state) => {
      const previous: TrackedJob = state.jobs[event.jobId] ?? {
        jobId: event.jobId,
        kind: event.kind,
        title: event.type === 'started' ? event.title : event.kind,
        state: 'running',
        startedAt: event.at,
        endedAt: null,
        percent: 0,
        currentStep: null,
        log: [],
        error: null,
      };
      const next: TrackedJob = { ...previous };
      switch (event.type) {
        case 'started':
          next.title = event.title;
          break;
        case 'progress':
          next.percent = event.percent;
          break;
        case 'step':
          next.currentStep = event.status === 'running' ? event.step : next.currentStep;
          break;
        case 'log':
          next.log = [...previous.log, { level: event.level, message: event.message, at: event.at }].slice(-LOG_LIMIT);
          break;
        case 'done':
          Object.assign(next, { state: 'done', percent: 100, endedAt: event.at });
          break;
        case 'failed':
          Object.assign(next, { state: 'failed', endedAt: event.at, error: event.error.message });
          break;
        case 'cancelled':
          Object.assign(next, { state: 'cancelled', endedAt: event.at, error: event.reason });
          break;
      }
      return { jobs: { ...state.jobs, [event.jobId]: next } };
    });
  },
  async refresh() {
    const result = await invoke('jobs:list', {});
    if (!result.ok) return;
    set((state) => {
      const jobs = { ...state.jobs };
      for (const summary of result.value.jobs) {
        jobs[summary.jobId] = { currentStep: null, log: [], error: null, ...jobs[summary.jobId], ...summary };
      }
      return { jobs };
    });
  },
}));

/** Subscribes the jobs store to `job:event` for the lifetime of the app shell. */
export function useJobEvents(): void {
  const apply = useJobs((state) => state.apply);
  const refresh = useJobs((state) => state.refresh);
  useEffect(() => {
    const unsubscribe = on('job:event', apply);
    void refresh();
    return unsubscribe;
  }, [apply, refresh]);
}
