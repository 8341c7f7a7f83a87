/**
 * Step descriptors: what the engine will execute, in order, as plain data (journaled with the run,
 * so a restarted engine can undo or finish it). The parameters of every kind are declared here,
 * where the planner, the journal and the UI read them; everything else about a kind (its run, its
 * undo, its result, its masking) lives in its own module under `electron/migrations/steps/`, and
 * the engine's registry refuses to compile while a kind declared here has no module.
 *
 * The target's migration lock is not a step: the engine holds it around the whole run.
 */
import { z } from 'zod';
import { databaseType } from '../spec/resource-spec';

const base = {
  /** Unique within a plan and stable across re-planning: `<kind>:<resourceId>`. */
  id: z.string().min(1),
  title: z.string().min(1),
  resourceId: z.string().optional(),
  /** What undoing the step does, in the operator's words; null when there is nothing to undo. */
  undo: z.string().nullable(),
};

/** One crontab line Gantry owns, found again by its marker. */
export const cronEntrySchema = z.object({ taskName: z.string(), schedule: z.string(), command: z.string(), line: z.string(), marker: z.string() });

/** Where a snapshot of a replaced container lives on the target server. */
export const snapshotRef = z.object({ path: z.string().min(1), containerName: z.string().min(1), imageId: z.string() });

/** One step the engine executes. */
export const migrationStep = z.discriminatedUnion('kind', [
  /** Copies the image to the target server unless it already has that image id. */
  z.object({ ...base, kind: z.literal('transfer-image'), params: z.object({ imageRef: z.string().min(1), imageId: z.string().nullable() }) }),
  /** Creates new, empty named volumes on the target. */
  z.object({ ...base, kind: z.literal('create-volumes'), params: z.object({ volumes: z.array(z.string().min(1)).min(1) }) }),
  /** Creates and starts a container from the resource's desired spec (clone). */
  z.object({ ...base, kind: z.literal('create-container'), params: z.object({ containerName: z.string().min(1) }) }),
  /** Replaces the target's container with one from the desired spec, keeping the old one until the new one is healthy (promote). */
  z.object({ ...base, kind: z.literal('replace-container'), params: z.object({ containerName: z.string().min(1), previousSpecHash: z.string().nullable() }) }),
  /** Replaces the target's container with one made from a snapshot kept on the server (rollback, restore). */
  z.object({ ...base, kind: z.literal('restore-container'), params: z.object({ containerName: z.string().min(1), snapshot: snapshotRef }) }),
  /** Stops a cloned container and sets it aside (removed when the run completes; its volumes stay). */
  z.object({ ...base, kind: z.literal('retire-container'), params: z.object({ containerName: z.string().min(1), environmentId: z.string().min(1) }) }),
  /** Waits until the container runs and, if it has a health check, reports healthy. */
  z.object({ ...base, kind: z.literal('wait-healthy'), params: z.object({ containerName: z.string().min(1), timeoutMs: z.number().int().positive() }) }),
  /** Installs the resource's scheduled tasks as crontab lines on the target server. */
  z.object({ ...base, kind: z.literal('install-schedules'), params: z.object({ entries: z.array(cronEntrySchema).min(1) }) }),
  /** Removes crontab lines an earlier migration installed (found by their markers), keeping them on the server for undo. */
  z.object({ ...base, kind: z.literal('remove-schedules'), params: z.object({ markers: z.array(z.string().min(1)).min(1) }) }),
  /** Checks that the resource reaches what it uses on the target (a shared user-defined network). */
  z.object({ ...base, kind: z.literal('link-resources'), params: z.object({ links: z.array(z.object({ toResourceId: z.string(), toContainerName: z.string() })).min(1) }) }),
  /** Records the new spec hash and tags, so the next plan can tell hand-made drift. */
  z.object({ ...base, kind: z.literal('record-resource'), params: z.object({ containerName: z.string().min(1), tags: z.array(z.string()) }) }),
  /** Routes a domain to the container through a plain Caddy's admin API (a route under `routeId`, dialling `dial` on the server), or with `remove` takes that route away (a rollback of a clone); undo puts back what that route was. */
  z.object({ ...base, kind: z.literal('route-domain'), params: z.object({ containerName: z.string().min(1), domain: z.string().min(1), routeId: z.string().min(1), dial: z.string().min(1), remove: z.boolean().optional() }) }),
  /** Waits until https on the domain answers with a certificate for it from an ACME issuer; otherwise the run completes with a warning. */
  z.object({ ...base, kind: z.literal('check-certificate'), params: z.object({ domain: z.string().min(1), acmeIssuer: z.string().nullable(), timeoutMs: z.number().int().positive() }) }),
  /** Dumps a production database into Gantry's backup folder on its own server and proves the file readable, before anything changes. */
  z.object({ ...base, kind: z.literal('backup-database'), params: z.object({ containerName: z.string().min(1), resourceName: z.string().min(1) }) }),
  /** Changes the password in the database itself (`ALTER ROLE …`) to the one the run's desired spec holds for `variable`; undo sets the live container's own back. */
  z.object({ ...base, kind: z.literal('set-database-password'), params: z.object({ containerName: z.string().min(1), resourceName: z.string().min(1), variable: z.string().min(1) }) }),
  /** Replaces a production database's data with one of its verified backups (the run's own fresh backup, taken just before, is what undo restores). */
  z.object({ ...base, kind: z.literal('restore-database'), params: z.object({ containerName: z.string().min(1), resourceName: z.string().min(1), backupId: z.string().min(1), file: z.string().min(1), sha256: z.string(), contentChecksum: z.string() }) }),
  /**
   * Replaces ALL the target database's data with the source's (test data, never into production:
   * `targetProduction` can only be false), the target's own data saved on its server first for undo.
   */
  z.object({
    ...base,
    kind: z.literal('copy-data'),
    params: z.object({
      databaseType,
      sourceContainer: z.string().min(1),
      targetContainer: z.string().min(1),
      resourceName: z.string().min(1),
      sourceEnvironment: z.string().min(1),
      targetEnvironment: z.string().min(1),
      targetProduction: z.literal(false),
    }),
  }),
]);
/** One step the engine executes. */
export type MigrationStep = z.infer<typeof migrationStep>;
/** The kind of a step. */
export type MigrationStepKind = MigrationStep['kind'];
/** The step of one kind. */
export type StepOf<K extends MigrationStepKind> = Extract<MigrationStep, { kind: K }>;
