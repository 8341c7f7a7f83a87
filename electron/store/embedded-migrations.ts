/**
 * The drizzle-kit migrations, embedded into the bundle at build time (Vite's import.meta.glob),
 * so the app never has to find a migrations folder on disk next to a bundled file.
 */
import journal from './migrations/meta/_journal.json';

const sqlFiles = import.meta.glob<string>('./migrations/*.sql', { query: '?raw', import: 'default', eager: true });

/** One migration as shipped: its tag (file name without `.sql`) and its statements. */
export interface ShippedMigration {
  tag: string;
  sql: string;
}

/** The shipped migrations in the order drizzle-kit's journal gives. */
export function shippedMigrations(): ShippedMigration[] {
  return journal.entries.map((entry) => {
    const sql = sqlFiles[`./migrations/${entry.tag}.sql`];
    if (sql === undefined) throw new Error(`Migration ${entry.tag}.sql is listed in the journal but missing from the build`);
    return { tag: entry.tag, sql };
  });
}
