/**
 * The local SQLite schema (drizzle). Changing it means running `npm run db:generate -- --name <what>`
 * to add a migration in `electron/store/migrations/`; a shipped migration is never edited.
 * Secrets never live here: rows hold references to keychain entries instead.
 */
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Operator preferences, as plain key/value text. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/**
 * One migration (or rollback) and its outcome. Statuses leave room for approvals:
 * pending, pending_approval, approved, rejected, running, completed, completed_with_warning,
 * failed, cancelled, interrupted, rolled_back.
 */
export const migrations = sqliteTable('migrations', {
  id: text('id').primaryKey(),
  kind: text('kind').notNull(),
  projectId: text('project_id'),
  sourceEnvironmentId: text('source_environment_id'),
  targetEnvironmentId: text('target_environment_id').notNull(),
  status: text('status').notNull(),
  /** The plan as shown to the operator, secrets masked. */
  planJson: text('plan_json').notNull(),
  optionsJson: text('options_json').notNull().default('{}'),
  /** For a rollback: the migration it undoes. */
  rollbackOf: text('rollback_of'),
  jobId: text('job_id'),
  /** Which engine process ran it, so a restart can tell its own interrupted work. */
  engineInstance: text('engine_instance'),
  message: text('message'),
  errorCode: text('error_code'),
  createdAt: integer('created_at').notNull(),
  startedAt: integer('started_at'),
  endedAt: integer('ended_at'),
});

/**
 * The write-ahead journal: a step is written as `running` with its intent before it touches a
 * server, and as `done` with what it did afterwards, so an interrupted migration can be undone.
 */
export const migrationSteps = sqliteTable(
  'migration_steps',
  {
    migrationId: text('migration_id')
      .notNull()
      .references(() => migrations.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    stepId: text('step_id').notNull(),
    title: text('title').notNull(),
    status: text('status').notNull(),
    intentJson: text('intent_json').notNull().default('{}'),
    resultJson: text('result_json'),
    error: text('error'),
    startedAt: integer('started_at'),
    endedAt: integer('ended_at'),
  },
  (table) => [primaryKey({ columns: [table.migrationId, table.seq] })],
);

/** Log lines of a migration (secrets masked), kept so its page survives a reload or restart. */
export const migrationLog = sqliteTable(
  'migration_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    migrationId: text('migration_id')
      .notNull()
      .references(() => migrations.id, { onDelete: 'cascade' }),
    at: integer('at').notNull(),
    level: text('level').notNull(),
    message: text('message').notNull(),
  },
  (table) => [index('migration_log_by_migration').on(table.migrationId, table.id)],
);
