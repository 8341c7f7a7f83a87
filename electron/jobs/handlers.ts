import type { Router } from '../ipc/router';
import type { JobRegistry } from './registry';

/** Registers the `jobs:*` channels. */
export function registerJobHandlers(router: Router, jobs: JobRegistry): void {
  router.handle('jobs:list', () => ({ jobs: jobs.list() }));
  router.handle('jobs:cancel', ({ jobId }) => jobs.cancel(jobId));
}
