import { z } from 'zod';
import { waitForReady } from '../health-gate';
import { DatabaseAdapterError } from '../../databases/adapter';
import { adapterFor, detectDatabase } from '../../databases/registry';
import { httpCheckOf, type ExecutionContext } from './step-context';
import { defineStep } from './step-module';

/**
 * A database resource's readiness query for the gate: the engine its spec shows (sure or not, the
 * query only reads), built by its adapter; none when the spec says no engine or lacks what the query needs.
 */
function readinessQueryOf(context: ExecutionContext, resourceId: string | null, container: string): { query?: { command: string; engine: string } } {
  const resource = resourceId ? context.resources.get(resourceId) : undefined;
  if (resource?.kind !== 'database') return {};
  const detected = detectDatabase(resource.desiredSpec).best;
  if (!detected) return {};
  try {
    const adapter = adapterFor(detected.type);
    return { query: { command: adapter.commands({ container, spec: resource.desiredSpec }).readiness, engine: adapter.label } };
  } catch (error) {
    if (error instanceof DatabaseAdapterError) return {};
    throw error;
  }
}

/** The health gate: Docker's health check, else a database's readiness query, else the operator's HTTP check, else stays running. Nothing to undo. */
export const waitHealthyStep = defineStep({
  kind: 'wait-healthy',
  result: z.object({ ready: z.boolean() }),
  async run(step, context, job) {
    const name = step.params.containerName;
    const timeoutMs = context.waitForReady ? Math.min(step.params.timeoutMs, context.healthTimeoutMs) : 3000;
    const readiness = await waitForReady(context.target, name, {
      timeoutMs,
      http: httpCheckOf(context, step.resourceId ?? null),
      ...readinessQueryOf(context, step.resourceId ?? null, name),
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
