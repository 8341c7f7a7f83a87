/**
 * How one image is streamed: which layers (only those the target lacks), then the route and the
 * codec as for any stream (stream-route.ts); then running that plan, falling back to the relay
 * if the direct route fails. Every decision is logged with its reason.
 */
import { shellQuote, type RemoteHost } from '../servers/remote-host';
import type { Codec } from './compression';
import type { TargetEndpoint } from './direct-stream';
import { imageLayers, layerArchiveOn, layerChainsOn, layersPresent } from './layer-plan';
import type { StreamWatch } from './relay-stream';
import { chooseCompression, chooseRoute, compressed, decompressed, sendStream } from './stream-route';

/** The decisions for one image stream. */
export interface StreamPlan {
  route: 'direct' | 'relay';
  endpoint: TargetEndpoint | null;
  codec: Codec;
  /** The source command writing the uncompressed archive. */
  producer: string;
  layersSkipped: number;
  layersTotal: number;
  /** Uncompressed archive bytes, and the expected bytes on the wire (for progress). */
  rawBytes: number;
  estimatedWireBytes: number;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** Decides layers, route and codec for one image (reads both servers; moves no image data). */
export async function planStream(options: {
  source: RemoteHost;
  target: RemoteHost;
  imageRef: string;
  imageId: string;
  signal: AbortSignal;
  route: 'auto' | 'relay';
  onLog: (message: string) => void;
  /** Called between the probes, so a watchdog sees the planning is not stuck. */
  alive: () => void;
}): Promise<StreamPlan> {
  const { source, target, imageRef, imageId, signal, onLog, alive } = options;
  const [diffIds, chains, sizeText] = await Promise.all([
    imageLayers(source, imageId, signal),
    layerChainsOn(target, signal),
    source.exec(`docker image inspect --format '{{.Size}}' ${shellQuote(imageId)}`, { signal }).then((result) => result.stdout.trim()),
  ]);
  alive();
  const have = layersPresent(diffIds, chains);
  const archive = await layerArchiveOn(source, { imageId, imageRef, have, signal });
  alive();
  let producer: string;
  let rawBytes: number;
  let layersSkipped = have;
  if ('command' in archive) {
    producer = archive.command;
    rawBytes = archive.bytes;
    onLog(`${target.label} has ${have} of the image's ${diffIds.length} layers: sending the other ${diffIds.length - have} (${mb(rawBytes)}), read from ${source.label}'s image store`);
  } else {
    producer = `docker save ${shellQuote(imageRef)}`;
    rawBytes = Number(sizeText) || 0;
    layersSkipped = 0;
    onLog(`Sending every layer with docker save (${have} of ${diffIds.length} are already on ${target.label}, but ${archive.reason})`);
  }

  const way = await chooseRoute({ source, target, signal, route: options.route, onLog });
  alive();
  const { codec, ratio } = await chooseCompression({ source, target, producer, rawBytes, route: way, signal, onLog, alive });
  return { ...way, codec, producer, layersSkipped, layersTotal: diffIds.length, rawBytes, estimatedWireBytes: Math.round(rawBytes * ratio) };
}

/** Streams the image as planned into `docker load` on the target; returns the bytes sent. */
export async function runStream(plan: StreamPlan, options: { source: RemoteHost; target: RemoteHost; signal: AbortSignal; onLog: (message: string) => void } & StreamWatch): Promise<number> {
  // A partly loaded image is harmless: `docker load` may be fed the whole archive again.
  const { bytes } = await sendStream({ ...options, route: plan, producer: compressed(plan.producer, plan.codec), receiver: decompressed(plan.codec, 'docker load'), fallBack: 'always' });
  return bytes;
}
