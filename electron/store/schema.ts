/**
 * The local SQLite schema (drizzle). Changing it means running `npm run db:generate -- --name <what>`
 * to add a migration in `electron/store/migrations/`; a shipped migration is never edited.
 * Secrets never live here: rows hold references to keychain entries instead.
 */
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

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

// ── inventory ─────────────────────────────────────────────────────────

/** A project: the resources that move together up one chain of environments. */
export const projects = sqliteTable('projects', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  createdAt: integer('created_at').notNull(),
});

/** One link of a project's chain (dev → uat → production), bound to the server it runs on. */
export const environments = sqliteTable(
  'environments',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** 0-based place in the chain; production is last. */
    position: integer('position').notNull(),
    production: integer('production', { mode: 'boolean' }).notNull().default(false),
    serverId: text('server_id').references(() => servers.id, { onDelete: 'set null' }),
    /** The Docker network the environment's containers join. */
    network: text('network').notNull(),
    /** The environment's base domain, e.g. `uat.example.com`; '' when none. */
    domain: text('domain').notNull().default(''),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [uniqueIndex('environments_name_per_project').on(table.projectId, table.name)],
);

/** A resource of a project: an application, a database or a service. */
export const resources = sqliteTable(
  'resources',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** application | database | service */
    kind: text('kind').notNull(),
    /** For a database: postgresql, mysql, mariadb, mongodb, redis, keydb, dragonfly or clickhouse. */
    databaseType: text('database_type'),
    tagsJson: text('tags_json').notNull().default('[]'),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [uniqueIndex('resources_name_per_project').on(table.projectId, table.name)],
);

/** "This resource uses that one" (an app and its database), for ordering and rewiring. */
export const resourceLinks = sqliteTable(
  'resource_links',
  {
    resourceId: text('resource_id')
      .notNull()
      .references(() => resources.id, { onDelete: 'cascade' }),
    targetId: text('target_id')
      .notNull()
      .references(() => resources.id, { onDelete: 'cascade' }),
  },
  (table) => [primaryKey({ columns: [table.resourceId, table.targetId] })],
);

/** A command run on a schedule inside a resource's container (cron syntax). */
export const scheduledTasks = sqliteTable('scheduled_tasks', {
  id: text('id').primaryKey(),
  resourceId: text('resource_id')
    .notNull()
    .references(() => resources.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  schedule: text('schedule').notNull(),
  command: text('command').notNull(),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
});

/** Which container is a resource in one environment, and the spec hash Gantry last recorded for it. */
export const instances = sqliteTable(
  'instances',
  {
    resourceId: text('resource_id')
      .notNull()
      .references(() => resources.id, { onDelete: 'cascade' }),
    environmentId: text('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    serverId: text('server_id').references(() => servers.id, { onDelete: 'set null' }),
    containerName: text('container_name').notNull(),
    containerId: text('container_id'),
    /** SHA-256 of the sealed spec when Gantry adopted or last changed the container. */
    recordedHash: text('recorded_hash').notNull(),
    recordedAt: integer('recorded_at').notNull(),
    /** The upstream's spec hash when Gantry last promoted it here; null if never promoted. */
    promotedFromHash: text('promoted_from_hash'),
  },
  (table) => [primaryKey({ columns: [table.resourceId, table.environmentId] })],
);

/**
 * Every spec Gantry recorded for an instance. The spec is sealed: secret values are masked and
 * carry a keyed fingerprint (HMAC-SHA-256, key in the OS keychain), never the clear value.
 */
export const specHistory = sqliteTable(
  'spec_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    resourceId: text('resource_id')
      .notNull()
      .references(() => resources.id, { onDelete: 'cascade' }),
    environmentId: text('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    /** adopted | migrated | rolled_back | accepted_drift */
    event: text('event').notNull(),
    specJson: text('spec_json').notNull(),
    specHash: text('spec_hash').notNull(),
    at: integer('at').notNull(),
  },
  (table) => [index('spec_history_by_instance').on(table.resourceId, table.environmentId, table.id)],
);

/**
 * The last discovery of each server, kept so the graph shows it after a restart. Containers are
 * stored as discovery keeps them: sealed specs (masked secrets with a keyed fingerprint), never clear values.
 */
export const discoverySnapshots = sqliteTable('discovery_snapshots', {
  serverId: text('server_id')
    .primaryKey()
    .references(() => servers.id, { onDelete: 'cascade' }),
  at: integer('at').notNull(),
  reachable: integer('reachable', { mode: 'boolean' }).notNull(),
  error: text('error'),
  containersJson: text('containers_json').notNull(),
});
