/**
 * The way any stream from a source server into a command on a target server travels — an
 * image archive into `docker load`, a database dump into its restore: straight from source to
 * target with a one-time key when the source reaches the target's sshd, else through this
 * machine; compressed as measured (compression.ts). Each decision goes to the log with its reason.
 */
import { shellQuote, type RemoteHost } from '../servers/remote-host';
import { CODEC_COMMANDS, MEASURE_FROM_BYTES, chooseCodec, commonCodecs, measureCodecs, type Codec, type CodecMeasurement } from './compression';
import { DirectStreamError, directStream, findDirectRoute, measureDirectLink, type TargetEndpoint } from './direct-stream';
import { measureRelayLink, relayStream, type StreamWatch } from './relay-stream';

/** Which way a stream goes; `endpoint` is where the source reaches the target's sshd (direct only). */
export interface StreamRoute {
  route: 'direct' | 'relay';
  endpoint: TargetEndpoint | null;
}

/** The codec of a stream and its measured ratio (compressed ÷ raw; 1 uncompressed). */
export interface StreamCompression {
  codec: Codec;
  ratio: number;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** Decides the route (reads both servers, moves no data) and logs which and why. */
export async function chooseRoute(options: { source: RemoteHost; target: RemoteHost; signal: AbortSignal; route: 'auto' | 'relay'; onLog: (message: string) => void }): Promise<StreamRoute> {
  const { source, target, signal, onLog } = options;
  if (options.route === 'relay') {
    onLog(`Through this machine: the direct route was not asked for`);
    return { route: 'relay', endpoint: null };
  }
  const found = await findDirectRoute(source, target, signal);
  if ('endpoint' in found) {
    onLog(`Straight from ${source.label} to ${target.label} (${found.endpoint.host}:${found.endpoint.port}), with a one-time key: ${source.label} reaches its sshd`);
    return { route: 'direct', endpoint: found.endpoint };
  }
  onLog(`Through this machine: ${found.reason}`);
  return { route: 'relay', endpoint: null };
}

/** The codecs both servers have and how each compressed a sample of the producer's output; null when too little is sent to measure. */
export type CodecSample = { codecs: Codec[]; measured: CodecMeasurement[] } | null;

/**
 * Samples the codecs for `rawBytes` of the producer's output: null below MEASURE_FROM_BYTES, else
 * the codecs both servers have, each timed on a sample compressed on the source. It reads the
 * servers only and needs no route, so it can run while the route is probed.
 */
export async function sampleCodecs(options: { source: RemoteHost; target: RemoteHost; producer: string; rawBytes: number; signal: AbortSignal }): Promise<CodecSample> {
  if (options.rawBytes < MEASURE_FROM_BYTES) return null;
  const codecs = await commonCodecs(options.source, options.target, options.signal);
  return { codecs, measured: await measureCodecs(options.source, options.producer, codecs, options.signal) };
}

/**
 * Picks the codec for `rawBytes` of the producer's output over the chosen route: none below
 * MEASURE_FROM_BYTES, else the fastest of the codecs both servers have against the route's
 * measured link (a sample of the producer's own output is compressed on the source; `sample`
 * when it was taken already, see sampleCodecs).
 */
export async function chooseCompression(options: {
  source: RemoteHost;
  target: RemoteHost;
  producer: string;
  rawBytes: number;
  route: StreamRoute;
  signal: AbortSignal;
  onLog: (message: string) => void;
  /** Called between the probes, so a watchdog sees the planning is not stuck. */
  alive?: () => void;
  /** The codec sample when sampleCodecs already took it (alongside the route probe); else it is taken here. */
  sample?: CodecSample;
}): Promise<StreamCompression> {
  const { source, target, signal, onLog } = options;
  const alive = options.alive ?? (() => {});
  const sample = options.sample === undefined ? await sampleCodecs(options) : options.sample;
  if (!sample) {
    onLog(`Uncompressed: only ${mb(options.rawBytes)} to send, measuring codecs would cost more than they could save`);
    return { codec: 'none', ratio: 1 };
  }
  const { codecs, measured } = sample;
  alive();
  const endpoint = options.route.endpoint;
  const link = endpoint ? await measureDirectLink(source, target, endpoint, signal) : await measureRelayLink(source, target, signal);
  alive();
  const choice = chooseCodec(link, measured);
  onLog(`Compression: ${choice.reason}${codecs.length ? '' : ' (no codec on both servers)'}`);
  return { codec: choice.codec, ratio: measured.find((each) => each.codec === choice.codec)?.ratio ?? 1 };
}

/** `producer` followed by the codec's compressor on the source. */
export function compressed(producer: string, codec: Codec): string {
  return codec === 'none' ? producer : `${producer} | ${CODEC_COMMANDS[codec].compress}`;
}

/** The codec's decompressor, then `receiver`, on the target. */
export function decompressed(codec: Codec, receiver: string): string {
  return codec === 'none' ? receiver : `${CODEC_COMMANDS[codec].decompress} | ${receiver}`;
}

/**
 * Sends `producer`'s output (run with pipefail, in bash) into `receiver` by the chosen route.
 * When the direct stream fails for another reason than a cancel, it is sent through this machine
 * instead — after any failure (`fallBack: 'always'`: a receiver that tolerates a second full
 * stream, like `docker load`), or only when nothing reached the target (`'before-receiving'`: a
 * database restore already under way is not started over, its link is what broke). Resolves with
 * the route actually used and the producer's stderr.
 */
export async function sendStream(
  options: {
    source: RemoteHost;
    target: RemoteHost;
    route: StreamRoute;
    producer: string;
    receiver: string;
    signal: AbortSignal;
    fallBack: 'always' | 'before-receiving';
    onLog: (message: string) => void;
  } & StreamWatch,
): Promise<{ bytes: number; route: 'direct' | 'relay'; stderr: string }> {
  const { source, target, signal, producer, receiver } = options;
  const watch: StreamWatch = { onBytes: options.onBytes, ...(options.onSent ? { onSent: options.onSent } : {}) };
  if (options.route.route === 'direct' && options.route.endpoint) {
    try {
      const sent = await directStream({ source, target, endpoint: options.route.endpoint, producer, receiver, signal, ...watch });
      return { bytes: sent.bytes, route: 'direct', stderr: sent.stderr };
    } catch (error) {
      if (signal.aborted) throw error;
      const reached = error instanceof DirectStreamError ? error.receiverStarted : true;
      if (options.fallBack === 'before-receiving' && reached) throw error;
      options.onLog(
        `The direct route failed (${(error as Error).message.slice(0, 300)})${reached ? '' : `, before ${target.label} received anything`}: sending through this machine instead`,
      );
    }
  }
  const sent = await relayStream({ source, target, producer: `bash -o pipefail -c ${shellQuote(producer)}`, receiver, signal, ...watch });
  return { bytes: sent.bytes, route: 'relay', stderr: sent.stderr };
}
