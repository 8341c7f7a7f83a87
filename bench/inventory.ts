/**
 * Inventory at scale on the lab (run by bench/run.mjs under the lab test lock, through tsx):
 * 100 containers on each of dev, uat and prod, then in the same round (the order alternating):
 *  - Gantry: `discoverServers` over the three pooled connections (the discovery job's code: one
 *    exec per server that lists, inspects containers and images, then every spec canonicalised,
 *    sealed and hashed);
 *  - raw: per server in parallel, `ssh … docker ps -aq --no-trunc` then `ssh … docker inspect <ids>`
 *    with plain OpenSSH clients, output only parsed as JSON.
 * Then 50 concurrent operations per server (150 at once) through Gantry's one pooled connection
 * per server, each checked. Every container it starts carries a label and is removed at the end.
 * Writes bench/results/inventory-<timestamp>.json.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { discoverServers } from '../electron/inventory/discovery';
import { SpecSealer } from '../electron/inventory/spec-hash';
import type { ServerConnection } from '../electron/servers/server-connection';
import { closeLabHosts, labHosts, type LabName } from '../electron/transfer/testing/lab-hosts';

const root = resolve(import.meta.dirname, '..');
const rounds = Number(process.env.BENCH_INVENTORY_ROUNDS ?? 5);
const perServer = Number(process.env.BENCH_INVENTORY_CONTAINERS ?? 100);
const concurrent = Number(process.env.BENCH_INVENTORY_CONCURRENT ?? 50);
const LABEL = 'gantry-bench=inventory';
const NAMES: LabName[] = ['dev', 'uat', 'prod'];
const env = JSON.parse(execFileSync('bash', [join(root, 'lab/lab.sh'), 'env'], { encoding: 'utf8' })) as { knownHostsFile: string; keys: { plain: string }; servers: Record<LabName, { host: string }> };
const hosts = labHosts(NAMES);
const run = promisify(execFile);

async function sh(host: ServerConnection, command: string): Promise<string> {
  const result = await host.exec(command, {});
  if (result.code !== 0) throw new Error(`${host.label}: ${command.slice(0, 200)}: ${result.stderr}`);
  return result.stdout.trim();
}

const sshArgs = (server: LabName, command: string) => ['-F', '/dev/null', '-i', env.keys.plain, '-o', `UserKnownHostsFile=${env.knownHostsFile}`, '-o', 'BatchMode=yes', `root@${env.servers[server].host}`, command];

/** The raw baseline on one server: two plain ssh round trips, the inspect output parsed. */
async function rawServer(server: LabName): Promise<number> {
  const ids = (await run('ssh', sshArgs(server, 'docker ps -aq --no-trunc'), { maxBuffer: 1 << 26 })).stdout.trim().split('\n').filter(Boolean);
  const inspect = (await run('ssh', sshArgs(server, `docker inspect ${ids.join(' ')}`), { maxBuffer: 1 << 28 })).stdout;
  return (JSON.parse(inspect) as unknown[]).length;
}

async function raw(): Promise<number[]> {
  return Promise.all(NAMES.map(rawServer));
}

const sealer = new SpecSealer(randomBytes(32));
async function gantry(): Promise<number[]> {
  const results = await discoverServers(NAMES, (name) => hosts[name as LabName], sealer);
  for (const result of results) if (!result.reachable) throw new Error(`${result.serverId}: ${result.error}`);
  return results.map((result) => result.containers.length);
}

async function timed(what: () => Promise<number[]>, expected: number[]): Promise<number> {
  const started = performance.now();
  const counts = await what();
  const ms = Math.round(performance.now() - started);
  if (counts.join() !== expected.join()) throw new Error(`saw ${counts.join('/')} containers; expected ${expected.join('/')}`);
  return ms;
}

