import { GantryError } from '@shared/ipc/result';
import type { Router } from '../ipc/router';
import type { MigrationEngine } from './engine';

/** Registers the `migrations:*` channels. */
export function registerMigrationHandlers(router: Router, engine: MigrationEngine): void {
  router.handle('migrations:plan', async (request) => engine.plan(request));
  router.handle('migrations:start', ({ planId, options }) => engine.start(planId, options));
  router.handle('migrations:reveal', (request) => engine.reveal(request));
  router.handle('data:estimate', ({ planId, resourceId }) => engine.estimateCopy(planId, resourceId));
  router.handle('data:copy', (request) => engine.copyData(request));
  router.handle('migrations:list', (filter) => ({ migrations: engine.views.list(filter) }));
  router.handle('migrations:get', ({ migrationId }) => {
    const detail = engine.views.detail(migrationId, engine.journal.get(migrationId)?.engineInstance === engine.instanceId);
    if (!detail) throw new GantryError('not_found', `There is no migration ${migrationId}.`);
    return detail;
  });
  router.handle('migrations:cancel', ({ migrationId }) => {
    engine.cancel(migrationId);
    return { migration: engine.views.summary(migrationId)! };
  });
  router.handle('migrations:rollback', ({ migrationId, options }) => engine.rollback(migrationId, options));
  router.handle('migrations:restore', (request) => engine.restore(request));
}
