import type { Router } from '../ipc/router';
import type { SecretStore } from '../keychain/secret-store';
import type { GantryDatabase } from '../store/open-database';
import { settingsView, writeRunDefaults, type DataLocations } from './settings-area';

/** Registers the `settings:*` channels. */
export function registerSettingsHandlers(router: Router, area: { db: GantryDatabase; secrets: SecretStore; locations: DataLocations }): void {
  const view = () => settingsView(area.db, area.secrets, area.locations);
  router.handle('settings:get', view);
  router.handle('settings:set-defaults', ({ defaults }) => {
    writeRunDefaults(area.db, defaults);
    return view();
  });
}
