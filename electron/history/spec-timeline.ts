/**
 * Reads the per-resource spec history (the inventory's `spec_history` rows) for the History
 * page: which migration recorded each spec, which rollback brings an older one back, and the
 * diff of any two entries. Read-only: it never writes a row.
 */
import { createTwoFilesPatch } from 'diff';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { GantryError } from '@shared/ipc/result';
import type { HistoryDiff, HistoryEntry } from '@shared/history/views';
import { normalizedSpecText } from '@shared/migration/diff';
import { resourceSpec } from '@shared/spec/resource-spec';
import { readStoredRun } from '../migrations/stored-run';
import type { GantryDatabase } from '../store/open-database';
import { environments, migrations, resources, specHistory } from '../store/schema';

type MigrationRow = typeof migrations.$inferSelect;

/** Statuses of a migration whose recorded spec a rollback can undo. */
const ROLLBACKABLE = new Set(['completed', 'completed_with_warning']);
/** Statuses of a migration whose snapshot of the container it replaced is kept on the server. */
const RESTORABLE = new Set(['completed', 'completed_with_warning', 'rolled_back']);

/** The spec history of resources, as the History page shows it. */
export class SpecTimeline {
  constructor(private readonly db: GantryDatabase) {}

  /** Every recorded spec of one resource in one environment, newest first. */
  timeline(resourceId: string, environmentId: string): HistoryEntry[] {
    this.assertInstance(resourceId, environmentId);
    const rows = this.db
      .select({ id: specHistory.id, event: specHistory.event, at: specHistory.at, specHash: specHistory.specHash })
      .from(specHistory)
      .where(and(eq(specHistory.resourceId, resourceId), eq(specHistory.environmentId, environmentId)))
      .orderBy(desc(specHistory.id))
      .all();
    const candidates = this.db.select().from(migrations).where(eq(migrations.targetEnvironmentId, environmentId)).orderBy(asc(migrations.createdAt)).all().filter((row) => touches(row, resourceId));
    const entries = rows.map((row) => ({ ...row, migration: row.event === 'migrated' || row.event === 'rolled_back' ? recordedBy(candidates, row.at) : null }));
    return entries.map((entry, index) => {
      // The entry just after this one (newer) undoes back to this spec when rolled back.
      const newer = index > 0 ? entries[index - 1]!.migration : null;
      return {
        id: entry.id,
        event: entry.event,
        at: entry.at,
        specHash: entry.specHash,
        migrationId: entry.migration?.id ?? null,
        restoreByRollingBack: newer && newer.kind === 'migrate' && ROLLBACKABLE.has(newer.status) ? newer.id : null,
        restoreFrom: newer && RESTORABLE.has(newer.status) ? { migrationId: newer.id, resourceId } : null,
      };
    });
  }

  /** The diff of two entries of the same resource (older on the left), masked. */
  diff(fromId: number, toId: number): HistoryDiff {
    const rows = this.db.select().from(specHistory).where(inArray(specHistory.id, [fromId, toId])).all();
    const from = rows.find((row) => row.id === fromId);
    const to = rows.find((row) => row.id === toId);
    if (!from || !to) throw new GantryError('not_found', `History entry ${!from ? fromId : toId} does not exist (any more). Reload the timeline and pick two entries again.`);
    if (from.resourceId !== to.resourceId) throw new GantryError('invalid_request', 'Pick two entries of the same resource to compare.');
    const [older, newer] = from.id <= to.id ? [from, to] : [to, from];
    const label = `${this.environmentName(newer.environmentId)}/${this.resourceName(newer.resourceId)}`;
    const text = (specJson: string) => shortenFingerprints(normalizedSpecText(resourceSpec.parse(JSON.parse(specJson))));
    const unified = createTwoFilesPatch(label, label, text(older.specJson), text(newer.specJson), undefined, undefined, { context: 3 });
    const view = (row: typeof older) => ({ id: row.id, at: row.at, specHash: row.specHash, event: row.event });
    return { from: view(older), to: view(newer), unified };
  }

  private assertInstance(resourceId: string, environmentId: string): void {
    this.resourceName(resourceId);
    this.environmentName(environmentId);
  }

  private resourceName(resourceId: string): string {
    const row = this.db.select({ name: resources.name }).from(resources).where(eq(resources.id, resourceId)).get();
    if (!row) throw new GantryError('not_found', `There is no resource ${resourceId}. It may have been removed; reload the History page.`);
    return row.name;
  }

  private environmentName(environmentId: string): string {
    const row = this.db.select({ name: environments.name }).from(environments).where(eq(environments.id, environmentId)).get();
    if (!row) throw new GantryError('not_found', `There is no environment ${environmentId}. It may have been removed; reload the History page.`);
    return row.name;
  }
}

/** True when the migration's plan moved (or restored) `resourceId`. */
function touches(row: MigrationRow, resourceId: string): boolean {
  try {
    return readStoredRun(row.planJson, row.kind).plan.resources.some((resource) => resource.resourceId === resourceId);
  } catch {
    // An unreadable record is not shown as touching anything (the migration page says why).
    return false;
  }
}

/** The migration that was running when a spec was recorded at `at` (the latest one started before it). */
function recordedBy(candidates: readonly MigrationRow[], at: number): MigrationRow | null {
  // A migration created already running has no separate start time: it started when it was created.
  const running = candidates.filter((row) => (row.startedAt ?? row.createdAt) <= at && (row.endedAt === null || row.endedAt >= at));
  return running.at(-1) ?? null;
}

/**
 * Stored specs carry each secret's keyed fingerprint (`‹hmac:…›`, see spec-hash.ts). Shown in
 * full it is noise; a short prefix still tells the operator that a secret changed between two
 * entries, and without the installation's key it reveals nothing about the value.
 */
export function shortenFingerprints(text: string): string {
  return text.replace(/ ‹hmac:([0-9a-f]{8})[0-9a-f]*›/g, ' ‹secret $1›');
}
