/**
 * Test-data copy between two servers: the source database's dump, compressed on the source
 * server, streamed through this machine (never written to its disk) into the target's restore,
 * decompressed on the target server. Byte progress counts the dump's own bytes (decompressed
 * here in memory only to count them) against the source's size estimate; cancel and a silent
 * link stop both ends at once. The source is only read.
 */
import { createGunzip } from 'node:zlib';
import type Dockerode from 'dockerode';
import { GantryError } from '@shared/ipc/result';
import type { RemoteHost, RemoteProcess } from '../servers/remote-host';
import type { DatabaseAdapter, DatabaseSpec, DatabaseTarget } from './adapter';

/** How long the stream may stay silent before the copy is stopped as a dead link. */
const STALL_MS = 60_000;

/** Marks, on stderr, a failure that a pipeline's exit code would hide. */
const DUMP_FAILED = 'gantry-copy: the dump failed';
const INFLATE_FAILED = 'gantry-copy: the stream arrived damaged';

/** One side of a copy: a database container on a server. */
export interface CopyEnd {
  host: RemoteHost;
  target: DatabaseTarget;
}

/** What a finished stream sent. */
export interface StreamOutcome {
  /** Bytes of the dump itself (what the size estimate estimates). */
  dumpBytes: number;
  /** Bytes that crossed the links (compressed). */
  sentBytes: number;
  ms: number;
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
 * cancellation. The caller owns the undo (the target's data was saved before).
 */
export async function streamDump(
  source: CopyEnd,
  target: CopyEnd,
  adapter: DatabaseAdapter,
  options: { signal: AbortSignal; onBytes?: (dumpBytes: number, sentBytes: number) => void },
): Promise<StreamOutcome> {
  const started = Date.now();
  const dumpLine = `{ ${adapter.commands(source.target).dump} || echo '${DUMP_FAILED}' >&2; } | gzip -1 -c`;
  const restoreLine = `{ gzip -d -c || echo '${INFLATE_FAILED}' >&2; } | ${adapter.commands(target.target).restore}`;
  let dump: RemoteProcess | null = null;
  let restore: RemoteProcess | null = null;
  let stopped: GantryError | null = null;
  const stop = (error: GantryError) => {
    stopped ??= error;
    dump?.kill();
    restore?.kill();
  };
  const onAbort = () => stop(new GantryError('cancelled', 'The copy was cancelled.'));
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (options.signal.aborted) throw new GantryError('cancelled', 'The copy was cancelled.');
    restore = await target.host.spawn(restoreLine, { signal: options.signal });
    dump = await source.host.spawn(dumpLine, { signal: options.signal });
    let sentBytes = 0;
    let dumpBytes = 0;
    let lastByteAt = Date.now();
    let streaming = true;
    const counter = createGunzip();
    counter.on('data', (chunk: Buffer) => {
      dumpBytes += chunk.length;
      options.onBytes?.(dumpBytes, sentBytes);
    });
    const counted = new Promise<void>((resolve) => counter.once('end', () => resolve()).once('error', () => resolve()));
    dump.stdout.on('data', (chunk: Buffer) => {
      sentBytes += chunk.length;
      lastByteAt = Date.now();
      counter.write(chunk);
    });
    dump.stdout.on('end', () => {
      streaming = false;
      counter.end();
    });
    dump.stdout.pipe(restore.stdin);
    // The restore's own output is read to its end, or its channel never closes.
    restore.stdout.resume();
    restore.stdin.on('error', () => undefined);
    const watchdog = setInterval(() => {
      if (streaming && Date.now() - lastByteAt > STALL_MS) stop(new GantryError('copy_failed', `No data arrived for ${STALL_MS / 1000} s: the link to ${source.host.label} or ${target.host.label} went silent.`));
    }, 1000);
    let dumped: { code: number; stderr: string };
    let restored: { code: number; stderr: string };
    try {
      [dumped, restored] = await Promise.all([dump.done, restore.done]);
    } finally {
      clearInterval(watchdog);
    }
    if (!stopped) await counted;
    if (stopped) throw stopped;
    if (dumped.code !== 0 || dumped.stderr.includes(DUMP_FAILED)) {
      throw new GantryError('copy_failed', `The dump of ${source.target.container} on ${source.host.label} failed: ${lastLines(dumped.stderr.replace(DUMP_FAILED, '')) || `exit code ${dumped.code}`}`);
    }
    if (restored.code !== 0 || restored.stderr.includes(INFLATE_FAILED)) {
      throw new GantryError('copy_failed', `The restore into ${target.target.container} on ${target.host.label} failed: ${lastLines(restored.stderr.replace(INFLATE_FAILED, 'the stream arrived damaged')) || `exit code ${restored.code}`}`);
    }
    return { dumpBytes, sentBytes, ms: Date.now() - started };
  } catch (error) {
    dump?.kill();
    restore?.kill();
    if (stopped) throw stopped;
    if (error instanceof GantryError) throw error;
    throw new GantryError('copy_failed', `The copy from ${source.host.label} to ${target.host.label} broke off: ${(error as Error).message}`);
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
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
