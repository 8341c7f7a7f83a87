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

/**
 * A server Gantry reaches over SSH. Never a secret: `secretRef` names the OS keychain entry
 * that holds the password, passphrase or imported private key.
 */
export const servers = sqliteTable('servers', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  host: text('host').notNull(),
  port: integer('port').notNull().default(22),
  username: text('username').notNull(),
  /** key-file | key-stored | password | agent */
  authMethod: text('auth_method').notNull(),
  /** For key-file: the private key's path on this machine. */
  keyPath: text('key_path'),
  /** The keychain account holding this server's secret, or null when it has none. */
  secretRef: text('secret_ref'),
  /** The pinned host key as `SHA256:...`; null until the operator confirms it. */
  hostKeyFingerprint: text('host_key_fingerprint'),
  hostKeyAlgorithm: text('host_key_algorithm'),
  /** ProxyJump: ids of the servers to hop through, in order (JSON array). */
  jumpHostIdsJson: text('jump_host_ids_json').notNull().default('[]'),
  labelsJson: text('labels_json').notNull().default('[]'),
  /** The last probe (OS, Docker, disk, ports, proxy, latency) as JSON. */
  lastProbeJson: text('last_probe_json'),
  lastProbeAt: integer('last_probe_at'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});
