import { createHash } from 'node:crypto';
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import * as schema from './schema';
import { shippedMigrations, type ShippedMigration } from './embedded-migrations';

/** The typed database handle every store module receives. */
export type GantryDatabase = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** Thrown when the local database cannot be brought to the current schema; nothing was changed. */
export class DatabaseMigrationError extends Error {
  constructor(
    message: string,
    readonly migration: string | null,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'DatabaseMigrationError';
  }
}

const MIGRATIONS_TABLE = '__gantry_migrations';

/**
 * Opens (creating if needed) the SQLite file at `path` — or an in-memory database for `:memory:` —
 * and applies every pending migration inside one transaction. Does nothing on import.
 */
export function openDatabase(path: string, migrations: ShippedMigration[] = shippedMigrations()): GantryDatabase {
  if (path !== ':memory:') closeSync(openSync(path, 'a', 0o600));
  const client = new Database(path);
  try {
    client.pragma('journal_mode = WAL');
    if (path !== ':memory:') restrictToOwner(path);
    client.pragma('foreign_keys = ON');
    client.pragma('busy_timeout = 5000');
    applyMigrations(client, migrations);
  } catch (error) {
    client.close();
    throw error;
  }
  return drizzle(client, { schema }) as GantryDatabase;
}

/**
 * Makes the database file and its WAL companions readable by the owner only (0600). SQLite creates
 * `-wal` and `-shm` with the database file's mode; this also tightens files an older Gantry left 0644.
 */
function restrictToOwner(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
}

/** The number of migrations applied to this database. */
export function schemaVersion(db: GantryDatabase): number {
  const row = db.$client.prepare(`SELECT COUNT(*) AS n FROM ${MIGRATIONS_TABLE}`).get() as { n: number };
  return row.n;
}

function applyMigrations(client: Database.Database, migrations: ShippedMigration[]): void {
  client.exec(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (tag TEXT PRIMARY KEY, hash TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = new Map(
    (client.prepare(`SELECT tag, hash FROM ${MIGRATIONS_TABLE}`).all() as { tag: string; hash: string }[]).map((row) => [row.tag, row.hash]),
  );
  const known = new Set(migrations.map((m) => m.tag));
  const unknown = [...applied.keys()].filter((tag) => !known.has(tag));
  if (unknown.length > 0) {
    throw new DatabaseMigrationError(
      `This data folder was written by a newer Gantry (it has migration ${unknown[0]}). Update Gantry or point GANTRY_DATA_DIR elsewhere.`,
      unknown[0] ?? null,
    );
  }

  let current: string | null = null;
  const insert = client.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (tag, hash, applied_at) VALUES (?, ?, ?)`);
  const run = client.transaction(() => {
    for (const migration of migrations) {
      const hash = createHash('sha256').update(migration.sql).digest('hex');
      const appliedHash = applied.get(migration.tag);
      if (appliedHash !== undefined) {
        if (appliedHash !== hash) {
          throw new DatabaseMigrationError(`Migration ${migration.tag} was changed after it shipped; shipped migrations must never be edited.`, migration.tag);
        }
        continue;
      }
      current = migration.tag;
      for (const statement of migration.sql.split('--> statement-breakpoint')) {
        if (statement.trim()) client.exec(statement);
      }
      insert.run(migration.tag, hash, Date.now());
    }
  });
  try {
    run();
  } catch (error) {
    if (error instanceof DatabaseMigrationError) throw error;
    throw new DatabaseMigrationError(
      `Could not update the local database (migration ${current ?? 'unknown'}): ${(error as Error).message}. The database was left unchanged.`,
      current,
      error,
    );
  }
}
