import { randomUUID } from 'node:crypto';
import type { JobEvent, JobKind, JobSummary } from '@shared/ipc/jobs';
import { GantryError } from '@shared/ipc/result';

/** What running work receives: its cancellation signal and the ways to report. */
export interface JobContext {
  readonly jobId: string;
  readonly signal: AbortSignal;
  progress(percent: number, message?: string): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  step(step: string, status: 'running' | 'done' | 'failed' | 'skipped' | 'undone'): void;
  /** Throws a `cancelled` GantryError if the job was cancelled: call it at step boundaries. */
  throwIfCancelled(): void;
}

/** The function that does a job's work. */
export type JobRun<T> = (job: JobContext) => Promise<T>;

interface JobRecord {
  summary: JobSummary;
  controller: AbortController;
  finished: Promise<JobEvent>;
}

/** Receives every job event (the app forwards them to `job:event`). */
export type JobEventSink = (event: JobEvent) => void;

/**
 * Long-running work: `start` returns a job id at once, the work runs in the background and
 * reports on the sink, `cancel` aborts its signal. Every job ends with exactly one of
 * `done`, `failed` or `cancelled`.
 */
export class JobRegistry {
  private readonly jobs = new Map<string, JobRecord>();

  constructor(
    private readonly emit: JobEventSink,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts work in the background and returns its job id immediately. */
  start<T>(kind: JobKind, title: string, run: JobRun<T>): string {
    const jobId = randomUUID();
    const controller = new AbortController();
    const summary: JobSummary = { jobId, kind, title, state: 'running', startedAt: this.now(), endedAt: null, percent: 0 };
    const base = () => ({ jobId, kind, at: this.now() });
    const context: JobContext = {
      jobId,
      signal: controller.signal,
      progress: (percent, message) => {
        if (summary.state !== 'running') return;
        summary.percent = Math.max(0, Math.min(100, percent));
        this.emit({ ...base(), type: 'progress', percent: summary.percent, ...(message ? { message } : {}) });
      },
      log: (level, message) => summary.state === 'running' && this.emit({ ...base(), type: 'log', level, message }),
      step: (step, status) => summary.state === 'running' && this.emit({ ...base(), type: 'step', step, status }),
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw cancelledError(controller.signal);
      },
    };

    this.emit({ ...base(), type: 'started', title });
    const finished = (async (): Promise<JobEvent> => {
      // Yield once so the caller receives the job id before any work (or failure) happens.
      await Promise.resolve();
      let event: JobEvent;
      try {
        const result = await run(context);
        event = controller.signal.aborted
          ? { ...base(), type: 'cancelled', reason: reasonOf(controller.signal) }
          : { ...base(), type: 'done', result };
      } catch (error) {
        if (controller.signal.aborted) {
          event = { ...base(), type: 'cancelled', reason: reasonOf(controller.signal) };
        } else {
          const code = error instanceof GantryError ? error.code : 'internal';
          const message = error instanceof Error ? error.message : String(error);
          event = { ...base(), type: 'failed', error: { code, message } };
        }
      }
      summary.state = event.type === 'done' ? 'done' : event.type === 'cancelled' ? 'cancelled' : 'failed';
      summary.endedAt = this.now();
      if (summary.state === 'done') summary.percent = 100;
      this.emit(event);
      return event;
    })();
    this.jobs.set(jobId, { summary, controller, finished });
    return jobId;
  }

  /** Asks a running job to stop; it ends with `cancelled` at its next step boundary. */
  cancel(jobId: string, reason = 'Cancelled by the operator'): { cancelled: boolean; state: JobSummary['state'] } {
    const job = this.jobs.get(jobId);
    if (!job) throw new GantryError('not_found', `No job with id ${jobId}. It may have finished before Gantry restarted.`);
    if (job.summary.state !== 'running') return { cancelled: false, state: job.summary.state };
    job.controller.abort(new GantryError('cancelled', reason));
    return { cancelled: true, state: job.summary.state };
  }

  /** Every job this process has run, newest first. */
  list(): JobSummary[] {
    return [...this.jobs.values()].map((job) => ({ ...job.summary })).sort((a, b) => b.startedAt - a.startedAt);
  }

  /** Resolves with the terminal event of a job. */
  async finished(jobId: string): Promise<JobEvent> {
    const job = this.jobs.get(jobId);
    if (!job) throw new GantryError('not_found', `No job with id ${jobId}.`);
    return job.finished;
  }

  /** Cancels every running job and waits for all of them to end (used on quit). */
  async cancelAll(reason = 'Gantry is shutting down'): Promise<void> {
    for (const [jobId, job] of this.jobs) if (job.summary.state === 'running') this.cancel(jobId, reason);
    await Promise.all([...this.jobs.values()].map((job) => job.finished));
  }
}

function reasonOf(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : 'Cancelled';
}

function cancelledError(signal: AbortSignal): GantryError {
  return new GantryError('cancelled', reasonOf(signal));
}

/** Waits `ms` milliseconds, or rejects as soon as `signal` aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(cancelledError(signal));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
