import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { RemoteHost, RemoteProcess } from '../servers/remote-host';
import { MEASURE_FROM_BYTES } from '../transfer/compression';
import { streamDump } from './copy-stream';
import { adapterFor } from './registry';

/** One remote command a fake server ran: its order of start and end among all the servers' events. */
interface Call {
  host: string;
  command: string;
  started: number;
  ended?: number;
}

/**
 * Two fake servers (no SSH) that answer the probes of a stream: the target has no flock, so the
 * stream goes through this machine; the route probe takes 30 ms. Records every command's start and end.
 */
function fakeServers() {
  const calls: Call[] = [];
  let clock = 0;
  const host = (label: string): RemoteHost => ({
    label,
    docker: () => ({}) as Dockerode,
    async exec(command) {
      const call: Call = { host: label, command, started: clock++ };
      calls.push(call);
      let stdout = '';
      if (command.includes('SSH_CONNECTION')) {
        await new Promise((done) => setTimeout(done, 30));
        stdout = '10.0.0.2 22 root\nno-flock\n';
      } else if (command.includes('for c in zstd')) stdout = 'zstd\n';
      else if (command.startsWith('LC_ALL=C bash -c')) stdout = 'raw 8000000\nzstd 10.0 10.02 2000000\n';
      call.ended = clock++;
      return { code: 0, stdout, stderr: '' };
    },
    async spawn(command) {
      const call: Call = { host: label, command, started: clock++ };
      calls.push(call);
      const stdout = new PassThrough();
      const stdin = new PassThrough();
      stdin.resume();
      // The source sends a little and ends; the target ends once its input has.
      if (label === 'dev') stdout.end(Buffer.alloc(4096));
      const ended = new Promise<void>((done) => (label === 'dev' ? stdout.on('end', done) : stdin.on('finish', () => (stdout.end(), done()))));
      const done = ended.then(() => ((call.ended = clock++), { code: 0, stderr: '' }));
      return { stdin, stdout, done, kill: () => stdout.destroy() } satisfies RemoteProcess;
    },
  });
  const target = { container: 'db', spec: { image: { ref: 'postgres:15', id: 'sha256:1', digest: null }, env: {}, labels: {}, command: null, entrypoint: null } };
  return { calls, source: { host: host('dev'), target }, target: { host: host('uat'), target } };
}

const postgres = adapterFor('postgresql');

describe('the stream of a data copy', () => {
  it('samples the codecs while the route is probed, and logs the route before the compression', async () => {
    const { calls, source, target } = fakeServers();
    const log: string[] = [];
    const outcome = await streamDump(source, target, postgres, { signal: AbortSignal.timeout(10_000), estimateBytes: MEASURE_FROM_BYTES * 2, onLog: (line) => log.push(line) });

    const probe = calls.find((call) => call.command.includes('SSH_CONNECTION'))!;
    const sample = calls.find((call) => call.command.startsWith('LC_ALL=C bash -c'))!;
    expect(sample.host).toBe('dev');
    expect(sample.started).toBeLessThan(probe.ended!);
    // The link is measured by the route it found, so only after the probe.
    const link = calls.find((call) => call.command.includes('/dev/urandom'))!;
    expect(link.started).toBeGreaterThan(probe.ended!);
    expect(log[0]).toMatch(/^Through this machine: .*no flock/);
    expect(log[1]).toMatch(/^Compression: measured link/);
    expect(outcome.route).toBe('relay');
  });

  it('measures no codec for a small database, and probes no route when the relay is asked for', async () => {
    const { calls, source, target } = fakeServers();
    const log: string[] = [];
    const outcome = await streamDump(source, target, postgres, { signal: AbortSignal.timeout(10_000), estimateBytes: 1_000_000, route: 'relay', onLog: (line) => log.push(line) });

    expect(calls.filter((call) => !call.command.includes('pg_dump') && !call.command.includes('pg_restore'))).toEqual([]);
    expect(log).toEqual(['Through this machine: the direct route was not asked for', 'Uncompressed: only 1.0 MB to send, measuring codecs would cost more than they could save']);
    expect(outcome).toMatchObject({ route: 'relay', codec: 'none', dumpBytes: 4096 });
  });
});
