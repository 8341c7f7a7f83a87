/**
 * "Rotate credentials" for a live database, as one journaled run on the one run path: a verified
 * backup, the new password set in the database itself, every dependant whose env embeds the old
 * password (matched by value) recreated with the new one and health-gated, then the database's
 * own container recreated with the new value, and everything recorded. Specs are read live from
 * the server (memory only); the journal keeps them masked. Undo (any failure) puts the old
 * containers back and the old password in the database. It is journaled as an operator's
 * maintenance run (kind `restore`, like "Restore this backup"), so the approval gate, which
 * guards migrations, does not ask for an approval. And `credentials:reveal`: one credential
 * of a live container, read on its server on the operator's demand and never logged.
 */
import type Dockerode from 'dockerode';
import { GantryError } from '@shared/ipc/result';
import type { PlannedResource, MigrationPlan } from '@shared/migration/plan';
import { healthWaitMs } from '@shared/migration/plan-steps';
import type { MigrationStep } from '@shared/migration/steps';
import type { ContainerInspectInfo, ImageInspectInfo } from '@shared/spec/docker-inspect';
import type { ResourceSpec } from '@shared/spec/resource-spec';
import { specFromInspect } from '@shared/spec/spec-from-inspect';
import { adapterFor, detectDatabase } from '../databases/registry';
import { newPassword, passwordVariables, rewriteCredential } from '../databases/rotation';
import type { SpecSealer } from '../inventory/spec-hash';
import { liveSpecHash } from './verify-target';
import type { InventoryStore } from '../inventory/inventory-store';
import type { Router } from '../ipc/router';
import type { RemoteHost } from '../servers/remote-host';
import { maskedPlan, type MigrationEngine } from './engine';
import type { LaunchRequest } from './run-path';
import { maskSteps } from './steps/registry';

/** A live container's spec in clear (memory only). */
async function liveSpec(docker: Dockerode, name: string): Promise<ResourceSpec> {
  const inspect = (await docker.getContainer(name).inspect()) as unknown as ContainerInspectInfo;
  const image = (await docker.getImage(inspect.Image).inspect().catch(() => undefined)) as unknown as ImageInspectInfo | undefined;
  return specFromInspect(inspect, image);
}

