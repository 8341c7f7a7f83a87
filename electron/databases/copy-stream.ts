/**
 * Test-data copy between two servers: the source database's dump streamed into the target's
 * restore, never written to this machine's disk — straight from the source server to the target
 * with a one-time key when the source reaches the target's sshd, else through this machine;
 * compressed as measured (the same route and codec decisions as an image, transfer/stream-route.ts).
 * Byte progress counts the dump's own bytes against the source's size estimate; cancel and a
 * silent link stop both ends at once. The source is only read.
 */
import type Dockerode from 'dockerode';
import { GantryError } from '@shared/ipc/result';
import type { RemoteHost } from '../servers/remote-host';
import { StallWatchdog, rejectWhenAborted } from '../transfer/stall-watchdog';
import { CODEC_COMMANDS, type Codec } from '../transfer/compression';
import { chooseCompression, chooseRoute, compressed, sampleCodecs, sendStream, type StreamRoute } from '../transfer/stream-route';
import type { DatabaseAdapter, DatabaseSpec, DatabaseTarget } from './adapter';

/** How long the stream may stay silent before the copy is stopped as a dead link. */
const STALL_MS = 60_000;

/** Marks, on stderr, a failure that a pipeline's exit code would hide. */
const DUMP_FAILED = 'gantry-copy: the dump failed';
const INFLATE_FAILED = 'gantry-copy: the stream arrived damaged';
const RESTORE_FAILED = 'gantry-copy: the restore failed';
/** Prefixes the dump's byte count (counted on the source before compression) on stderr. */
const DUMP_BYTES = 'gantry-copy: dump bytes';

/** One side of a copy: a database container on a server. */
export interface CopyEnd {
  host: RemoteHost;
  target: DatabaseTarget;
}

/** What a finished stream sent, and how. */
export interface StreamOutcome {
  /** Bytes of the dump itself (what the size estimate estimates). */
  dumpBytes: number;
  /** Bytes that crossed the links (compressed when `codec` is not none). */
  sentBytes: number;
  ms: number;
  /** The route the bytes took (a direct route that failed before the target received anything falls back to the relay). */
  route: StreamRoute['route'];
  codec: Codec;
}

/** The spec parts an adapter reads, from a live container (`docker inspect`): the container as it runs now. */
export async function liveDatabaseTarget(host: RemoteHost, container: string): Promise<DatabaseTarget> {
  let info: Dockerode.ContainerInspectInfo;
  try {
    info = await host.docker().getContainer(container).inspect();
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 404) throw new GantryError('not_found', `There is no container ${container} on ${host.label}: the data cannot be copied. Clone the resource there first.`);
    throw new GantryError('docker_error', `Could not read container ${container} on ${host.label}: ${(error as Error).message}`);
  }
  if (!info.State.Running) throw new GantryError('copy_failed', `${container} on ${host.label} is not running: start it before copying data.`);
  const env = Object.fromEntries((info.Config.Env ?? []).map((line) => [line.slice(0, Math.max(0, line.indexOf('='))) || line, line.includes('=') ? line.slice(line.indexOf('=') + 1) : '']));
  const asList = (value: string | string[] | null | undefined) => (value == null ? null : Array.isArray(value) ? value : [value]);
  const spec: DatabaseSpec = {
    image: { ref: info.Config.Image, id: info.Image, digest: null },
    env,
    labels: info.Config.Labels ?? {},
    command: asList(info.Config.Cmd),
    entrypoint: asList(info.Config.Entrypoint as string | string[] | null),
  };
  return { container, spec };
}

/** The source's estimated dump size in bytes. */
export async function estimateDumpBytes(end: CopyEnd, adapter: DatabaseAdapter, signal?: AbortSignal): Promise<number> {
  const result = await end.host.exec(adapter.commands(end.target).size, signal ? { signal } : {});
  if (result.code !== 0) throw new GantryError('copy_failed', `Could not estimate the size of ${end.target.container} on ${end.host.label}: ${lastLines(result.stderr) || `exit code ${result.code}`}`);
  return adapter.parseSize(result.stdout);
}

/**
 * Streams the source's dump into the target's restore. Resolves once the restore has finished;
 * rejects (both ends stopped) on a failed dump or restore, a damaged stream, a silent link or
 * cancellation. The caller owns the undo (the target's data was saved before). `onLog` hears the
 * route and the codec, each with its reason; `route: 'relay'` never tries the direct route.
 */
export async function streamDump(
  source: CopyEnd,
  target: CopyEnd,
  adapter: DatabaseAdapter,
  options: {
    signal: AbortSignal;
    /** The source's estimated dump size (decides whether measuring codecs is worth it; progress). */
    estimateBytes: number;
    route?: 'auto' | 'relay';
    onLog?: (message: string) => void;
    onBytes?: (dumpBytes: number, sentBytes: number) => void;
  },
): Promise<StreamOutcome> {
  const cancelled = () => new GantryError('cancelled', 'The copy was cancelled.');
  const stall = new StallWatchdog(options.signal, STALL_MS, () =>
    new GantryError('copy_failed', `No data arrived for ${STALL_MS / 1000} s: the link to ${source.host.label} or ${target.host.label} went silent.`),
  );
  try {
    return await Promise.race([copyDump(source, target, adapter, { ...options, signal: stall.signal }, stall), rejectWhenAborted(stall.signal, cancelled)]);
  } catch (error) {
    if (stall.fired) throw stall.fired;
    if (options.signal.aborted) throw cancelled();
    throw failureOf(error, source, target);
  } finally {
    stall.stop();
  }
}

