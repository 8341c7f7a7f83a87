/**
 * Test-data copy as the engine offers it: which databases of a plan may have their data copied
 * (the operator's database type for each), the rule that nothing is ever copied into production
 * (refused here, whatever the UI sent), the estimate and the destructive confirmation the
 * operator sees first, and the standalone "Copy data" run between two environments that both have
 * the resource (a journaled run of one `copy-data` step on the run path).
 */
import { GantryError } from '@shared/ipc/result';
import type { CopyEstimate } from '@shared/migration/data-copy';
import type { MigrationPlan, PlannedResource } from '@shared/migration/plan';
import type { DatabaseType } from '@shared/spec/resource-spec';
import { adapterFor } from '../databases/registry';
import { estimateDumpBytes, liveDatabaseTarget } from '../databases/copy-stream';
import type { InventoryStore } from '../inventory/inventory-store';
import type { RemoteHost } from '../servers/remote-host';

/** A database whose data a run copies, with the engine its adapter speaks. */
export interface CopyChoice {
  resourceId: string;
  databaseType: DatabaseType;
}

/** Refuses a copy into production, naming the rule and the environment. */
export function refuseProduction(target: { name: string; production: boolean }): void {
  if (target.production) {
    throw new GantryError(
      'forbidden',
      `Test data is never copied into production: ${target.name} is a production environment. Copy data only between non-production environments (e.g. dev → uat).`,
    );
  }
}

/** The copy choices of a run: each id must be a database resource of the plan; none into production. */
export function copyChoices(inventory: InventoryStore, projectId: string, plan: Pick<MigrationPlan, 'target' | 'resources'>, resourceIds: readonly string[] | undefined): CopyChoice[] {
  if (!resourceIds || resourceIds.length === 0) return [];
  refuseProduction(plan.target);
  return [...new Set(resourceIds)].map((resourceId) => {
    const planned = plan.resources.find((resource) => resource.resourceId === resourceId);
    if (!planned) throw new GantryError('invalid_request', `Resource ${resourceId} is not part of this migration, so its data cannot be copied with it.`);
    const resource = inventory.resource(projectId, resourceId);
    if (planned.kind !== 'database' || !resource.databaseType) {
      throw new GantryError('invalid_request', `${planned.name} is not a database resource: only a database's data can be copied. Set its kind and database type in the resource detail.`);
    }
    return { resourceId, databaseType: resource.databaseType };
  });
}

/** The confirmation text for replacing one database's data. */
export function confirmationFor(targetEnvironment: string, resourceName: string, targetServer: string): string {
  return `ALL data in ${targetEnvironment}'s ${resourceName} on ${targetServer} will be replaced`;
}

/** Reads the source database's size and says what the copy replaces. The source is only read. */
export async function estimateCopy(
  planned: PlannedResource,
  choice: CopyChoice,
  hosts: { source: RemoteHost; targetServerName: string; targetEnvironment: string },
  signal?: AbortSignal,
): Promise<CopyEstimate> {
  const adapter = adapterFor(choice.databaseType);
  const source = { host: hosts.source, target: await liveDatabaseTarget(hosts.source, planned.source.containerName) };
  const estimateBytes = await estimateDumpBytes(source, adapter, signal);
  return {
    resourceId: planned.resourceId,
    resourceName: planned.name,
    databaseType: choice.databaseType,
    engineLabel: adapter.label,
    sourceContainer: planned.source.containerName,
    targetContainer: planned.target.containerName,
    targetServer: hosts.targetServerName,
    estimateBytes,
    confirmation: confirmationFor(hosts.targetEnvironment, planned.name, hosts.targetServerName),
  };
}
