/**
 * What the step modules share: the context of one run and the Docker helpers every kind that
 * creates or removes containers uses. Every object Gantry creates carries the run's migration
 * label, so an undo removes only what this run made.
 */
import { GantryError } from '@shared/ipc/result';
import type { MigrationStep } from '@shared/migration/steps';
import type { PlannedResource } from '@shared/migration/plan';
import { gantryLabels } from '@shared/spec/resource-spec';
import { createOptionsFor } from '../container-options';
import { shellQuote, type RemoteHost } from '../../servers/remote-host';
import type { InstanceRow } from '../../inventory/inventory-store';
import type { RecordResult } from '../records';
import type { SecretStore } from '../../keychain/secret-store';

/** What the steps of one migration share. */
export interface ExecutionContext {
  migrationId: string;
  source: RemoteHost;
  target: RemoteHost;
  /** Resources of the plan by id, desired specs in clear (memory only, never journaled). */
  resources: Map<string, PlannedResource>;
  /** Labels every container this migration creates carries, besides the migration label. */
  labelsFor(resource: PlannedResource): Record<string, string>;
  /** Whether to wait for health; false skips the gate (the container only has to start). */
  waitForReady: boolean;
  /** Caps every health wait (ms); the plan's own wait applies when lower. */
  healthTimeoutMs: number;
  /** The operator's HTTP check path, for resources without a Docker health check. */
  httpCheckPath: string | null;
  /** The OS keychain, for a step that must keep a secret across a crash (a rotation's passwords); absent in tests that need none. */
  secrets?: SecretStore;
  /** Things the operator should know though nothing failed (e.g. a health timeout). */
  warnings: string[];
  /** Local bookkeeping (records in SQLite), done by the engine itself. */
  local: {
    recordResource(resourceId: string, containerName: string): Promise<RecordResult>;
    /** The instance record of a resource in the run's target environment now, or null. */
    currentRecord(resourceId: string): InstanceRow | null;
    undoRecordResource(resourceId: string, result: Partial<RecordResult> | null): void;
    /** Drops an instance record (a rollback retired its container); returns it for undo. */
    forgetInstance(resourceId: string, environmentId: string): InstanceRow | null;
    /** Puts back an instance record `forgetInstance` dropped. */
    restoreInstance(previous: InstanceRow): void;
  };
}

/**
 * The HTTP check for one resource: the operator's path on its first published TCP port, when it
 * has no Docker health check of its own (Docker's verdict comes first).
 */
export function httpCheckOf(context: ExecutionContext, resourceId: string | null): { port: number; path: string } | undefined {
  const spec = resourceId ? context.resources.get(resourceId)?.desiredSpec : undefined;
  if (!context.httpCheckPath || !spec) return undefined;
  if (spec.healthcheck && spec.healthcheck.test[0] !== 'NONE') return undefined;
  const port = spec.ports.find((each) => each.protocol === 'tcp' && each.hostPort > 0);
  return port ? { port: port.hostPort, path: context.httpCheckPath } : undefined;
}

/** The name an old container is kept under while its replacement proves healthy. */
export function keptName(containerName: string, migrationId: string): string {
  return `${containerName}-gantry-old-${migrationId.slice(0, 8)}`;
}

/** The label that marks what this run created. */
export function migrationLabel(context: ExecutionContext): Record<string, string> {
  return { [gantryLabels.migration]: context.migrationId };
}

/** The planned resource a step acts on. */
export function resourceOf(context: ExecutionContext, step: MigrationStep): PlannedResource {
  const resource = step.resourceId ? context.resources.get(step.resourceId) : undefined;
  if (!resource) throw new GantryError('invalid_plan', `Step "${step.title}" names a resource the plan does not have.`);
  return resource;
}

/** Runs a command on a server; a non-zero exit is an error that names what failed. */
export async function run(host: RemoteHost, command: string, what: string, signal?: AbortSignal): Promise<string> {
  const result = await host.exec(command, signal ? { signal } : {});
  if (result.code !== 0) throw new GantryError('docker_error', `Could not ${what} on ${host.label}: ${result.stderr.trim() || `exit code ${result.code}`}`);
  return result.stdout;
}

/**
 * The value of a label on a Docker object, '' without it, or null when there is no such object.
 * Any other failure (the daemon is down) throws, so an undo is retried rather than skipped.
 */