async function copyDump(source: CopyEnd, target: CopyEnd, adapter: DatabaseAdapter, options: Parameters<typeof streamDump>[3], stall: StallWatchdog): Promise<StreamOutcome> {
  const started = Date.now();
  const { signal } = options;
  const onLog = options.onLog ?? (() => {});
  const dump = adapter.commands(source.target).dump;
  const restore = adapter.commands(target.target).restore;
  // The codec sample needs no route: it is taken while the route is probed (both only read the servers).
  const [routed, sample] = await Promise.all([
    chooseRoute({ source: source.host, target: target.host, signal, route: options.route ?? 'auto', onLog }),
    sampleCodecs({ source: source.host, target: target.host, producer: dump, rawBytes: options.estimateBytes, signal }),
  ]);
  let way = routed;
  if (way.route === 'direct' && /[\r\n]/.test(restore)) {
    onLog(`Through this machine after all: ${adapter.label}'s restore command spans lines, which a one-time key's forced command cannot hold`);
    way = { route: 'relay', endpoint: null };
  }
  stall.alive();
  const { codec, ratio } = await chooseCompression({ source: source.host, target: target.host, producer: dump, rawBytes: options.estimateBytes, route: way, signal, onLog, alive: () => stall.alive(), sample });
  stall.alive();
  // With pipefail (the stream runs under it) a failed dump fails the stream; the marker says which end failed.
  const dumped = `{ ${dump} || { echo '${DUMP_FAILED}' >&2; exit 1; }; }`;
  // Compressed, the dump's own bytes are counted on the source (dd's final count, tagged by sed).
  const counted = `{ { dd bs=1M 2>&1 >&3 | sed -n 's/^\\([0-9]*\\) bytes.*/${DUMP_BYTES} \\1/p' >&2; } 3>&1; }`;
  const producer = codec === 'none' ? dumped : compressed(`${dumped} | ${counted}`, codec);
  const restoring = codec === 'none' ? restore : `{ ${CODEC_COMMANDS[codec].decompress} || echo '${INFLATE_FAILED}' >&2; } | ${restore}`;
  const receiver = `{ ${restoring}; } || { echo '${RESTORE_FAILED}' >&2; exit 1; }`;
  let sentAll = false;
  const sent = await sendStream({
    source: source.host,
    target: target.host,
    route: way,
    producer,
    receiver,
    signal,
    fallBack: 'before-receiving',
    onLog,
    onBytes: (bytes) => {
      if (!sentAll) stall.alive();
      options.onBytes?.(Math.round(bytes / ratio), bytes);
    },
    // The restore digests what it received (indexes, constraints): that is work, not silence.
    onSent: () => {
      sentAll = true;
      stall.stop();
    },
  });
  const count = new RegExp(`${DUMP_BYTES} (\\d+)`).exec(sent.stderr)?.[1];
  const dumpBytes = codec === 'none' ? sent.bytes : count ? Number(count) : Math.round(sent.bytes / ratio);
  options.onBytes?.(dumpBytes, sent.bytes);
  return { dumpBytes, sentBytes: sent.bytes, ms: Date.now() - started, route: sent.route, codec };
}

/** A failed stream as the operator reads it: which end failed (the dump, the stream, the restore) and the server's own words. */
function failureOf(error: unknown, source: CopyEnd, target: CopyEnd): GantryError {
  const message = (error as Error).message ?? String(error);
  const words = (text: string) => lastLines([DUMP_FAILED, INFLATE_FAILED, RESTORE_FAILED].reduce((rest, marker) => rest.replaceAll(marker, ''), text).replace(/^[^:]*failed[^:]*: /, ''));
  if (message.includes(DUMP_FAILED)) return new GantryError('copy_failed', `The dump of ${source.target.container} on ${source.host.label} failed: ${words(message) || 'no message'}`);
  if (message.includes(INFLATE_FAILED)) return new GantryError('copy_failed', `The restore into ${target.target.container} on ${target.host.label} failed: the stream arrived damaged (${words(message) || 'no message'})`);
  if (message.includes(RESTORE_FAILED)) return new GantryError('copy_failed', `The restore into ${target.target.container} on ${target.host.label} failed: ${words(message) || 'no message'}`);
  if (error instanceof GantryError && error.code !== 'transfer_failed') return error;
  return new GantryError('copy_failed', `The copy from ${source.host.label} to ${target.host.label} broke off: ${lastLines(message) || 'no message'}`);
}

/** Waits until the database answers its readiness query (after a restore that restarts it). */
export async function waitUntilReady(end: CopyEnd, adapter: DatabaseAdapter, signal: AbortSignal, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    if (signal.aborted) throw new GantryError('cancelled', 'The copy was cancelled.');
    const result = await end.host.exec(adapter.commands(end.target).readiness, { signal });
    if (result.code === 0) return;
    last = lastLines(result.stderr);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new GantryError('copy_failed', `${end.target.container} on ${end.host.label} did not answer within ${timeoutMs / 1000} s after the restore${last ? ` (${last})` : ''}.`);
}

function lastLines(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-3).join(' ');
}
