import { and, asc, eq, inArray, ne, or, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { GantryError } from '@shared/ipc/result';
import { canTransition, isTerminalStatus, migrationStatus, type MigrationStatus } from '@shared/migration/status';
import { redactJson, redactSecrets } from '@shared/redact';
import type { GantryDatabase } from '../store/open-database';
import { migrationLog, migrations, migrationSteps } from '../store/schema';

/** A migration as the journal stores it. */
export type MigrationRow = typeof migrations.$inferSelect;
/** One journaled step. */
export type StepRow = typeof migrationSteps.$inferSelect;

/** Statuses a journaled step moves through. */
export type StepStatus = 'running' | 'done' | 'failed' | 'undone' | 'undo_failed' | 'skipped';

/**
 * The write-ahead journal of migrations in SQLite: every step is recorded as `running` (with its
 * intent) before it touches a server and as `done` (with what it did) afterwards. Text that
 * reaches it passes through secret redaction.
 */
export class MigrationJournal {
  constructor(
    private readonly db: GantryDatabase,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a new migration. */
  create(row: Omit<MigrationRow, 'createdAt' | 'startedAt' | 'endedAt' | 'message' | 'errorCode'> & { message?: string | null }): void {
    const now = this.now();
    this.db
      .insert(migrations)
      .values({ ...row, planJson: redactJson(row.planJson), createdAt: now, startedAt: row.status === 'running' ? now : null })
      .run();
  }

  /** The migration with this id, or null. */
  get(id: string): MigrationRow | null {
    return this.db.select().from(migrations).where(eq(migrations.id, id)).get() ?? null;
  }

  /**
   * Changes a migration's status; terminal statuses also stamp the end time. Only the changes the
   * transition table allows (`shared/migration/status.ts`): any other is an error naming both.
   */
  setStatus(id: string, status: MigrationStatus, outcome: { message?: string; errorCode?: string | null; engineInstance?: string } = {}): void {
    const row = this.get(id);
    if (!row) throw new GantryError('not_found', `There is no migration ${id}.`);
    const from = migrationStatus.safeParse(row.status);
    if (!from.success) throw new GantryError('journal_unreadable', `Migration ${id.slice(0, 8)} has an unknown status "${row.status}".`);
    if (!canTransition(from.data, status)) throw new GantryError('illegal_transition', `Migration ${id.slice(0, 8)} cannot go from ${from.data} to ${status}.`);
    this.db
      .update(migrations)
      .set({
        status,
        ...(outcome.message !== undefined ? { message: redactSecrets(outcome.message) } : {}),
        ...(outcome.errorCode !== undefined ? { errorCode: outcome.errorCode } : {}),
        ...(outcome.engineInstance !== undefined ? { engineInstance: outcome.engineInstance } : {}),
        ...(status === 'running' && from.data !== 'running' ? { startedAt: this.now() } : {}),
        // A rollback later turns completed into rolled_back: the run still ended when it ended (History's "Took" is the run's own time).
        ...(isTerminalStatus(status) && !isTerminalStatus(from.data) ? { endedAt: this.now() } : {}),
      })
      .where(eq(migrations.id, id))
      .run();
  }

  /** Remembers which job runs a migration (for cancel). */
  setJob(id: string, jobId: string): void {
    this.db.update(migrations).set({ jobId }).where(eq(migrations.id, id)).run();
  }

  /** Writes a step as running, with what it is about to do, before it does it. */
  beginStep(migrationId: string, seq: number, stepId: string, title: string, intent: Record<string, unknown>): void {
    this.db
      .insert(migrationSteps)
      .values({ migrationId, seq, stepId, title, status: 'running', intentJson: JSON.stringify(intent), startedAt: this.now() })
      .onConflictDoUpdate({
        target: [migrationSteps.migrationId, migrationSteps.seq],
        set: { status: 'running', intentJson: JSON.stringify(intent), resultJson: null, startedAt: this.now(), endedAt: null, error: null },
      })
      .run();
  }

  /** Records the outcome of a step (and, for `done`, what it did, needed to undo it). */
  finishStep(migrationId: string, seq: number, status: StepStatus, detail: { result?: Record<string, unknown>; error?: string } = {}): void {
    this.db
      .update(migrationSteps)
      .set({
        status,
        ...(detail.result !== undefined ? { resultJson: JSON.stringify({ ...this.partialResult(migrationId, seq), ...detail.result }) } : {}),
        ...(detail.error !== undefined ? { error: redactSecrets(detail.error) } : {}),
        endedAt: this.now(),
      })
      .where(and(eq(migrationSteps.migrationId, migrationId), eq(migrationSteps.seq, seq)))
      .run();
  }

  /** Merges partial results into a running step's record (what it has done so far). */
  checkpointStep(migrationId: string, seq: number, partial: Record<string, unknown>): void {
    const where = and(eq(migrationSteps.migrationId, migrationId), eq(migrationSteps.seq, seq));
    const row = this.db.select({ resultJson: migrationSteps.resultJson }).from(migrationSteps).where(where).get();
    const merged = { ...parseObject(row?.resultJson ?? null), ...partial };
    this.db.update(migrationSteps).set({ resultJson: JSON.stringify(merged) }).where(where).run();
  }

  /** The steps of a migration in order. */
  steps(migrationId: string): StepRow[] {
    return this.db.select().from(migrationSteps).where(eq(migrationSteps.migrationId, migrationId)).orderBy(asc(migrationSteps.seq)).all();
  }

  private partialResult(migrationId: string, seq: number): Record<string, unknown> {
    const row = this.db
      .select({ resultJson: migrationSteps.resultJson })
      .from(migrationSteps)
      .where(and(eq(migrationSteps.migrationId, migrationId), eq(migrationSteps.seq, seq)))
      .get();
    return parseObject(row?.resultJson ?? null);
  }

  /** Appends a log line (secrets masked). */
  log(migrationId: string, level: 'info' | 'warn' | 'error', message: string): void {
    this.db.insert(migrationLog).values({ migrationId, at: this.now(), level, message: redactSecrets(message) }).run();
  }

  /** The log of a migration, oldest first. */
  logLines(migrationId: string): { at: number; level: string; message: string }[] {
    return this.db
      .select({ at: migrationLog.at, level: migrationLog.level, message: migrationLog.message })
      .from(migrationLog)
      .where(eq(migrationLog.migrationId, migrationId))
      .orderBy(asc(migrationLog.id))
      .all();
  }

  /** Migrations left `running` by an engine process other than this one: they were interrupted. */
  interrupted(currentEngine: string): MigrationRow[] {
    return this.db
      .select()
      .from(migrations)
      .where(and(inArray(migrations.status, ['pending', 'running']), or(isNull(migrations.engineInstance), ne(migrations.engineInstance, currentEngine))))
      .all();
  }
}

const jsonObject = z.record(z.string(), z.unknown());

/** A journaled JSON object (a step's intent or result); anything else is an unreadable journal. */
export function parseObject(json: string | null): Record<string, unknown> {
  if (json === null) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new GantryError('journal_unreadable', 'A journaled step record is not valid JSON.');
  }
  const parsed = jsonObject.safeParse(value);
  if (!parsed.success) throw new GantryError('journal_unreadable', 'A journaled step record is not an object.');
  return parsed.data;
}
