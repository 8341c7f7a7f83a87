/**
 * The connection pool: one SSH connection per server, shared by everything that talks to it
 * (probe, discovery, migrations). Later code gets a server's connection with
 * `connections.get(serverId)` and calls `exec`, `spawn` or `docker()` on it.
 */
import type { ConnectionState } from '@shared/servers/server-schemas';
import { defaultSshTuning, type ConnectTarget, type SshTuning } from './ssh-connect';
import { ServerConnection, type ReconnectPolicy } from './server-connection';

/** How the pool learns about servers, and its limits. */
export interface ServerConnectionsOptions {
  /** A server's display label; throws `not_found` for an unknown id. */
  labelOf(serverId: string): string;
  /** Reads the server's record and secrets just before each (re)connect. */
  resolveTarget(serverId: string, signal: AbortSignal): Promise<ConnectTarget>;
  /** Called whenever a connection changes state (for live status in the UI). */
  onState?(serverId: string, state: ConnectionState, message: string | null): void;
  tuning?: Partial<SshTuning>;
  /** Channels open at once per connection; below OpenSSH's MaxSessions (10) by default. */
  maxChannels?: number;
  reconnect?: Partial<ReconnectPolicy>;
}

/** Retries and backoff after a drop: 0.5 s, 1 s, 2 s, 4 s. */
export const defaultReconnectPolicy: ReconnectPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 8000 };

/** One pooled SSH connection per server. */
export class ServerConnections {
  private readonly connections = new Map<string, ServerConnection>();

  constructor(private readonly options: ServerConnectionsOptions) {}

  /** The server's connection (created on first request, connected on first use). */
  get(serverId: string): ServerConnection {
    let connection = this.connections.get(serverId);
    if (!connection) {
      connection = new ServerConnection({
        label: this.options.labelOf(serverId),
        resolveTarget: (signal) => this.options.resolveTarget(serverId, signal),
        tuning: { ...defaultSshTuning, ...this.options.tuning },
        maxChannels: this.options.maxChannels ?? 8,
        reconnect: { ...defaultReconnectPolicy, ...this.options.reconnect },
        onState: (state, message) => this.options.onState?.(serverId, state, message),
      });
      this.connections.set(serverId, connection);
    }
    return connection;
  }

  /** The live state of a server's connection (`idle` when none was opened). */
  status(serverId: string): { state: ConnectionState; message: string | null } {
    const stats = this.connections.get(serverId)?.stats();
    return stats ? { state: stats.state, message: stats.message } : { state: 'idle', message: null };
  }

  /** Closes and forgets a server's connection (after its record, key pin or credentials change). */
  async drop(serverId: string): Promise<void> {
    const connection = this.connections.get(serverId);
    if (!connection) return;
    this.connections.delete(serverId);
    await connection.close();
  }

  /** Closes every connection (on quit). */
  async closeAll(): Promise<void> {
    const all = [...this.connections.keys()];
    await Promise.all(all.map((serverId) => this.drop(serverId)));
  }
}
