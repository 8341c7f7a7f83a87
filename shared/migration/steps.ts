/**
 * Step descriptors: what the engine will execute, in order, as plain data. Each kind maps to one
 * saga step with its own undo in the engine; the planner only decides which steps run, on what,
 * and in which order. Kinds the planner does not emit yet (backup, credential rotation, data
 * copy, domain, proxy reload) are declared so they compose the same way when they arrive.
 *
 * The target's migration lock is not a step: the engine holds it around the whole run.
 */
import { z } from 'zod';

const base = {
  /** Unique within a plan and stable across re-planning: `<kind>:<resourceId>`. */
  id: z.string().min(1),
  title: z.string().min(1),
  resourceId: z.string().optional(),
  /** What undoing the step does, in the operator's words; null when there is nothing to undo. */
  undo: z.string().nullable(),
};

const cronEntry = z.object({ taskName: z.string(), schedule: z.string(), command: z.string(), line: z.string(), marker: z.string() });

/** One step the engine executes. */
export const migrationStep = z.discriminatedUnion('kind', [
  /** Copies the image to the target server unless it already has that image id. */
  z.object({ ...base, kind: z.literal('transfer-image'), params: z.object({ imageRef: z.string(), imageId: z.string().nullable() }) }),
  /** Creates new, empty named volumes on the target. */
  z.object({ ...base, kind: z.literal('create-volumes'), params: z.object({ volumes: z.array(z.string()).min(1) }) }),
  /** Creates and starts a container from the resource's desired spec (clone). */
  z.object({ ...base, kind: z.literal('create-container'), params: z.object({ containerName: z.string() }) }),
  /** Replaces the target's container with one from the desired spec, keeping the old one until the new one is healthy (promote). */
  z.object({ ...base, kind: z.literal('replace-container'), params: z.object({ containerName: z.string(), previousSpecHash: z.string().nullable() }) }),
  /** Waits until the container runs and, if it has a health check, reports healthy. */
  z.object({ ...base, kind: z.literal('wait-healthy'), params: z.object({ containerName: z.string(), timeoutMs: z.number().int().positive() }) }),
  /** Installs the resource's scheduled tasks as crontab lines on the target server. */
  z.object({ ...base, kind: z.literal('install-schedules'), params: z.object({ entries: z.array(cronEntry).min(1) }) }),
  /** Records the resource links in the target environment. */
  z.object({ ...base, kind: z.literal('link-resources'), params: z.object({ links: z.array(z.object({ toResourceId: z.string(), toContainerName: z.string() })).min(1) }) }),
  /** Records the new spec hash and tags, so the next plan can tell hand-made drift. */
  z.object({ ...base, kind: z.literal('record-resource'), params: z.object({ containerName: z.string(), tags: z.array(z.string()) }) }),
  // Declared for what comes next (ROADMAP); their parameters are settled when they are built.
  z.object({ ...base, kind: z.literal('backup-database'), params: z.record(z.string(), z.unknown()) }),
  z.object({ ...base, kind: z.literal('rotate-credentials'), params: z.record(z.string(), z.unknown()) }),
  z.object({ ...base, kind: z.literal('copy-data'), params: z.record(z.string(), z.unknown()) }),
  z.object({ ...base, kind: z.literal('assign-domain'), params: z.record(z.string(), z.unknown()) }),
  z.object({ ...base, kind: z.literal('reload-proxy'), params: z.record(z.string(), z.unknown()) }),
]);
/** One step the engine executes. */
export type MigrationStep = z.infer<typeof migrationStep>;
/** The kind of a step. */
export type MigrationStepKind = MigrationStep['kind'];