export async function labelOf(host: RemoteHost, kind: 'container' | 'volume' | 'network', name: string, label: string): Promise<string | null> {
  const field = kind === 'container' ? '.Config.Labels' : '.Labels';
  const result = await host.exec(`docker ${kind} inspect --format '{{index ${field} "${label}"}}' ${shellQuote(name)}`, {});
  if (result.code === 0) return result.stdout.trim().replace(/^<no value>$/, '');
  if (/no such/i.test(result.stderr)) return null;
  throw new GantryError('docker_unavailable', `Docker on ${host.label} did not answer: ${result.stderr.trim() || `exit code ${result.code}`}`);
}

/**
 * Removes the container `name` only if this migration created it, with its anonymous volumes (an
 * image's VOLUME): they too were made by this run and hold nothing the target had before.
 */
export async function removeOwnContainer(host: RemoteHost, name: string, migrationId: string): Promise<void> {
  if ((await labelOf(host, 'container', name, gantryLabels.migration)) === migrationId) await run(host, `docker rm -fv ${shellQuote(name)} >/dev/null`, `remove ${name}`);
}

/**
 * Network creations in flight, by target server and network name. Docker does not refuse a second
 * network of a name created at the same moment as the first (both `docker network create` calls
 * succeed, and every later use of the name is "ambiguous"), so the resources of a batch that share
 * a network take turns here: the second one finds the network the first created.
 */
const networkTurns = new Map<string, Promise<void>>();

/** Runs `work` once every earlier call with the same `key` has ended (however it ended). */
async function inTurn<T>(key: string, work: () => Promise<T>): Promise<T> {
  const mine = (networkTurns.get(key) ?? Promise.resolve()).then(work);
  const settled = mine.then(
    () => undefined,
    () => undefined,
  );
  networkTurns.set(key, settled);
  try {
    return await mine;
  } finally {
    if (networkTurns.get(key) === settled) networkTurns.delete(key);
  }
}

/** Creates and starts a container from a resource's desired spec, creating missing networks. */
export async function createContainer(context: ExecutionContext, resource: PlannedResource, name: string, checkpoint: (data: { createdNetworks?: string[]; containerId?: string }) => void, signal: AbortSignal): Promise<string> {
  const docker = context.target.docker();
  const createdNetworks: string[] = [];
  for (const network of resource.desiredSpec.networks) {
    if (['bridge', 'host', 'none'].includes(network.name)) continue;
    const created = await inTurn(`${context.target.label}\0${network.name}`, async () => {
      const exists = await context.target.exec(`docker network inspect ${shellQuote(network.name)} >/dev/null 2>&1`, { signal });
      if (exists.code === 0) return false;
      await run(context.target, `docker network create --label ${shellQuote(`${gantryLabels.migration}=${context.migrationId}`)} ${shellQuote(network.name)} >/dev/null`, `create network ${network.name}`, signal);
      return true;
    });
    if (created) {
      createdNetworks.push(network.name);
      checkpoint({ createdNetworks });
    }
  }
  const { options, extraNetworks } = createOptionsFor(resource.desiredSpec, name, { ...context.labelsFor(resource), ...migrationLabel(context) });
  let container;
  try {
    container = await docker.createContainer(options);
  } catch (error) {
    throw new GantryError('docker_error', `Docker on ${context.target.label} refused to create ${name}: ${(error as Error).message}`);
  }
  checkpoint({ containerId: container.id });
  for (const network of extraNetworks) {
    await docker.getNetwork(network.name).connect({ Container: container.id, EndpointConfig: { Aliases: network.aliases } });
  }
  try {
    await container.start();
  } catch (error) {
    throw new GantryError('docker_error', `${name} was created on ${context.target.label} but did not start: ${(error as Error).message}`);
  }
  return container.id;
}

/**
 * Removes the networks this run created: found by their migration label and exact name, and
 * removed by id, so a name Docker holds twice (see `networkTurns`) cannot block the undo.
 */
export async function removeOwnNetworks(host: RemoteHost, networks: readonly string[] | undefined, migrationId: string): Promise<void> {
  if (!networks?.length) return;
  const listed = await run(host, `docker network ls --no-trunc --filter ${shellQuote(`label=${gantryLabels.migration}=${migrationId}`)} --format '{{.ID}} {{.Name}}'`, 'list the networks this migration created');
  const own = listed
    .split('\n')
    .map((line) => line.trim().split(' '))
    .filter(([id, name]) => id && name && networks.includes(name));
  for (const [id] of own) {
    // A resource of the same batch that completed still uses it: it stays (an undone resource leaves the others' network alone).
    const users = await host.exec(`docker network inspect --format '{{len .Containers}}' ${shellQuote(id!)}`, {});
    if (users.code === 0 && Number(users.stdout.trim()) > 0) continue;
    await run(host, `docker network rm ${shellQuote(id!)} >/dev/null`, `remove network ${id}`);
  }
}