/** `concurrent` operations at once on one server's pooled connection, each checked; returns failures and time. */
async function burst(name: LabName): Promise<{ ok: number; failures: string[]; ms: number; connects: number }> {
  const host = hosts[name];
  const started = performance.now();
  const outcomes = await Promise.allSettled(
    Array.from({ length: concurrent }, async (_, index) => {
      const container = `bench-inv-${index % perServer}`;
      const result = await host.exec(`docker inspect --format '{{.Name}} {{.State.Status}}' ${container}`, {});
      if (result.code !== 0 || result.stdout.trim() !== `/${container} running`) throw new Error(`${container}: exit ${result.code} ${result.stdout.trim()} ${result.stderr.trim()}`);
    }),
  );
  const failures = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [String((outcome.reason as Error).message)] : []));
  return { ok: outcomes.length - failures.length, failures, ms: Math.round(performance.now() - started), connects: host.stats().connects };
}

const cleanup = `ids=$(docker ps -aq --filter label=${LABEL}); [ -z "$ids" ] || docker rm -fv $ids >/dev/null`;
const samples: Record<'gantry' | 'raw', number[]> = { gantry: [], raw: [] };
try {
  console.log(`Starting ${perServer} containers on each of ${NAMES.join(', ')}…`);
  await Promise.all(
    NAMES.map(async (name) => {
      await sh(hosts[name], cleanup);
      await sh(
        hosts[name],
        `seq 0 ${perServer - 1} | xargs -P 8 -I{} docker run -d --init --name bench-inv-{} --label ${LABEL} -e BENCH_TOKEN=bench-secret-{} -e MODE=bench gantry-lab/debian:bookworm sleep infinity >/dev/null`,
      );
    }),
  );
  const expected = await Promise.all(NAMES.map(async (name) => Number(await sh(hosts[name], 'docker ps -aq | wc -l'))));
  console.log(`Containers per server (all, including the lab's own): ${expected.join(' / ')}`);

  const cold = await timed(gantry, expected); // the first discovery also opens the three connections
  for (let round = 0; round < rounds; round++) {
    for (const mode of round % 2 ? (['raw', 'gantry'] as const) : (['gantry', 'raw'] as const)) {
      samples[mode].push(await timed(mode === 'gantry' ? gantry : raw, expected));
    }
  }
  const bursts = await Promise.all(NAMES.map(async (name) => ({ server: name, ...(await burst(name)) })));

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const report = {
    at: new Date().toISOString(),
    servers: NAMES.length,
    containersPerServer: expected,
    rounds,
    gantryColdMs: cold,
    gantryMedianMs: median(samples.gantry),
    rawMedianMs: median(samples.raw),
    ratio: Math.round((median(samples.gantry) / median(samples.raw)) * 100) / 100,
    samples,
    concurrentPerServer: concurrent,
    bursts,
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const file = join(root, `bench/results/inventory-${report.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Discovery, ${NAMES.length} servers × ${expected.join('/')} containers (median of ${rounds}):`);
  console.log(`  Gantry (pooled, sealed specs)   ${report.gantryMedianMs} ms (first, with connecting: ${cold} ms)`);
  console.log(`  raw ssh docker ps + inspect     ${report.rawMedianMs} ms`);
  console.log(`  ratio                           ${report.ratio}× (goal ≤ 1.5×)`);
  for (const each of bursts) console.log(`  ${concurrent} concurrent on ${each.server}: ${each.ok} ok, ${each.failures.length} failed, ${each.ms} ms, ${each.connects} connection(s)`);
  for (const each of bursts) for (const failure of each.failures.slice(0, 5)) console.log(`    ${each.server}: ${failure}`);
  console.log(`Written to ${file}`);
  if (bursts.some((each) => each.failures.length > 0)) process.exitCode = 1;
} finally {
  await Promise.all(NAMES.map((name) => sh(hosts[name], cleanup).catch((error: unknown) => console.error(`cleanup on ${name}: ${String(error)}`))));
  await closeLabHosts(hosts);
}
