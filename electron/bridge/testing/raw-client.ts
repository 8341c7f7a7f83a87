import { connect } from 'node:net';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';

/** Sends raw bytes to 127.0.0.1:port and resolves everything the server answered before it closed (or after `timeoutMs`). */
export function rawExchange(port: number, bytes: Buffer | string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    const done = () => resolve(Buffer.concat(chunks).toString('latin1'));
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', done);
    socket.on('close', done);
  });
}

/** Sends `bytes` and resets the connection (TCP RST) right after, without waiting for the answer. */
export function sendAndReset(port: number, bytes: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(bytes, () => setImmediate(() => socket.resetAndDestroy()));
    });
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
  });
}

/** The status code of the first HTTP response line, or 0. */
export function statusOf(answer: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
}

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Heap in use after a full garbage collection, in bytes. */
export function settledHeap(): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}
