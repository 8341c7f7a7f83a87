/**
 * Which of an image's layers the target already has, and the command that writes an archive
 * carrying only the others (layer-archive-script.ts), or why it cannot be used on this source.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { shellQuote, type RemoteHost } from '../servers/remote-host';
import { LAYER_ARCHIVE_PY } from './layer-archive-script';

const layerList = z.array(z.string().regex(/^sha256:[0-9a-f]{64}$/));

/** Chain ids of the layers, bottom first: a layer's id together with everything below it. */
export function chainIds(diffIds: string[]): string[] {
  const chains: string[] = [];
  for (const diff of diffIds) {
    const parent = chains.at(-1);
    chains.push(parent ? `sha256:${createHash('sha256').update(`${parent} ${diff}`).digest('hex')}` : diff);
  }
  return chains;
}

/** How many of the image's layers, from the bottom, the target has (a chain implies its parents). */
export function layersPresent(diffIds: string[], targetChains: Set<string>): number {
  const chains = chainIds(diffIds);
  for (let index = chains.length - 1; index >= 0; index--) if (targetChains.has(chains[index]!)) return index + 1;
  return 0;
}

/** The image's layer diff ids on a server, bottom first. */
export async function imageLayers(host: RemoteHost, imageId: string, signal: AbortSignal): Promise<string[]> {
  const result = await host.exec(`docker image inspect --format '{{json .RootFS.Layers}}' ${shellQuote(imageId)}`, { signal });
  return result.code === 0 ? layerList.parse(JSON.parse(result.stdout.trim() || '[]')) : [];
}

/** Every layer chain present in the target's engine (from all its images, intermediate ones too). */
export async function layerChainsOn(target: RemoteHost, signal: AbortSignal): Promise<Set<string>> {
  const result = await target.exec(`ids=$(docker images -aq --no-trunc | sort -u); [ -z "$ids" ] || docker image inspect --format '{{json .RootFS.Layers}}' $ids`, { signal });
  const chains = new Set<string>();
  for (const line of result.stdout.split('\n')) {
    if (!line.trim()) continue;
    const parsed = layerList.safeParse(JSON.parse(line));
    if (parsed.success) for (const chain of chainIds(parsed.data)) chains.add(chain);
  }
  return chains;
}

/** A producer of the image archive that skips the first `have` layers, or why there is none. */
export type LayerArchive = { command: string; bytes: number } | { reason: string };

/**
 * The command that writes the archive on the source, after checking there that every file it
 * needs is readable (Docker's image store: root, overlay2, python3). `bytes` is the size of the
 * archive's layers.
 */
export async function layerArchiveOn(source: RemoteHost, options: { imageId: string; imageRef: string; have: number; signal: AbortSignal }): Promise<LayerArchive> {
  const info = await source.exec(`command -v python3 >/dev/null || echo no-python; docker info --format '{{.DockerRootDir}} {{.Driver}}'`, { signal: options.signal });
  const lines = info.stdout.trim().split('\n');
  if (lines.includes('no-python')) return { reason: `${source.label} has no python3 to read the layers from Docker's image store` };
  const [root = '', driver = ''] = (lines.at(-1) ?? '').split(' ');
  if (driver !== 'overlay2') return { reason: `${source.label}'s Docker uses the ${driver || 'unknown'} storage driver (only overlay2 is read directly)` };
  const run = (mode: 'check' | 'write') =>
    `python3 -c ${shellQuote(LAYER_ARCHIVE_PY)} ${shellQuote(root)} ${shellQuote(options.imageId)} ${shellQuote(options.imageRef)} ${options.have} ${mode}`;
  const check = await source.exec(`${run('check')} 2>&1`, { signal: options.signal });
  if (check.code !== 0) {
    const why = check.stdout.trim().split('\n').at(-1) ?? '';
    return { reason: `${source.label} cannot read the image's layers from Docker's image store (${/Permission denied/.test(why) ? 'not root' : why.slice(0, 160)})` };
  }
  return { command: run('write'), bytes: Number(check.stdout.trim()) || 0 };
}
