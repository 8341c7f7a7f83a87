import { z } from 'zod';
import { GantryError } from '@shared/ipc/result';
import type { snapshotRef } from '@shared/migration/steps';
import type { ContainerInspectInfo } from '@shared/spec/docker-inspect';
import { shellQuote, type RemoteHost } from '../servers/remote-host';

/** Where a snapshot lives: on the target server itself, readable only by the SSH user. */
export type SnapshotRef = z.infer<typeof snapshotRef>;

/** The folder of snapshots on a server (expanded by the server's shell). */
export const SNAPSHOT_DIR = '$HOME/.gantry/snapshots';

/** What a snapshot file must hold: `docker inspect` of one container (its fields are read by specFromInspect). */
const snapshotFile = z
  .array(z.looseObject({ Id: z.string(), Name: z.string(), Image: z.string(), Config: z.looseObject({ Image: z.string() }), HostConfig: z.looseObject({}) }))
  .min(1, 'the file is empty');

/**
 * Takes a snapshot of a container before a migration changes it: its full `docker inspect`,
 * written on the target server (mode 600) by the server itself, so its secret env values never
 * travel to or rest on the operator's machine. Rollback reads it back from there.
 */
export async function takeSnapshot(host: RemoteHost, containerName: string, snapshotId: string, signal?: AbortSignal): Promise<SnapshotRef> {
  if (!/^[A-Za-z0-9._-]+$/.test(snapshotId)) throw new Error(`Invalid snapshot id ${snapshotId}`);
  const file = `${SNAPSHOT_DIR}/${snapshotId}.json`;
  const result = await host.exec(
    `umask 077 && mkdir -p ${SNAPSHOT_DIR} && docker inspect ${shellQuote(containerName)} > ${file}.tmp && mv ${file}.tmp ${file} && docker inspect --format '{{.Image}}' ${shellQuote(containerName)} && echo ${file}`,
    signal ? { signal } : {},
  );
  if (result.code !== 0) throw new GantryError('snapshot_failed', `Could not snapshot ${containerName} on ${host.label}: ${result.stderr.trim() || `exit ${result.code}`}`);
  const [imageId = '', path = ''] = result.stdout.trim().split('\n');
  return { path, containerName, imageId };
}

/** Reads a snapshot back (for rollback). */
export async function readSnapshot(host: RemoteHost, ref: SnapshotRef, signal?: AbortSignal): Promise<ContainerInspectInfo> {
  const result = await host.exec(`cat ${shellQuote(ref.path)}`, signal ? { signal } : {});
  if (result.code !== 0) {
    throw new GantryError('snapshot_missing', `The snapshot of ${ref.containerName} is gone from ${host.label} (${ref.path}). It cannot be restored automatically.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    parsed = null;
  }
  const checked = snapshotFile.safeParse(parsed);
  if (!checked.success) throw new GantryError('snapshot_unreadable', `The snapshot ${ref.path} on ${host.label} is not a container inspect Gantry can read (${checked.error.issues[0]?.message ?? 'empty'}). It cannot be restored automatically.`);
  return checked.data[0] as unknown as ContainerInspectInfo;
}
