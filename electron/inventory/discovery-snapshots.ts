/**
 * The last discovery of each server: in memory for the graph, and in SQLite (when given a
 * database) so a restart shows the last result with its time instead of "not discovered".
 * Containers are stored as discovery keeps them: sealed specs, never clear secret values.
 */
import { eq } from 'drizzle-orm';
import type { GantryDatabase } from '../store/open-database';
import { discoverySnapshots } from '../store/schema';
import type { DiscoveredContainer, ServerDiscovery } from './discovery';

/** The last discovery of each server; results read back from the database count as restored until refreshed. */
export class DiscoverySnapshots {
  private readonly byServer = new Map<string, ServerDiscovery>();
  private readonly restored = new Set<string>();

  constructor(private readonly db: GantryDatabase | null = null) {
    for (const row of db?.select().from(discoverySnapshots).all() ?? []) {
      const containers = parseContainers(row.containersJson);
      if (!containers) continue;
      this.byServer.set(row.serverId, { serverId: row.serverId, at: row.at, reachable: row.reachable, error: row.error, containers });
      this.restored.add(row.serverId);
    }
  }

  /** Keeps the newest result of a server (and saves it). */
  set(result: ServerDiscovery): void {
    this.byServer.set(result.serverId, result);
    this.restored.delete(result.serverId);
    this.save(result);
  }

  /** Puts a freshly inspected container into its server's last result (after adopt or accept), if there is one. */
  updateContainer(serverId: string, container: DiscoveredContainer): void {
    const snapshot = this.byServer.get(serverId);
    if (!snapshot?.reachable) return;
    const others = snapshot.containers.filter((item) => item.containerId !== container.containerId && item.containerName !== container.containerName);
    const next = { ...snapshot, containers: [...others, container] };
    this.byServer.set(serverId, next);
    this.save(next);
  }

  /** The last result of a server, if discovery has run for it. */
  get(serverId: string): ServerDiscovery | undefined {
    return this.byServer.get(serverId);
  }

  /** Servers whose result was read back from the database and not refreshed since. */
  restoredServerIds(): string[] {
    return [...this.restored];
  }

  private save(result: ServerDiscovery): void {
    if (!this.db) return;
    const row = { at: result.at, reachable: result.reachable, error: result.error, containersJson: JSON.stringify(result.containers) };
    try {
      this.db
        .insert(discoverySnapshots)
        .values({ serverId: result.serverId, ...row })
        .onConflictDoUpdate({ target: discoverySnapshots.serverId, set: row })
        .run();
    } catch (error) {
      // The server was removed while it was being discovered: nothing to keep.
      if (!String((error as { code?: unknown }).code ?? '').startsWith('SQLITE_CONSTRAINT')) throw error;
      this.db.delete(discoverySnapshots).where(eq(discoverySnapshots.serverId, result.serverId)).run();
    }
  }
}

function parseContainers(json: string): DiscoveredContainer[] | null {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? (value as DiscoveredContainer[]) : null;
  } catch {
    return null;
  }
}
