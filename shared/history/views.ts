/**
 * Per-resource spec history as it crosses IPC: the timeline of one resource in one environment
 * (each recorded spec with its hash and the migration that produced it) and the diff of any two
 * entries. Specs are stored sealed and reach the UI masked: no secret is ever in clear text.
 */
import { z } from 'zod';

const id = z.string().min(1).max(100);

/** One recorded spec of a resource in an environment. */
export const historyEntry = z.object({
  id: z.number(),
  /** adopted | migrated | rolled_back | accepted_drift */
  event: z.string(),
  at: z.number(),
  specHash: z.string(),
  /** The migration (or rollback) that recorded this spec, when one did. */
  migrationId: z.string().nullable(),
  /**
   * The migration to roll back to get this spec back ("restore this snapshot"): the completed
   * migration that recorded the entry right after this one. Null when there is none.
   */
  restoreByRollingBack: z.string().nullable(),
  /**
   * Where this spec can be restored from on its own ("restore this snapshot"): the migration that
   * replaced it kept a snapshot of it on the server. Null for the current entry and when none did.
   */
  restoreFrom: z.object({ migrationId: z.string(), resourceId: z.string() }).nullable(),
});
/** One recorded spec of a resource in an environment. */
export type HistoryEntry = z.infer<typeof historyEntry>;

/** Requests of the history channels. */
export const historyRequests = {
  timeline: z.object({ resourceId: id, environmentId: id }).strict(),
  diff: z.object({ fromId: z.number().int().positive(), toId: z.number().int().positive() }).strict(),
} as const;

/** The diff of two history entries: a unified diff of their normalized, masked specs. */
export const historyDiff = z.object({
  from: historyEntry.pick({ id: true, at: true, specHash: true, event: true }),
  to: historyEntry.pick({ id: true, at: true, specHash: true, event: true }),
  unified: z.string(),
});
/** The diff of two history entries. */
export type HistoryDiff = z.infer<typeof historyDiff>;
