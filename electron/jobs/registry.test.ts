import { describe, expect, it } from 'vitest';
import type { JobEvent } from '@shared/ipc/jobs';
import { GantryError } from '@shared/ipc/result';
import { abortableDelay, JobRegistry } from './registry';

function recordingRegistry() {
  const events: JobEvent[] = [];
  return { events, jobs: new JobRegistry((event) => events.push(event)) };
}

describe('JobRegistry', () => {
  it('returns the job id before the work runs, then reports progress and ends with done', async () => {
    const { events, jobs } = recordingRegistry();
    let ran = false;
    const jobId = jobs.start('selftest', 'demo', async (job) => {
      ran = true;
      job.step('one', 'running');
      job.progress(50, 'half');
      job.log('info', 'hello');
      return 42;
    });
    expect(ran).toBe(false);
    const end = await jobs.finished(jobId);
    expect(end).toMatchObject({ type: 'done', result: 42 });
    expect(events.map((e) => e.type)).toEqual(['started', 'step', 'progress', 'log', 'done']);
    expect(jobs.list()[0]).toMatchObject({ jobId, state: 'done', percent: 100 });
  });

  it('cancels a running job at its next step boundary and ends it with cancelled, never done', async () => {
    const { events, jobs } = recordingRegistry();
    let stepsCompleted = 0;
    const jobId = jobs.start('selftest', 'slow', async (job) => {
      for (let i = 0; i < 100; i++) {
        await abortableDelay(20, job.signal);
        stepsCompleted++;
      }
    });
    await new Promise((r) => setTimeout(r, 70));
    expect(jobs.cancel(jobId)).toEqual({ cancelled: true, state: 'running' });
    const end = await jobs.finished(jobId);
    expect(end).toMatchObject({ type: 'cancelled', reason: 'Cancelled by the operator' });
    expect(stepsCompleted).toBeLessThan(100);
    expect(events.filter((e) => ['done', 'failed', 'cancelled'].includes(e.type))).toHaveLength(1);
    expect(jobs.cancel(jobId)).toEqual({ cancelled: false, state: 'cancelled' });
  });

  it('lets work that checks throwIfCancelled stop even if it ignores the signal otherwise', async () => {
    const { jobs } = recordingRegistry();
    const jobId = jobs.start('selftest', 'cooperative', async (job) => {
      await new Promise((r) => setTimeout(r, 30));
      job.throwIfCancelled();
      return 'finished anyway';
    });
    jobs.cancel(jobId, 'operator changed their mind');
    expect(await jobs.finished(jobId)).toMatchObject({ type: 'cancelled', reason: 'operator changed their mind' });
  });

  it('reports a failure with the GantryError code and message', async () => {
    const { jobs } = recordingRegistry();
    const jobId = jobs.start('selftest', 'broken', async () => {
      throw new GantryError('disk_full', 'uat has 1% free disk');
    });
    expect(await jobs.finished(jobId)).toMatchObject({ type: 'failed', error: { code: 'disk_full', message: 'uat has 1% free disk' } });
  });

  it('says clearly when a job id is unknown', () => {
    const { jobs } = recordingRegistry();
    expect(() => jobs.cancel('nope')).toThrow(/No job with id nope/);
  });

  it('cancelAll stops every running job and waits for them', async () => {
    const { jobs } = recordingRegistry();
    const ids = [1, 2, 3].map(() => jobs.start('selftest', 'long', (job) => abortableDelay(10_000, job.signal)));
    await jobs.cancelAll();
    for (const id of ids) expect(jobs.list().find((j) => j.jobId === id)?.state).toBe('cancelled');
  });
});
