/**
 * The servers area of the engine: the registry (records + keychain), the connection pool that
 * the rest of the engine uses (`area.connections.get(serverId)`), and the host-key helpers.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { EventHub } from '../app/events';
import type { Logger } from '../app/logger';
import type { SecretStore } from '../keychain/secret-store';
import type { GantryDatabase } from '../store/open-database';
import { ServerConnections, type ServerConnectionsOptions } from './connection-pool';
import { knownHostsInFiles, type KnownHostEntry } from './host-keys';
import { ServerRegistry } from './server-registry';
import { defaultSshTuning, type SshTuning } from './ssh-connect';

/** What the servers area needs from the app. */
export interface ServersAreaOptions {
  db: GantryDatabase;
  events: EventHub;
  logger: Logger;
  secrets: SecretStore;
  /** Where SSH_AUTH_SOCK is read (tests pass their own agent). */
  env?: NodeJS.ProcessEnv;
  /** known_hosts files offered for import; default ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts. */
  knownHostsFiles?: string[];
  /** The default OpenSSH client config to import from; default ~/.ssh/config. */
  sshConfigFile?: string;
  tuning?: Partial<SshTuning>;
  pool?: Pick<ServerConnectionsOptions, 'maxChannels' | 'reconnect'>;
}

/** The servers area: records, the connection pool, and host-key lookups. */
export interface ServersArea {
  readonly registry: ServerRegistry;
  /** One pooled SSH connection per server: the API discovery and migrations build on. */
  readonly connections: ServerConnections;
  readonly tuning: SshTuning;
  readonly sshConfigFile: string;
  /** known_hosts entries for a host and port, across the configured files. */
  knownHosts(host: string, port: number): KnownHostEntry[];
  /** Tells the UI a server changed (state, record or probe). */
  announce(serverId: string): void;
  /** Closes every connection. */
  close(): Promise<void>;
}

/** Builds the servers area. Connecting happens lazily, on first use of a server. */
export function createServersArea(options: ServersAreaOptions): ServersArea {
  const registry = new ServerRegistry(options.db, options.secrets, options.env ?? process.env);
  const tuning = { ...defaultSshTuning, ...options.tuning };
  const knownHostsFiles = options.knownHostsFiles ?? [join(homedir(), '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
  const connections = new ServerConnections({
    labelOf: (serverId) => registry.labelOf(serverId),
    resolveTarget: async (serverId) => registry.resolveTarget(serverId),
    onState: (serverId, state, message) => {
      // State changes are logged without secrets: labels and messages never contain them.
      if (state === 'failed' || state === 'reconnecting') options.logger.warn(`SSH ${state}`, { serverId, message });
      options.events.emit('servers:status', { serverId, state, message });
    },
    tuning,
    ...options.pool,
  });
  return {
    registry,
    connections,
    tuning,
    sshConfigFile: options.sshConfigFile ?? join(homedir(), '.ssh', 'config'),
    knownHosts: (host, port) => knownHostsInFiles(knownHostsFiles, host, port),
    announce(serverId) {
      const { state, message } = connections.status(serverId);
      options.events.emit('servers:status', { serverId, state, message });
    },
    close: () => connections.closeAll(),
  };
}
