/**
 * After a recovery, Gantry says what state the target is in only after reading it: the spec hash
 * of every container the run involved, and what the run may have left behind (objects labelled
 * with its id, containers set aside under its name, its steps' own leftovers such as crontab lines).
 */
import { GantryError } from '@shared/ipc/result';
import { specFromInspect } from '@shared/spec/spec-from-inspect';
import { gantryLabels } from '@shared/spec/resource-spec';
import { inspectContainer } from '../inventory/discovery';
import type { SpecSealer } from '../inventory/spec-hash';
import { shellQuote, type RemoteHost } from '../servers/remote-host';
import { keptName } from './steps/step-context';

/** One container the check compares: its expected spec hash, or null when it must be absent. */
export interface ContainerExpectation {
  name: string;
  containerName: string;
  hash: string | null;
}

/** What the check found: what matched (for the message) and what did not. */
export interface TargetCheck {
  matched: string[];
  problems: string[];
}

/** The sealed spec hash of a container as it runs now, or null when there is no such container. */
export async function liveSpecHash(host: RemoteHost, containerName: string, sealer: () => SpecSealer): Promise<string | null> {
  try {
    const inspect = await inspectContainer(host, containerName);
    const container = inspect.containers[0];
    if (!container) return null;
    return sealer().seal(specFromInspect(container, inspect.images.find((image) => image.Id === container.Image))).hash;
  } catch (error) {
    if (error instanceof GantryError && error.code === 'not_found') return null;
    throw error;
  }
}

/** Compares the target with what a run's outcome promises. */
export async function checkTarget(
  host: RemoteHost,
  options: { migrationId: string; containers: ContainerExpectation[]; labelledMayRemain: boolean; sealer: () => SpecSealer },
): Promise<TargetCheck> {
  const matched: string[] = [];
  const problems: string[] = [];
  for (const expected of options.containers) {
    const live = await liveSpecHash(host, expected.containerName, options.sealer);
    if (expected.hash === null) {
      if (live === null) matched.push(`${expected.containerName} is absent`);
      else problems.push(`${expected.containerName} exists but should not`);
    } else if (live === expected.hash) {
      matched.push(`${expected.containerName} has spec ${expected.hash.slice(0, 12)}`);
    } else {
      problems.push(live === null ? `${expected.containerName} is missing` : `${expected.containerName} has spec ${live.slice(0, 12)}, expected ${expected.hash.slice(0, 12)}`);
    }
  }
  const label = `${gantryLabels.migration}=${options.migrationId}`;
  const filter = `--filter ${shellQuote(`label=${label}`)}`;
  const listed = await host.exec(
    [
      `echo C; docker ps -a --format '{{.Names}}' --filter ${shellQuote(`name=${keptName('', options.migrationId)}`)}`,
      options.labelledMayRemain ? 'true' : `docker ps -a --format '{{.Names}}' ${filter}`,
      `echo V; ${options.labelledMayRemain ? 'true' : `docker volume ls -q ${filter}`}`,
      `echo N; ${options.labelledMayRemain ? 'true' : `docker network ls --format '{{.Name}}' ${filter}`}`,
    ].join('; '),
    {},
  );
  if (listed.code !== 0) throw new GantryError('docker_unavailable', `Could not list what is on ${host.label}: ${listed.stderr.trim()}`);
  const [, containers = '', volumes = '', networks = ''] = listed.stdout.split(/^[CVN]$/m).map((part) => part.trim());
  if (containers) problems.push(`left on the server: container(s) ${[...new Set(containers.split('\n'))].join(', ')}`);
  if (volumes) problems.push(`left on the server: volume(s) ${volumes.split('\n').join(', ')}`);
  if (networks) problems.push(`left on the server: network(s) ${networks.split('\n').join(', ')}`);
  return { matched, problems };
}
