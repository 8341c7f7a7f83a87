import type { Router } from '../ipc/router';
import { abortableDelay, type JobRegistry } from './registry';

/** Registers the `jobs:*` channels. */
export function registerJobHandlers(router: Router, jobs: JobRegistry): void {
  router.handle('jobs:list', () => ({ jobs: jobs.list() }));
  router.handle('jobs:cancel', ({ jobId }) => jobs.cancel(jobId));
  router.handle('jobs:selftest', ({ steps, stepMs }) => {
    const jobId = jobs.start('selftest', `Self-test (${steps} steps)`, async (job) => {
      for (let index = 1; index <= steps; index++) {
        job.step(`step ${index}`, 'running');
        await abortableDelay(stepMs, job.signal);
        job.step(`step ${index}`, 'done');
        job.progress((index / steps) * 100, `step ${index} of ${steps}`);
      }
      return { steps };
    });
    return { jobId };
  });
}
