/**
 * Turns the planner's step descriptors into saga steps that act on the target server. Every
 * `run` journals enough (intent before, checkpoints during) for its `undo` to work from the
 * journal alone after a crash, and every object Gantry creates carries the migration's label so
 * an undo removes only what this migration made.
 */
import { GantryError } from '@shared/ipc/result';
import type { MigrationStep } from '@shared/migration/steps';
import type { PlannedResource } from '@shared/migration/plan';
import { gantryLabels } from '@shared/spec/resource-spec';
import { createOptionsFor } from './container-options';
import { waitForReady } from './health-gate';
import { ensureImageOnTarget, restoreImageOnTarget, type ImageOnTarget } from './image-transfer';
import { shellQuote, type RemoteHost } from './remote-host';
import type { SagaStep } from './saga';
import { takeSnapshot } from './snapshots';

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
  /** Things the operator should know though nothing failed (e.g. a health timeout). */
  warnings: string[];
  /** Local bookkeeping steps (records) are run by the engine itself. */
  local: {
    recordResource(resourceId: string, containerName: string): Promise<Record<string, unknown>>;
    undoRecordResource(resourceId: string, result: Record<string, unknown> | null): Promise<void>;
  };
}

/**
 * The HTTP check for one resource: the operator's path on its first published TCP port, when it
 * has no Docker health check of its own (Docker's verdict comes first).
 */
