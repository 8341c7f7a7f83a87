/** Builds the approvals area for one engine: local state in the data folder, the gate for the run path, the IPC handlers. */
import { hostname } from 'node:os';
import type { Router } from '../ipc/router';
import type { InventoryArea } from '../inventory/inventory-area';
import type { InventoryStore } from '../inventory/inventory-store';
import type { SpecSealer } from '../inventory/spec-hash';
import type { SecretStore } from '../keychain/secret-store';
import type { MigrationEngine } from '../migrations/engine';
import type { RemoteHost } from '../servers/remote-host';
import type { ServersArea } from '../servers/servers-area';
import { ApprovalsArea } from './approvals-area';
import { registerApprovalHandlers } from './handlers';
import { ApprovalsLocalState } from './local-state';
import { ApprovalGate } from './run-approval';

/** The approvals area wired into an engine. */
export function createApprovalsArea(options: { dataDir: string; secrets: SecretStore; hosts: (serverId: string) => RemoteHost; servers: ServersArea; inventory: InventoryStore; sealer: () => SpecSealer }) {
  const state = new ApprovalsLocalState(options.dataDir, options.secrets);
  // Requests are read from the servers that host a production environment here or whose policy this Gantry pinned.
  const relevant = () => {
    const ids = new Set(state.pinnedServers());
    for (const project of options.inventory.listProjects()) for (const environment of options.inventory.environments(project.id)) if (environment.production && environment.serverId) ids.add(environment.serverId);
    return ids;
  };
  const area = new ApprovalsArea({
    state,
    hosts: options.hosts,
    servers: () => {
      const ids = relevant();
      return options.servers.registry.rows().flatMap((row) => (ids.has(row.id) ? [{ id: row.id, name: row.name }] : []));
    },
    serverName: (serverId) => options.servers.registry.rows().find((row) => row.id === serverId)?.name ?? serverId,
  });
  return {
    area,
    gate: new ApprovalGate(area, options.sealer, hostname()),
    register: (router: Router, deps: { engine: MigrationEngine; inventory: InventoryArea }) => registerApprovalHandlers(router, area, deps),
  };
}
