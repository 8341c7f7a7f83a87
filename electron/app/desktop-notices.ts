/**
 * Desktop notifications when a migration ends, decided on the main side so they arrive even
 * when Gantry's window is closed or hidden. This module only decides what to tell; the Electron
 * entry passes the function that shows an OS notification (plain Node has none).
 */
import { finishNotice, type FinishNotice } from '@shared/migration/notice';
import type { EventHub } from './events';

/**
 * Calls `show` once for each migration that ends (completed, with a warning, failed, cancelled,
 * interrupted); never for progress. Returns the function that stops watching.
 */
export function watchMigrationEnds(events: EventHub, show: (notice: FinishNotice & { migrationId: string }) => void): () => void {
  const told = new Set<string>();
  return events.subscribe((event, payload) => {
    if (event !== 'migrations:changed') return;
    const { migration } = payload as { migration: Parameters<typeof finishNotice>[0] & { id: string } };
    const notice = finishNotice(migration);
    const key = `${migration.id}:${migration.status}`;
    if (!notice || told.has(key)) return;
    told.add(key);
    show({ ...notice, migrationId: migration.id });
  });
}
