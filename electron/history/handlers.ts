/**
 * The history channels: a resource's spec timeline in one environment and the diff of two of its
 * entries. The migration list itself is `migrations:list`; restoring a snapshot is
 * `migrations:rollback` of the migration the timeline names.
 */
import type { Router } from '../ipc/router';
import type { GantryDatabase } from '../store/open-database';
import { SpecTimeline } from './spec-timeline';

/** Registers `history:timeline` and `history:diff`. */
export function registerHistoryHandlers(router: Router, db: GantryDatabase): void {
  const timeline = new SpecTimeline(db);
  router.handle('history:timeline', ({ resourceId, environmentId }) => ({ entries: timeline.timeline(resourceId, environmentId) }));
  router.handle('history:diff', ({ fromId, toId }) => timeline.diff(fromId, toId));
}
