import { z } from 'zod';
import { waitForReady } from '../health-gate';
import { httpCheckOf } from './step-context';
import { defineStep } from './step-module';

/** The health gate: Docker's health check, else the operator's HTTP check, else stays running. Nothing to undo. */
export const waitHealthyStep = defineStep({
  kind: 'wait-healthy',
  result: z.object({ ready: z.boolean() }),
  async run(step, context, job) {
    const name = step.params.containerName;
    const timeoutMs = context.waitForReady ? Math.min(step.params.timeoutMs, context.healthTimeoutMs) : 3000;
    const readiness = await waitForReady(context.target, name, {
      timeoutMs,
      http: httpCheckOf(context, step.resourceId ?? null),
      stableMs: context.waitForReady ? 5000 : 1000,
      signal: job.signal,
      onWait: (reason) => job.progress(50, reason),
    });
    if (readiness.ready) {
      job.log('info', `${name} is ready (${readiness.how}, ${(readiness.afterMs / 1000).toFixed(1)} s)`);
    } else if (context.waitForReady) {
      context.warnings.push(`${name}: ${readiness.reason}`);
      job.log('warn', `${name} is running but not confirmed healthy: ${readiness.reason}`);
    }
    return { ready: readiness.ready };
  },
});