/** The run that rotates the password of database `resourceId` in `environmentId`. */
export async function rotationRun(deps: { inventory: InventoryStore; hosts: (serverId: string) => RemoteHost; sealer?: () => SpecSealer }, request: { environmentId: string; resourceId: string }, generate: () => string = newPassword): Promise<{ launch: LaunchRequest; stepsInClear: MigrationStep[] }> {
  const environment = deps.inventory.environment(request.environmentId);
  if (!environment.serverId) throw new GantryError('not_bound', `${environment.name} has no server.`);
  const host = deps.hosts(environment.serverId);
  const views = new Map(deps.inventory.resources(environment.projectId).map((resource) => [resource.id, resource]));
  const here = deps.inventory.instances(environment.projectId).filter((instance) => instance.environmentId === environment.id);
  const database = here.find((instance) => instance.resourceId === request.resourceId);
  if (!database || views.get(request.resourceId)?.kind !== 'database') throw new GantryError('not_found', `${environment.name} has no database ${request.resourceId}.`);
  const docker = host.docker();
  const dbSpec = await liveSpec(docker, database.containerName);
  const detected = detectDatabase(dbSpec).best;
  const adapter = detected ? adapterFor(detected.type) : null;
  // Every password variable, one change per distinct password (variables holding the same one get the same new one).
  const byValue = new Map<string, { variable: string; next: string }>();
  for (const variable of passwordVariables(dbSpec)) {
    const old = dbSpec.env[variable]!;
    if (!byValue.has(old)) byValue.set(old, { variable, next: generate() });
  }
  if (!adapter || byValue.size === 0) throw new GantryError('rotation_unsupported', `${database.containerName} keeps no password in an env variable Gantry can rotate.`);
  const changes = [...byValue.entries()].map(([old, { variable, next }]) => {
    try {
      return { variable, old, next, login: adapter.passwordChange({ container: database.containerName, spec: dbSpec }, variable).loginVariable === variable };
    } catch (error) {
      throw new GantryError('rotation_unsupported', `Gantry cannot rotate ${variable} of ${database.containerName}: ${(error as Error).message}`);
    }
  });
  // The password the changes log in with changes last (each change before it logs in with the old one, and undo runs in reverse).
  changes.sort((a, b) => Number(a.login) - Number(b.login));
  const newEnv = Object.fromEntries(Object.entries(dbSpec.env).map(([name, value]) => [name, byValue.get(value) && passwordVariables(dbSpec).includes(name) ? byValue.get(value)!.next : value]));
  const rewriteAll = (spec: ResourceSpec) => {
    let out = spec;
    const sites: string[] = [];
    for (const change of changes) {
      const rewritten = rewriteCredential(out, change.old, change.next, null);
      out = rewritten.spec;
      sites.push(...rewritten.sites);
    }
    return { spec: out, sites };
  };

  const planned = (instance: (typeof here)[number], spec: ResourceSpec): PlannedResource => {
    const identity = { uuid: instance.resourceId, containerName: instance.containerName, hostnames: [] };
    const view = views.get(instance.resourceId);
    return { resourceId: instance.resourceId, name: view?.name ?? instance.containerName, kind: view?.kind ?? 'application', mode: 'promote', unchanged: false, addedAsDependency: false, source: identity, target: identity, desiredSpec: spec, volumesToCreate: [], scheduledTasks: [], linksToCreate: [], tags: view?.tags ?? [] };
  };
  const db = planned(database, { ...dbSpec, env: newEnv });
  const dependants: PlannedResource[] = [];
  for (const instance of here.filter((each) => each.resourceId !== request.resourceId)) {
    const spec = await liveSpec(docker, instance.containerName).catch(() => null);
    if (!spec) continue;
    const rewritten = rewriteAll(spec);
    if (rewritten.sites.length > 0) dependants.push(planned(instance, rewritten.spec));
  }
  const replace = (resource: PlannedResource): MigrationStep[] => {
    const containerName = resource.target.containerName;
    return [
      { id: `replace-container:${resource.resourceId}`, kind: 'replace-container', title: `Recreate ${containerName} with the new credentials`, resourceId: resource.resourceId, undo: `Put the previous ${containerName} back`, params: { containerName, previousSpecHash: null } },
      { id: `wait-healthy:${resource.resourceId}`, kind: 'wait-healthy', title: `Wait for ${containerName} to be healthy`, resourceId: resource.resourceId, undo: null, params: { containerName, timeoutMs: healthWaitMs(resource.desiredSpec) } },
    ];
  };
  const steps: MigrationStep[] = [
    { id: `backup-database:${db.resourceId}`, kind: 'backup-database', title: `Back up ${database.containerName} and verify the backup`, resourceId: db.resourceId, undo: null, params: { containerName: database.containerName, resourceName: db.name } },
    ...changes.map(({ variable }): MigrationStep => ({ id: changes.length === 1 ? `set-database-password:${db.resourceId}` : `set-database-password:${db.resourceId}:${variable}`, kind: 'set-database-password', title: changes.length === 1 ? `Set a new password in ${database.containerName}` : `Set a new ${variable} in ${database.containerName}`, resourceId: db.resourceId, undo: 'Set the previous password again', params: { containerName: database.containerName, resourceName: db.name, variable } })),
    ...dependants.flatMap(replace),
    ...replace(db),
    ...[...dependants, db].map((resource): MigrationStep => ({ id: `record-resource:${resource.resourceId}`, kind: 'record-resource', title: `Record ${resource.target.containerName}`, resourceId: resource.resourceId, undo: 'Restore the previous record', params: { containerName: resource.target.containerName, tags: [...resource.tags] } })),
  ];
  const resources = [db, ...dependants];
  const target = { id: environment.id, name: environment.name, production: environment.production };
  const plan: MigrationPlan = { source: target, target, server: { id: environment.serverId, name: environment.serverName ?? environment.serverId }, direction: 'forward', resources, steps, diff: { resources: [], unified: '' }, missingDependencies: [], prechecks: [], blocking: false };
  const names = dependants.map((resource) => resource.name);
  const variables = changes.map((change) => change.variable).join(', ');
  // What an undo after a crash is checked against: every container as it ran before.
  const beforeHash = async (resource: PlannedResource) => (deps.sealer ? await liveSpecHash(host, resource.target.containerName, deps.sealer).catch(() => null) : null);
  const expected = await Promise.all(resources.map(async (resource) => ({ resourceId: resource.resourceId, name: resource.name, containerName: resource.target.containerName, beforeHash: await beforeHash(resource) })));
  return {
    launch: {
      run: { format: 1, kind: 'restore', plan: maskedPlan(plan), steps: maskSteps(steps), sourceServerId: environment.serverId, promotedFrom: {}, event: 'migrated', expected: expected.every((entry) => entry.beforeHash !== null) ? expected : [] },
      options: { waitForReady: true, healthTimeoutSec: 300, httpCheckPath: null },
      projectId: environment.projectId,
      sourceEnvironmentId: null,
      targetEnvironmentId: environment.id,
      rollbackOf: null,
      resources,
      title: `Rotate credentials of ${db.name} in ${environment.name}`,
      firstLog: `Rotates ${variables} of ${db.name} in ${environment.name}${names.length ? `; ${names.join(', ')} ${names.length === 1 ? 'embeds' : 'embed'} it and ${names.length === 1 ? 'is' : 'are'} recreated with the new value` : ''}. The new value is never stored or logged: reveal it on the database's page.`,
    },
    stepsInClear: steps,
  };
}

/** Registers `credentials:rotate` and `credentials:reveal`. */
export function registerRotationHandlers(router: Router, deps: { engine: MigrationEngine; inventory: InventoryStore; hosts: (serverId: string) => RemoteHost; sealer?: () => SpecSealer; log: (message: string, fields: Record<string, unknown>) => void }): void {
  router.handle('credentials:rotate', async (request) => {
    const { launch, stepsInClear } = await rotationRun(deps, request);
    return deps.engine.runPath.launch(launch, stepsInClear);
  });
  router.handle('credentials:reveal', async ({ environmentId, resourceId, variable }) => {
    const environment = deps.inventory.environment(environmentId);
    const instance = deps.inventory.instances(environment.projectId).find((each) => each.environmentId === environmentId && each.resourceId === resourceId);
    if (!instance || !environment.serverId) throw new GantryError('not_found', `${environment.name} has no instance of ${resourceId}.`);
    const spec = await liveSpec(deps.hosts(environment.serverId).docker(), instance.containerName);
    const value = spec.env[variable];
    if (value === undefined) throw new GantryError('not_found', `${instance.containerName} has no env ${variable}.`);
    deps.log('secret revealed to the operator', { environment: environment.name, container: instance.containerName, field: `env ${variable}` });
    return { value };
  });
}
