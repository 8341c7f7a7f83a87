/**
 * How one image is streamed: which layers (only those the target lacks), which route (source to
 * target directly when it can reach the target's sshd, else through this machine) and which
 * codec (by measurement); then running that plan, falling back to the relay if the direct
 * route fails. Every decision is logged with its reason.
 */
import { shellQuote, type RemoteHost } from '../servers/remote-host';
import { CODEC_COMMANDS, MEASURE_FROM_BYTES, chooseCodec, commonCodecs, measureCodecs, type Codec } from './compression';
import { directStream, findDirectRoute, measureDirectLink, type TargetEndpoint } from './direct-stream';
import { imageLayers, layerArchiveOn, layerChainsOn, layersPresent } from './layer-plan';
import { measureRelayLink, relayStream, type StreamWatch } from './relay-stream';

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

  let route: StreamPlan['route'] = 'relay';
  let endpoint: TargetEndpoint | null = null;
  if (options.route === 'relay') {
    onLog(`Through this machine: the direct route was not asked for`);
  } else {
    const found = await findDirectRoute(source, target, signal);
    if ('endpoint' in found) {
      route = 'direct';
      endpoint = found.endpoint;
      onLog(`Straight from ${source.label} to ${target.label} (${endpoint.host}:${endpoint.port}), with a one-time key: ${source.label} reaches its sshd`);
    } else {
      onLog(`Through this machine: ${found.reason}`);
    }
  }
  alive();

  let codec: Codec = 'none';
  let ratio = 1;
  if (rawBytes < MEASURE_FROM_BYTES) {
    onLog(`Uncompressed: only ${mb(rawBytes)} to send, measuring codecs would cost more than they could save`);
  } else {
    const codecs = await commonCodecs(source, target, signal);
    const measured = await measureCodecs(source, producer, codecs, signal);
    alive();
    const link = endpoint ? await measureDirectLink(source, target, endpoint, signal) : await measureRelayLink(source, target, signal);
    alive();
    const choice = chooseCodec(link, measured);
    codec = choice.codec;
    ratio = measured.find((each) => each.codec === codec)?.ratio ?? 1;
    onLog(`Compression: ${choice.reason}${codecs.length ? '' : ' (no codec on both servers)'}`);
  }
  return { route, endpoint, codec, producer, layersSkipped, layersTotal: diffIds.length, rawBytes, estimatedWireBytes: Math.round(rawBytes * ratio) };
}

/** Streams the image as planned into `docker load` on the target; returns the bytes sent. */
export async function runStream(plan: StreamPlan, options: { source: RemoteHost; target: RemoteHost; signal: AbortSignal; onLog: (message: string) => void } & StreamWatch): Promise<number> {
  const { source, target, signal } = options;
  const producer = plan.codec === 'none' ? plan.producer : `${plan.producer} | ${CODEC_COMMANDS[plan.codec].compress}`;
  const receiver = plan.codec === 'none' ? 'docker load' : `${CODEC_COMMANDS[plan.codec].decompress} | docker load`;
  if (plan.route === 'direct' && plan.endpoint) {
    try {
      const { bytes } = await directStream({ source, target, endpoint: plan.endpoint, producer, receiver, signal, onBytes: options.onBytes, ...(options.onSent ? { onSent: options.onSent } : {}) });
      return bytes;
    } catch (error) {
      if (signal.aborted) throw error;
      options.onLog(`The direct route failed (${(error as Error).message.slice(0, 300)}): sending through this machine instead`);
    }
  }
  const { bytes } = await relayStream({ source, target, producer: `bash -o pipefail -c ${shellQuote(producer)}`, receiver, signal, onBytes: options.onBytes, ...(options.onSent ? { onSent: options.onSent } : {}) });
  return bytes;
}
