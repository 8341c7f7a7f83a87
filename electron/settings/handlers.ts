import { settings } from '../store/schema';
import type { GantryDatabase } from '../store/open-database';
import type { Router } from '../ipc/router';

function readAll(db: GantryDatabase): Record<string, string> {
  return Object.fromEntries(db.select().from(settings).all().map((row) => [row.key, row.value]));
}

/** Registers the `settings:*` channels. */
export function registerSettingsHandlers(router: Router, db: GantryDatabase): void {
  router.handle('settings:get', () => ({ settings: readAll(db) }));
  router.handle('settings:set', ({ key, value }) => {
    db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } }).run();
    return { settings: readAll(db) };
  });
}
