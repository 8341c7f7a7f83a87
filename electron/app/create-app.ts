import { join } from 'node:path';
import { Router } from '../ipc/router';
import { JobRegistry } from '../jobs/registry';
import { registerJobHandlers } from '../jobs/handlers';
import { createInventoryArea } from '../inventory/inventory-area';
import { registerInventoryHandlers } from '../inventory/handlers';
import { MigrationEngine } from '../migrations/engine';
import { registerBackupHandlers } from '../migrations/backup-runs';
import { registerRotationHandlers } from '../migrations/rotation-runs';
import { registerDomainHandlers } from '../migrations/domain-runs';
import { registerNewCredentialsHandler } from '../migrations/new-credentials';
import { registerWebhookHandlers } from '../webhooks/handlers';
import { registerMigrationHandlers } from '../migrations/handlers';
import { registerHistoryHandlers } from '../history/handlers';
import { registerSettingsHandlers } from '../settings/handlers';
import { createApprovalsArea } from '../approvals/approvals-setup';
import { createOsKeychain, type SecretStore } from '../keychain/secret-store';
import { registerServerHandlers } from '../servers/handlers';
import { createServersArea, type ServersArea, type ServersAreaOptions } from '../servers/servers-area';
import { claimDataFolder } from '../store/data-folder-lock';
import { openDatabase, schemaVersion, type GantryDatabase } from '../store/open-database';
import { EventHub } from './events';
import { createFileLogger, type Logger } from './logger';

/** What the engine needs from its host (Electron main, the browser-mode server, or a test). */
export interface AppOptions {
  dataDir: string;
  version: string;
  /** Defaults to `<dataDir>/gantry.db`; tests may pass `:memory:`. */
  databaseFile?: string;
  logger?: Logger;
  /** Where secrets go; defaults to the OS keychain. */
  secretStore?: SecretStore;
  /** Test-only knobs of the servers area (agent env, known_hosts files, timings). */
  servers?: Partial<Pick<ServersAreaOptions, 'env' | 'knownHostsFiles' | 'sshConfigFile' | 'tuning' | 'pool'>>;
}

/** The engine: database, jobs, events and the router that serves every IPC channel. */
export interface GantryApp {
  readonly router: Router;
  readonly events: EventHub;
  readonly jobs: JobRegistry;
  readonly db: GantryDatabase;
  readonly logger: Logger;
  /** Servers: records, keychain secrets and the pooled SSH connections (`servers.connections.get(id)`). */
  readonly servers: ServersArea;
  /** The migration engine. */
  readonly migrations: MigrationEngine;
  /** Settles when migrations a previous engine left half-done have been undone (see `recoverInterrupted`). */
  readonly recovery: Promise<string[]>;
  /** Cancels running jobs and closes connections and the database. */
  close(): Promise<void>;
}

/**
 * Builds the engine. It never imports `electron`: the same object serves Electron IPC, the
 * browser-mode WebSocket bridge and the tests.
 */
export function createApp(options: AppOptions): GantryApp {
  const databaseFile = options.databaseFile ?? join(options.dataDir, 'gantry.db');
  const logFile = join(options.dataDir, 'logs', 'gantry.log');
  const logger = options.logger ?? createFileLogger(logFile);
  // One engine per database file: a second would undo the first one's running migrations.
  const releaseFolder = databaseFile === ':memory:' ? () => undefined : claimDataFolder(databaseFile, options.dataDir);
  let db: GantryDatabase;
  try {
    db = openDatabase(databaseFile);
  } catch (error) {
    releaseFolder();
    throw error;
  }
  const events = new EventHub();
  const jobs = new JobRegistry((event) => events.emit('job:event', event));
  const router = new Router((channel, error) => logger.error(`Handler for ${channel} failed`, { error }));

  router.handle('app:info', (_request, call) => ({
    name: 'Gantry',
    version: options.version,
    dataDir: options.dataDir,
    databaseFile,
    bridge: call.bridge,
    platform: process.platform,
    nodeVersion: process.versions.node,
    schemaVersion: schemaVersion(db),
  }));
  registerJobHandlers(router, jobs);
  const servers = createServersArea({ db, events, logger, secrets: options.secretStore ?? createOsKeychain(), ...options.servers });
  registerSettingsHandlers(router, { db, secrets: options.secretStore ?? createOsKeychain(), locations: { dataDir: options.dataDir, databaseFile, logFile } });
  registerServerHandlers(router, servers, jobs);
  const inventory = createInventoryArea({ db, secrets: options.secretStore ?? createOsKeychain() });
  registerInventoryHandlers(router, inventory, { jobs, hosts: (serverId) => servers.connections.get(serverId) });
  const hosts = (serverId: string) => servers.connections.get(serverId);
  const approvals = createApprovalsArea({ dataDir: options.dataDir, secrets: options.secretStore ?? createOsKeychain(), hosts, servers, inventory: inventory.store, sealer: inventory.sealer });
  const migrations = new MigrationEngine({ db, jobs, events, logger, inventory, hosts, approvalGate: approvals.gate, secrets: options.secretStore ?? createOsKeychain() });
  registerMigrationHandlers(router, migrations);
  registerBackupHandlers(router, { engine: migrations, inventory: inventory.store, hosts });
  registerRotationHandlers(router, { engine: migrations, inventory: inventory.store, hosts, sealer: inventory.sealer, log: (message, fields) => logger.info(message, fields) });
  registerDomainHandlers(router, { engine: migrations, inventory: inventory.store, hosts, sealer: inventory.sealer });
  registerNewCredentialsHandler(router, migrations.journal);
  registerWebhookHandlers(router, { journal: migrations.journal, secrets: options.secretStore ?? createOsKeychain(), ...(process.env.GANTRY_GITHUB_API ? { githubApiBase: process.env.GANTRY_GITHUB_API } : {}), log: (message, fields) => logger.info(message, fields) });
  approvals.register(router, { engine: migrations, inventory });
  registerHistoryHandlers(router, db);

  router.assertComplete();
  logger.info('Gantry engine started', { dataDir: options.dataDir, version: options.version });
  const recovery = migrations.recoverInterrupted().catch((error: unknown) => {
    logger.error('Could not recover interrupted migrations', { error });
    return [];
  });

  return {
    router,
    events,
    jobs,
    db,
    logger,
    servers,
    migrations,
    recovery,
    async close() {
      await jobs.cancelAll();
      await servers.close();
      db.$client.close();
      releaseFolder();
    },
  };
}
