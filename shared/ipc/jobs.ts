import { z } from 'zod';

/** Kinds of long-running work that report through `job:event`. */
export const jobKind = z.enum(['selftest', 'server-probe', 'discovery', 'migration', 'rollback']);
/** A kind of long-running work. */
export type JobKind = z.infer<typeof jobKind>;

const jobEventBase = { jobId: z.string(), kind: jobKind, at: z.number() };

/**
 * Everything long-running work reports, on the single `job:event` channel.
 * `done`, `failed` and `cancelled` are terminal: exactly one of them ends every job.
 */
export const jobEvent = z.discriminatedUnion('type', [
  z.object({ ...jobEventBase, type: z.literal('started'), title: z.string() }),
  z.object({ ...jobEventBase, type: z.literal('progress'), percent: z.number().min(0).max(100), message: z.string().optional() }),
  z.object({ ...jobEventBase, type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
  z.object({ ...jobEventBase, type: z.literal('step'), step: z.string(), status: z.enum(['running', 'done', 'failed', 'skipped', 'undone']) }),
  z.object({ ...jobEventBase, type: z.literal('done'), result: z.unknown().optional() }),
  z.object({ ...jobEventBase, type: z.literal('failed'), error: z.object({ code: z.string(), message: z.string() }) }),
  z.object({ ...jobEventBase, type: z.literal('cancelled'), reason: z.string() }),
]);
/** One event of a job. */
export type JobEvent = z.infer<typeof jobEvent>;

/** The states a job can be in, as listed by `jobs:list`. */
export const jobState = z.enum(['running', 'done', 'failed', 'cancelled']);

/** A job as listed by `jobs:list`. */
export const jobSummary = z.object({
  jobId: z.string(),
  kind: jobKind,
  title: z.string(),
  state: jobState,
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  percent: z.number(),
});
/** A job as listed by `jobs:list`. */
export type JobSummary = z.infer<typeof jobSummary>;
