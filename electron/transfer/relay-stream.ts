/**
 * Through this machine: a command's output on the source piped into a command on the target,
 * in memory only (no temporary file), counting the bytes as they pass.
 */
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GantryError } from '@shared/ipc/result';
import type { RemoteHost } from '../servers/remote-host';

/** Callbacks of a stream: bytes so far (about every 4 MB), and once every byte was handed over. */
export interface StreamWatch {
  onBytes: (bytes: number) => void;
  onSent?: () => void;
}

/** Pipes `producer` on the source into `receiver` on the target; resolves once both ended well, with the producer's stderr. */
export async function relayStream(options: { source: RemoteHost; target: RemoteHost; producer: string; receiver: string; signal: AbortSignal } & StreamWatch): Promise<{ bytes: number; stderr: string }> {
  const { source, target, signal } = options;
  const saver = await source.spawn(options.producer, { signal });
  const loader = await target.spawn(options.receiver, { signal });
  // The receiver's channel only closes once its output has been read: keep reading it (for
  // `docker load` a line or two), or `loader.done` never settles.
  let received = '';
  loader.stdout.on('data', (chunk: Buffer) => {
    if (received.length < 4096) received += chunk.toString('utf8');
  });
  let sent = 0;
  let lastReport = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sent += chunk.length;
      if (sent - lastReport > 4 * 1024 * 1024) {
        lastReport = sent;
        options.onBytes(sent);
      }
      callback(null, chunk);
    },
  });
  const abort = () => {
    saver.kill();
    loader.kill();
  };
  signal.addEventListener('abort', abort, { once: true });
  try {
    await pipeline(saver.stdout, counter, loader.stdin, { signal });
    options.onBytes(sent);
    options.onSent?.();
    const [saved, loaded] = await Promise.all([saver.done, loader.done]);
    if (saved.code !== 0) throw new GantryError('transfer_failed', `The sending command failed on ${source.label}: ${saved.stderr.trim().slice(-600) || `exit ${saved.code}`}`);
    if (loaded.code !== 0) throw new GantryError('transfer_failed', `The receiving command failed on ${target.label}: ${loaded.stderr.trim().slice(-600) || received.trim() || `exit ${loaded.code}`}`);
    return { bytes: sent, stderr: saved.stderr };
  } catch (error) {
    abort();
    if (error instanceof GantryError) throw error;
    if (signal.aborted) throw new GantryError('cancelled', 'The transfer was cancelled.');
    throw new GantryError('transfer_failed', `The transfer from ${source.label} to ${target.label} broke off after ${(sent / 1e6).toFixed(1)} MB: ${(error as Error).message}`);
  } finally {
    signal.removeEventListener('abort', abort);
  }
}

/** Wire bytes per second between source and target through this machine (up to 32 MB of incompressible bytes or 1 s). */
export async function measureRelayLink(source: RemoteHost, target: RemoteHost, signal: AbortSignal): Promise<number> {
  const started = performance.now();
  const { bytes } = await relayStream({ source, target, producer: 'timeout 1 head -c 33554432 /dev/urandom; true', receiver: 'cat >/dev/null', signal, onBytes: () => {} });
  return bytes / ((performance.now() - started) / 1000);
}
