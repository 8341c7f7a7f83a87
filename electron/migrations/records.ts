import { and, desc, eq, gte } from 'drizzle-orm';
import { z } from 'zod';
import { containerName as nameOf, specFromInspect } from '@shared/spec/spec-from-inspect';
import { inspectContainer } from '../inventory/discovery';
import type { HistoryEvent, InstanceRow, InventoryStore } from '../inventory/inventory-store';
import type { SpecSealer } from '../inventory/spec-hash';
import type { GantryDatabase } from '../store/open-database';
import { instances, specHistory } from '../store/schema';
import type { RemoteHost } from '../servers/remote-host';

/** An instance record as journaled for undo. */
export const instanceRowSchema = z.object({
  resourceId: z.string(),
  environmentId: z.string(),
  serverId: z.string().nullable(),
  containerName: z.string(),
  containerId: z.string().nullable(),
  recordedHash: z.string(),
  recordedAt: z.number(),
  promotedFromHash: z.string().nullable(),
}) satisfies z.ZodType<InstanceRow>;

/** What recording a resource did, so it can be undone. */
export const recordResult = z.object({
  previous: instanceRowSchema.nullable(),
  historyId: z.number().nullable(),
  hash: z.string(),
  /** Journaled before recording: history rows from then on are this step's when it did not finish journaling. */
  recordedAfter: z.number().optional(),
});
/** What recording a resource did, so it can be undone. */
export type RecordResult = z.infer<typeof recordResult>;

/**
 * Records the spec Gantry now vouches for on the target (read back from the container as it
 * actually runs, sealed), and undoes such a record. Local bookkeeping only: the target server
 * is not touched.
 */
export class MigrationRecords {
  constructor(
    private readonly db: GantryDatabase,
    private readonly inventory: InventoryStore,
    private readonly sealer: () => SpecSealer,
  ) {}

  /** Inspects the container on the target and records its sealed spec and hash. */
  async record(options: {
    host: RemoteHost;
    resourceId: string;
    environmentId: string;
    serverId: string;
    containerName: string;
    event: HistoryEvent;
    promotedFromHash: string | null;
  }): Promise<RecordResult> {
    const inspect = await inspectContainer(options.host, options.containerName);
    const container = inspect.containers[0]!;
    const image = inspect.images.find((each) => each.Id === container.Image);
    const sealed = this.sealer().seal(specFromInspect(container, image));
    const previous = this.current(options.resourceId, options.environmentId);
    this.inventory.recordInstance({
      resourceId: options.resourceId,
      environmentId: options.environmentId,
      serverId: options.serverId,
      containerName: nameOf(container),
      containerId: container.Id,
      sealed,
      event: options.event,
      promotedFromHash: options.promotedFromHash,
    });
    const latest = this.db
      .select({ id: specHistory.id })
      .from(specHistory)
      .where(and(eq(specHistory.resourceId, options.resourceId), eq(specHistory.environmentId, options.environmentId)))
      .orderBy(desc(specHistory.id))
      .get();
    return { previous, historyId: latest?.id ?? null, hash: sealed.hash };
  }

  /** Puts the instance record back as it was and drops the history row the record added. */
  undo(resourceId: string, environmentId: string, result: Partial<RecordResult> | null): void {
    if (!result) return;
    this.db.transaction((tx) => {
      if (result.historyId) tx.delete(specHistory).where(eq(specHistory.id, result.historyId)).run();
      else if (result.recordedAfter !== undefined) {
        tx.delete(specHistory)
          .where(and(eq(specHistory.resourceId, resourceId), eq(specHistory.environmentId, environmentId), gte(specHistory.at, result.recordedAfter)))
          .run();
      }
      if (result.previous !== undefined && result.previous !== null) {
        tx.insert(instances).values(result.previous).onConflictDoUpdate({ target: [instances.resourceId, instances.environmentId], set: result.previous }).run();
      } else if (result.previous === null) {
        tx.delete(instances).where(and(eq(instances.resourceId, resourceId), eq(instances.environmentId, environmentId))).run();
      }
    });
  }

  /** The current instance record, or null. */
  current(resourceId: string, environmentId: string): InstanceRow | null {
    return this.db.select().from(instances).where(and(eq(instances.resourceId, resourceId), eq(instances.environmentId, environmentId))).get() ?? null;
  }

  /** Forgets an instance (after a rollback removed a cloned container), keeping its history. */
  forget(resourceId: string, environmentId: string): void {
    this.db.delete(instances).where(and(eq(instances.resourceId, resourceId), eq(instances.environmentId, environmentId))).run();
  }
}
