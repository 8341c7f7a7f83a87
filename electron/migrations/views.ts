import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { MigrationStatus } from '@shared/migration/status';
import type { MigrationDetail, MigrationSummary } from '@shared/migration/views';
import type { InventoryStore } from '../inventory/inventory-store';
import type { GantryDatabase } from '../store/open-database';
import { environments, migrations } from '../store/schema';
import type { MigrationJournal, MigrationRow } from './journal';
import { readStoredRun, type StoredRun } from './stored-run';

/** Reads migrations back as the UI shows them: lists, filters and the detail page. */
export class MigrationViews {
  constructor(
    private readonly db: GantryDatabase,
    private readonly journal: MigrationJournal,
    private readonly inventory: InventoryStore,
  ) {}

  /** One migration's summary, or null. */
  summary(migrationId: string): MigrationSummary | null {
    const row = this.journal.get(migrationId);
    return row ? this.toSummary(row) : null;
  }

  /** Migrations, newest first, filtered. */
  list(filter: { projectId?: string; environmentId?: string; resourceId?: string; status?: MigrationStatus; limit: number }): MigrationSummary[] {
    const conditions: SQL[] = [];
    if (filter.projectId) conditions.push(eq(migrations.projectId, filter.projectId));
    if (filter.status) conditions.push(eq(migrations.status, filter.status));
    const rows = this.db
      .select()
      .from(migrations)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(desc(migrations.createdAt))
      .all();
    return rows
      .map((row) => this.toSummary(row))
      .filter((summary) => !filter.environmentId || summary.targetEnvironmentId === filter.environmentId || summary.sourceEnvironmentId === filter.environmentId)
      .filter((summary) => !filter.resourceId || summary.resources.some((resource) => resource.resourceId === filter.resourceId))
      .slice(0, filter.limit);
  }

  /** Everything the detail page shows. */
  detail(migrationId: string, canCancel: boolean): MigrationDetail | null {
    const row = this.journal.get(migrationId);
    if (!row) return null;
    const summary = this.toSummary(row);
    const run = this.runOf(row);
    const plan = run?.plan ?? null;
    const steps = this.journal.steps(migrationId);
    const total = run ? Math.max(run.steps.length, steps.length) : steps.length;
    const done = steps.filter((step) => step.status === 'done').length;
    return {
      migration: summary,
      plan,
      steps: steps.map(({ seq, stepId, title, status, error, startedAt, endedAt }) => ({ seq, stepId, title, status, error, startedAt, endedAt })),
      log: this.journal.logLines(migrationId),
      percent: summary.status.startsWith('completed') ? 100 : total > 0 ? Math.round((done / total) * 100) : 0,
      canCancel: canCancel && (summary.status === 'running' || summary.status === 'pending'),
      canRollBack: (row.kind === 'migrate' || run?.domainChange !== undefined) && (summary.status === 'completed' || summary.status === 'completed_with_warning') && !summary.rolledBackBy,
    };
  }

  /** The journaled run, or null when its record cannot be read (the summary then shows what the row has). */
  private runOf(row: MigrationRow): StoredRun | null {
    try {
      return readStoredRun(row.planJson, row.kind);
    } catch {
      return null;
    }
  }

  private toSummary(row: MigrationRow): MigrationSummary {
    const run = this.runOf(row);
    const plan = run?.plan ?? null;
    const rolledBackBy = this.db
      .select({ id: migrations.id })
      .from(migrations)
      .where(and(eq(migrations.rollbackOf, row.id), eq(migrations.kind, 'rollback')))
      .all()
      .find((each) => ['running', 'completed', 'completed_with_warning'].includes(this.journal.get(each.id)?.status ?? ''));
    return {
      id: row.id,
      kind: row.kind === 'rollback' ? 'rollback' : 'migrate',
      status: row.status as MigrationStatus,
      projectId: row.projectId,
      sourceEnvironmentId: row.sourceEnvironmentId,
      targetEnvironmentId: row.targetEnvironmentId,
      sourceName: plan?.source?.name ?? this.environmentName(row.sourceEnvironmentId),
      targetName: plan?.target?.name ?? this.environmentName(row.targetEnvironmentId) ?? row.targetEnvironmentId,
      resources: (plan?.resources ?? []).map((resource) => ({ resourceId: resource.resourceId, name: resource.name, mode: row.kind === 'rollback' ? 'restore' : resource.unchanged ? 'unchanged' : resource.mode })),
      rollbackOf: row.rollbackOf,
      rolledBackBy: rolledBackBy?.id ?? null,
      domainChange: this.domainChangeOf(row, run),
      jobId: row.jobId,
      message: row.message,
      createdAt: row.createdAt,
      startedAt: row.startedAt,
      endedAt: row.endedAt,
    };
  }

  /**
   * What a "Change domain" run, or the undo of one, moved. Read from how the change was started (its
   * journaled `domainChange`; its row is a `rollback` like every maintenance run), never from its
   * steps: a first clone into production routes a domain too.
   */
  private domainChangeOf(row: MigrationRow, run: StoredRun | null): MigrationSummary['domainChange'] {
    const undone = row.rollbackOf ? this.journal.get(row.rollbackOf) : null;
    const changeRun = undone ? this.runOf(undone) : run;
    const change = changeRun?.domainChange;
    if (!changeRun || !change) return null;
    const resourceName = changeRun.plan.resources.find((each) => each.resourceId === change.resourceId)?.name ?? change.resourceId;
    return { resourceName, from: change.from, to: change.to, undo: undone !== null };
  }

  private environmentName(environmentId: string | null): string | null {
    if (!environmentId) return null;
    return this.db.select({ name: environments.name }).from(environments).where(eq(environments.id, environmentId)).get()?.name ?? null;
  }
}
