/**
 * What the Settings page shows and changes: the defaults the migrate wizard starts from, whether
 * the OS keychain can keep secrets, and where this Gantry keeps its data.
 */
import { z } from 'zod';

/** Bounds of the health timeout, shared by the wizard's check and the settings. */
export const HEALTH_TIMEOUT_BOUNDS = { min: 5, max: 3600 } as const;

/** An HTTP check path as the engine's run options accept it: starts with /, printable ASCII, no spaces. */
export const httpCheckPath = z.string().max(200).regex(/^\/[\x21-\x7e]*$/, 'An HTTP check path starts with / and has no spaces, e.g. /health.');

/** The run options a new migration, rollback or restore starts with. */
export const runDefaults = z.object({
  healthTimeoutSec: z.number().int().min(HEALTH_TIMEOUT_BOUNDS.min).max(HEALTH_TIMEOUT_BOUNDS.max),
  httpCheckPath: httpCheckPath.nullable(),
  /** Most resources of a batch migration running at once on one server (absent: the factory value). */
  batchConcurrency: z.number().int().min(1).max(20).optional(),
});
/** The run options a new migration, rollback or restore starts with. */
export type RunDefaults = z.infer<typeof runDefaults>;

/** Run defaults before the operator changes them. */
export const FACTORY_RUN_DEFAULTS: RunDefaults = { healthTimeoutSec: 300, httpCheckPath: null };

/** Resources of a batch running at once on one server before the operator changes it. */
export const FACTORY_BATCH_CONCURRENCY = 4;

/** Everything the Settings page shows. */
export const settingsView = z.object({
  defaults: runDefaults,
  keychain: z.object({ usable: z.boolean(), message: z.string() }),
  dataDir: z.string(),
  databaseFile: z.string(),
  logFile: z.string(),
});
/** Everything the Settings page shows. */
export type SettingsView = z.infer<typeof settingsView>;