function httpCheckOf(context: ExecutionContext, resourceId: string | null): { port: number; path: string } | undefined {
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

function migrationLabel(context: ExecutionContext): Record<string, string> {
  return { [gantryLabels.migration]: context.migrationId };
}

function resourceOf(context: ExecutionContext, step: MigrationStep): PlannedResource {
  const resource = step.resourceId ? context.resources.get(step.resourceId) : undefined;
  if (!resource) throw new GantryError('invalid_plan', `Step "${step.title}" names a resource the plan does not have.`);
  return resource;
}

async function run(host: RemoteHost, command: string, what: string, signal?: AbortSignal): Promise<string> {
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

/** Removes the container `name` only if this migration created it. */
async function removeOwnContainer(host: RemoteHost, name: string, migrationId: string): Promise<void> {
  if ((await labelOf(host, 'container', name, gantryLabels.migration)) === migrationId) await run(host, `docker rm -f ${shellQuote(name)} >/dev/null`, `remove ${name}`);
}

/** Creates and starts a container from a resource's desired spec, creating missing networks. */
async function createContainer(context: ExecutionContext, resource: PlannedResource, name: string, checkpoint: (data: Record<string, unknown>) => void, signal: AbortSignal): Promise<string> {
  const docker = context.target.docker();
  const createdNetworks: string[] = [];
  for (const network of resource.desiredSpec.networks) {
    if (['bridge', 'host', 'none'].includes(network.name)) continue;
    const exists = await context.target.exec(`docker network inspect ${shellQuote(network.name)} >/dev/null 2>&1`, { signal });
    if (exists.code !== 0) {
      await run(context.target, `docker network create --label ${shellQuote(`${gantryLabels.migration}=${context.migrationId}`)} ${shellQuote(network.name)} >/dev/null`, `create network ${network.name}`, signal);
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

async function removeOwnNetworks(host: RemoteHost, networks: unknown, migrationId: string): Promise<void> {
  for (const name of Array.isArray(networks) ? (networks as string[]) : []) {
    if ((await labelOf(host, 'network', name, gantryLabels.migration)) === migrationId) await run(host, `docker network rm ${shellQuote(name)} >/dev/null`, `remove network ${name}`);
  }
}

/** The saga step that executes one planned step. */
export function sagaStepFor(step: MigrationStep): SagaStep<ExecutionContext> {
  const base = { id: step.id, title: step.title };
  switch (step.kind) {
    case 'transfer-image':
      return {
        ...base,
        intent: { imageRef: step.params.imageRef, imageId: step.params.imageId },
        async run(context, job) {
          if (!step.params.imageId) throw new GantryError('image_missing', `The source has no image id for ${step.params.imageRef}; re-plan the migration.`);
          const outcome = await ensureImageOnTarget({
            source: context.source,
            target: context.target,
            imageRef: step.params.imageRef,
            imageId: step.params.imageId,
            signal: job.signal,
            onProgress: (sent, total) => job.progress(total ? Math.min(99, (sent / total) * 100) : 50, `${(sent / 1e6).toFixed(1)} MB sent`),
          });
          job.log('info', outcome.method === 'present' ? `${context.target.label} already has ${step.params.imageRef}` : `${step.params.imageRef} ${outcome.method} to ${context.target.label} (${(outcome.bytes / 1e6).toFixed(1)} MB)`);
          return { ...outcome };
        },
        async undo(context, record) {
          if (record.result && typeof record.result.method === 'string') {
            await restoreImageOnTarget(context.target, step.params.imageRef, record.result as unknown as ImageOnTarget);
          }
        },
      };
    case 'create-volumes':
      return {
        ...base,
        intent: { volumes: step.params.volumes },
        async run(context, job) {
          for (const volume of step.params.volumes) {
            await run(context.target, `docker volume create --label ${shellQuote(`${gantryLabels.migration}=${context.migrationId}`)} ${shellQuote(volume)} >/dev/null`, `create volume ${volume}`, job.signal);
          }
          return { created: step.params.volumes };
        },
        async undo(context) {
          for (const volume of step.params.volumes) {
            if ((await labelOf(context.target, 'volume', volume, gantryLabels.migration)) === context.migrationId) {
              await run(context.target, `docker volume rm ${shellQuote(volume)} >/dev/null`, `remove volume ${volume}`);
            }
          }
        },
      };
    case 'create-container':
      return {
        ...base,
        intent: { containerName: step.params.containerName },
        async run(context, job) {
          const resource = resourceOf(context, step);
          const id = await createContainer(context, resource, step.params.containerName, job.checkpoint, job.signal);
          return { containerId: id };
        },
        async undo(context, record) {
          await removeOwnContainer(context.target, step.params.containerName, context.migrationId);
          await removeOwnNetworks(context.target, record.result?.createdNetworks, context.migrationId);
        },
      };
    case 'replace-container':
      return {
        ...base,
        intent: { containerName: step.params.containerName, keptName: null },
        async run(context, job) {
          const resource = resourceOf(context, step);
          const name = step.params.containerName;
          const kept = keptName(name, context.migrationId);
          const state = await run(context.target, `docker inspect --format '{{.State.Running}}' ${shellQuote(name)}`, `inspect ${name}`, job.signal);
          const wasRunning = state.trim() === 'true';
          const snapshot = await takeSnapshot(context.target, name, `${context.migrationId}-${resource.resourceId}`, job.signal);
          // Journaled before the old container is touched: an undo after a crash knows to restart it.
          job.checkpoint({ wasRunning, keptName: kept, snapshot, stopping: true });
          job.log('info', `Snapshot of ${name} kept on ${context.target.label} (${snapshot.path})`);
          await run(context.target, `docker stop ${shellQuote(name)} >/dev/null && docker rename ${shellQuote(name)} ${shellQuote(kept)}`, `stop and set aside ${name}`, job.signal);
          const id = await createContainer(context, resource, name, job.checkpoint, job.signal);
          return { containerId: id };
        },
        async undo(context, record) {
          const name = step.params.containerName;
          const kept = keptName(name, context.migrationId);
          await removeOwnContainer(context.target, name, context.migrationId);
          await removeOwnNetworks(context.target, record.result?.createdNetworks, context.migrationId);
          if ((await labelOf(context.target, 'container', kept, gantryLabels.migration)) !== null) {
            await run(context.target, `docker rename ${shellQuote(kept)} ${shellQuote(name)}`, `put ${name} back`);
          }
          if (record.result?.stopping === true && record.result.wasRunning === true) {
            await run(context.target, `docker start ${shellQuote(name)} >/dev/null`, `restart ${name}`);
          }
        },
      };
    case 'wait-healthy':
      return {
        ...base,
        async run(context, job) {
          const timeoutMs = context.waitForReady ? Math.min(step.params.timeoutMs, context.healthTimeoutMs) : 3000;
          const readiness = await waitForReady(context.target, step.params.containerName, {
            timeoutMs,
            http: httpCheckOf(context, step.resourceId ?? null),
            stableMs: context.waitForReady ? 5000 : 1000,
            signal: job.signal,
            onWait: (reason) => job.progress(50, reason),
          });
          if (readiness.ready) {
            job.log('info', `${step.params.containerName} is ready (${readiness.how}, ${(readiness.afterMs / 1000).toFixed(1)} s)`);
          } else if (context.waitForReady) {
            context.warnings.push(`${step.params.containerName}: ${readiness.reason}`);
            job.log('warn', `${step.params.containerName} is running but not confirmed healthy: ${readiness.reason}`);
          }
          return { ready: readiness.ready };
        },
      };
    case 'install-schedules':
      return {
        ...base,
        intent: { markers: step.params.entries.map((entry) => entry.marker) },
        async run(context, job) {
          const lines = step.params.entries.map((entry) => entry.line).join('\n');
          const markers = step.params.entries.map((entry) => entry.marker);
          const script = `command -v crontab >/dev/null || { echo "crontab is not installed on this server (install cron)" >&2; exit 3; }; (crontab -l 2>/dev/null | grep -vF ${markers.map((m) => `-e ${shellQuote(m)}`).join(' ')}; printf '%s\\n' ${shellQuote(lines)}) | crontab -`;
          await run(context.target, `sh -c ${shellQuote(script)}`, 'install the scheduled tasks', job.signal);
          return { installed: markers.length };
        },
        async undo(context) {
          const markers = step.params.entries.map((entry) => entry.marker);
          const script = `command -v crontab >/dev/null || exit 0; crontab -l 2>/dev/null | grep -vF ${markers.map((m) => `-e ${shellQuote(m)}`).join(' ')} | crontab -`;
          await run(context.target, `sh -c ${shellQuote(script)}`, 'remove the scheduled tasks');
        },
      };
    case 'link-resources':
      return {
        ...base,
        // Links live in the project; on the server a link holds when both containers share a
        // user-defined network, where Docker resolves one's name for the other.
        async run(context, job) {
          const own = context.resources.get(step.resourceId ?? '')?.target.containerName;
          if (!own) throw new GantryError('internal', `The plan has no container for ${step.resourceId ?? 'this step'}.`);
          const names = [own, ...step.params.links.map((link) => link.toContainerName)];
          const inspected = await context.target.exec(`docker inspect --format '{{.Name}} {{range $name, $_ := .NetworkSettings.Networks}}{{$name}} {{end}}' ${names.map(shellQuote).join(' ')}`, { signal: job.signal });
          const networks = new Map(
            inspected.stdout
              .trim()
              .split('\n')
              .filter(Boolean)
              .map((line) => {
                const [name = '', ...joined] = line.trim().split(/\s+/);
                return [name.replace(/^\//, ''), new Set(joined.filter((network) => !['bridge', 'host', 'none'].includes(network)))] as const;
              }),
          );
          for (const link of step.params.links) {
            if (!networks.has(link.toContainerName)) {
              throw new GantryError('link_missing', `${own} uses ${link.toContainerName}, which does not exist on ${context.target.label}. Migrate it first (or include it in this migration).`);
            }
            const shared = [...(networks.get(own) ?? [])].filter((network) => networks.get(link.toContainerName)?.has(network));
            if (shared.length === 0) {
              throw new GantryError('link_unreachable', `${own} and ${link.toContainerName} share no user-defined Docker network on ${context.target.label}, so ${own} cannot reach it by name. Connect both to one network (docker network connect), then migrate again.`);
            }
            job.log('info', `${own} reaches ${link.toContainerName} on network ${shared.join(', ')}`);
          }
          return { checked: step.params.links.length };
        },
      };
    case 'record-resource':
      return {
        ...base,
        run: (context) => context.local.recordResource(step.resourceId ?? '', step.params.containerName),
        undo: (context, record) => context.local.undoRecordResource(step.resourceId ?? '', record.result),
      };
    default:
      return {
        ...base,
        async run() {
          throw new GantryError('not_supported', `This version of Gantry cannot run "${step.title}" (${step.kind}) yet.`);
        },
      };
  }
}
