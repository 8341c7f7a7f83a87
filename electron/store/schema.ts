/**
 * The local SQLite schema (drizzle). Changing it means running `npm run db:generate -- --name <what>`
 * to add a migration in `electron/store/migrations/`; a shipped migration is never edited.
 * Secrets never live here: rows hold references to keychain entries instead.
 */
import { sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Operator preferences, as plain key/value text. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
