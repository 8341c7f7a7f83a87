/**
 * Backups in History: the list of a resource's backups (read from its server, where they live)
 * and "Restore this backup" — a journaled run on the one run path, with a fresh verified backup
 * first (`backup-database`), then `restore-database`, whose undo puts that fresh backup back.
 */
import { GantryError } from '@shared/ipc/result';
import type { BackupRecord } from '@shared/migration/backups';
import type { MigrationStep } from '@shared/migration/steps';
import { findBackup, listBackups, readRetention, writeRetention } from '../databases/backup-manifest';
import type { InventoryStore } from '../inventory/inventory-store';
import type { Router } from '../ipc/router';
import type { RemoteHost } from '../servers/remote-host';
import type { MigrationEngine } from './engine';
import type { MigrationJournal } from './journal';
import type { LaunchRequest } from './run-path';
import { readStoredRun } from './stored-run';

/** The run that puts `backup` back into its database in the environment `environmentId`. */
export function restoreBackupRun(journal: MigrationJournal, backup: BackupRecord, environmentId: string, options: { waitForReady: boolean; healthTimeoutSec: number }): LaunchRequest {
  const original = journal.get(backup.migrationId);
  if (!original) throw new GantryError('not_found', `The migration ${backup.migrationId.slice(0, 8)} that took this backup is not in this Gantry's journal, so Gantry does not know the database's spec here; restore it from the Gantry that took it.`);
  const { plan } = readStoredRun(original.planJson, original.kind);
  const resource = plan.resources.find((each) => each.resourceId === backup.resourceId);
  if (!resource) throw new GantryError('not_found', `Migration ${backup.migrationId.slice(0, 8)} did not change ${backup.resourceName}.`);
  const containerName = backup.containerName;
  const when = new Date(backup.takenAt).toISOString().replace('T', ' ').slice(0, 16);
  const steps: MigrationStep[] = [
    { id: `backup-database:${resource.resourceId}`, kind: 'backup-database', title: `Back up ${containerName} and verify the backup`, resourceId: resource.resourceId, undo: null, params: { containerName, resourceName: resource.name } },
    {
      id: `restore-database:${resource.resourceId}`,
      kind: 'restore-database',
      title: `Restore ${containerName} from its backup of ${when} UTC`,
      resourceId: resource.resourceId,
      undo: 'Put back the backup taken just before',
      params: { containerName, resourceName: resource.name, backupId: backup.id, file: backup.file, sha256: backup.sha256, contentChecksum: backup.contentChecksum },
    },
  ];
  const runOptions = { ...options, httpCheckPath: null };
  return {
    run: { format: 1, kind: 'restore', plan: { ...plan, resources: [resource], steps }, steps, sourceServerId: plan.server.id, promotedFrom: {}, event: 'rolled_back', expected: [] },
    options: runOptions,
    projectId: original.projectId,
    sourceEnvironmentId: null,
    targetEnvironmentId: environmentId,
    rollbackOf: null,
    resources: [resource],
    title: `Restore ${resource.name} in ${plan.target.name} from a backup`,
    firstLog: `Restores ${resource.name} in ${plan.target.name} from backup ${backup.id} (SHA-256 ${backup.sha256}), taking a fresh backup first so this can be undone.`,
  };
}

/** Ids of the backups whose migration is a completed migration that can still be rolled back (the data it changed may be wanted back with it). */
export function pinnedForRollback(journal: MigrationJournal, backups: readonly BackupRecord[]): string[] {
  return backups
    .filter((backup) => {
      const row = journal.get(backup.migrationId);
      return row?.kind === 'migrate' && (row.status === 'completed' || row.status === 'completed_with_warning');
    })
    .map((backup) => backup.id);
}

/** What the backup channels need. */
export interface BackupHandlerDeps {
  engine: MigrationEngine;
  inventory: InventoryStore;
  hosts: (serverId: string) => RemoteHost;
}

/** Registers `backups:list`, `backups:set-retention` and `backups:restore`. */
export function registerBackupHandlers(router: Router, deps: BackupHandlerDeps): void {
  const hostOf = (environmentId: string) => {
    const environment = deps.inventory.environment(environmentId);
    if (!environment.serverId) throw new GantryError('not_bound', `${environment.name} has no server, so it has no backups.`);
    return { host: deps.hosts(environment.serverId), serverId: environment.serverId };
  };
  router.handle('backups:list', async ({ environmentId, resourceId }) => {
    const listed = await listBackups(hostOf(environmentId).host, { resourceId });
    return { ...listed, pinned: pinnedForRollback(deps.engine.journal, listed.backups) };
  });
  router.handle('backups:retention', async ({ environmentId }) => ({ keep: await readRetention(hostOf(environmentId).host) }));
  router.handle('backups:set-retention', async ({ environmentId, keep }) => {
    const { host } = hostOf(environmentId);
    await writeRetention(host, keep);
    return { keep: await readRetention(host) };
  });
  router.handle('backups:restore', async ({ environmentId, resourceId, backupId, options }) => {
    const { host } = hostOf(environmentId);
    const backup = await findBackup(host, resourceId, backupId);
    return deps.engine.runPath.launch(restoreBackupRun(deps.engine.journal, backup, environmentId, options));
  });
}
