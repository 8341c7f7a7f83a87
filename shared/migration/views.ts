/**
 * Migrations as they cross IPC: requests the operator makes, and the records the UI shows.
 * Plans are always masked before they leave the engine.
 */
import { z } from 'zod';
import type { MigrationPlan } from './plan';
import { planChoices } from './plan-input';
import { migrationStatus } from './status';

const id = z.string().min(1).max(100);

/** Asks for a dry run: the plan, diff and pre-checks, touching nothing. */
export const planRequest = planChoices.extend({ projectId: id }).strict();

/** Options the operator sets before starting a planned migration. */
export const runOptions = z
  .object({
    /** Wait for the health gate before calling a resource done. */
    waitForReady: z.boolean().default(true),
    /** Longest wait per resource, in seconds. */
    healthTimeoutSec: z.number().int().min(5).max(3600).default(300),
    /**
     * For a resource without a Docker health check that publishes a port: the path Gantry GETs on
     * the server (`http://127.0.0.1:<published port><path>`) until it answers 2xx.
     */
    httpCheckPath: z
      .string()
      .max(200)
      .regex(/^\/[\x21-\x7e]*$/, 'An HTTP check path starts with / and has no spaces, e.g. /health.')
      .nullable()
      .default(null),
    /** Take a verified backup of each production database before the run changes it; false only by the operator's explicit choice, which the run's record shows. */
    backupBeforeProduction: z.boolean().optional(),
    /** Database resources whose data is copied from the source after they are up (test data; never into production). */
    copyData: z.array(z.string().min(1)).max(500).optional(),
    /** Most resources of a batch running at once on the target server (the settings' value when absent). */
    batchConcurrency: z.number().int().min(1).max(20).optional(),
    /** Undo the whole batch when any resource fails (by default only it and what depends on it). */
    allOrNothing: z.boolean().optional(),
  })
  .strict();

/** A plan as the UI receives it: masked, with the id `migrations:start` takes. */
export const planView = z.object({
  planId: z.string(),
  expiresAt: z.number(),
  plan: z.custom<MigrationPlan>(),
});

/** One migration in lists and history. */
export const migrationSummary = z.object({
  id: z.string(),
  kind: z.enum(['migrate', 'rollback']),
  status: migrationStatus,
  projectId: z.string().nullable(),
  sourceEnvironmentId: z.string().nullable(),
  targetEnvironmentId: z.string(),
  sourceName: z.string().nullable(),
  targetName: z.string(),
  resources: z.array(z.object({ resourceId: z.string(), name: z.string(), mode: z.enum(['clone', 'promote', 'unchanged', 'restore']) })),
  rollbackOf: z.string().nullable(),
  rolledBackBy: z.string().nullable(),
  /** A "Change domain" run, or the undo of one (`undo`): which resource, from which domain to which. Null for any other run. */
  domainChange: z.object({ resourceName: z.string(), from: z.string().nullable(), to: z.string(), undo: z.boolean() }).nullable(),
  jobId: z.string().nullable(),
  message: z.string().nullable(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
});
/** One migration in lists and history. */
export type MigrationSummary = z.infer<typeof migrationSummary>;

/** One journaled step as the detail page shows it. */
export const migrationStepView = z.object({
  seq: z.number(),
  stepId: z.string(),
  title: z.string(),
  status: z.string(),
  error: z.string().nullable(),
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
});

/** Everything the migration detail page shows; it comes from the engine, so a reload loses nothing. */
export const migrationDetail = z.object({
  migration: migrationSummary,
  plan: z.custom<MigrationPlan>().nullable(),
  steps: z.array(migrationStepView),
  log: z.array(z.object({ at: z.number(), level: z.string(), message: z.string() })),
  /** Percent done, from the steps journaled so far. */
  percent: z.number(),
  canCancel: z.boolean(),
  canRollBack: z.boolean(),
});
/** Everything the migration detail page shows. */
export type MigrationDetail = z.infer<typeof migrationDetail>;

/** Filters of the migration history. */
export const migrationFilter = z
  .object({
    projectId: id.optional(),
    environmentId: id.optional(),
    resourceId: id.optional(),
    status: migrationStatus.optional(),
    limit: z.number().int().min(1).max(1000).default(200),
  })
  .strict();
