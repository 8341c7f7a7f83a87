import { GantryError } from '@shared/ipc/result';
import type { Router } from '../ipc/router';
import type { JobRegistry } from '../jobs/registry';
import type { MigrationEngine } from './engine';
import type { RemoteHost } from './remote-host';
import { startRestore, startRollback } from './rollback';

/** Registers the `migrations:*` channels. */
export function registerMigrationHandlers(router: Router, engine: MigrationEngine, deps: { jobs: JobRegistry; hosts: (serverId: string) => RemoteHost }): void {
  router.handle('migrations:plan', async (request) => engine.plan(request));
  router.handle('migrations:start', ({ planId, options }) => engine.start(planId, options));
  router.handle('migrations:reveal', (request) => engine.reveal(request));
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
  router.handle('migrations:rollback', ({ migrationId, options }) => startRollback(engine, deps, migrationId, options));
  router.handle('migrations:restore', (request) => startRestore(engine, deps, request));
}
