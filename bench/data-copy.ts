/**
 * Test-data copy benchmark on the lab (run by bench/run.mjs under the lab test lock, through tsx):
 * a PostgreSQL database on dev (1M rows by default, BENCH_COPY_ROWS: a 48 MB pg_dump -Fc) copied
 * into uat's, three ways in the same round (the order rotating each round):
 *  - naive: `ssh dev 'docker exec db pg_dump -Fc …' | ssh uat 'docker exec -i db pg_restore --clean …'`;
 *  - Gantry's stream alone: the dump on dev → its restore on uat, by the route and codec Gantry
 *    chooses (in the lab: straight from dev to uat with a one-time key);
 *  - Gantry's whole copy step: uat's data saved and verified on uat first, the stream, then the
 *    content checksums of both servers compared (what a migration really runs).
 * Then, with the host's side of the lab link shaped (tc tbf on the host's lab interface, so only
 * traffic through this machine is slowed), Gantry's stream through this machine vs server to server.
 * Every run is checked: uat's checksum must equal dev's afterwards. Writes bench/results/data-copy-<timestamp>.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compareChecksums } from '../electron/databases/checksum';
import { liveDatabaseTarget, streamDump } from '../electron/databases/copy-stream';
import { adapterFor } from '../electron/databases/registry';
import { copyDataStep } from '../electron/migrations/steps/copy-data';
import type { ExecutionContext } from '../electron/migrations/steps/step-context';
import type { ServerConnection } from '../electron/servers/server-connection';
import { closeLabHosts, labHosts } from '../electron/transfer/testing/lab-hosts';

const root = resolve(import.meta.dirname, '..');
const rounds = Number(process.env.BENCH_COPY_ROUNDS ?? 3);
const rows = Number(process.env.BENCH_COPY_ROWS ?? 1_000_000);
const shapedRate = process.env.BENCH_SHAPED_RATE ?? '50mbit';
const DB = 'bench-copy-db';
const env = JSON.parse(execFileSync('bash', [join(root, 'lab/lab.sh'), 'env'], { encoding: 'utf8' })) as {
  hostInterface: string;
  knownHostsFile: string;
  keys: { plain: string };
  servers: Record<'dev' | 'uat', { host: string }>;
};
const { dev, uat } = labHosts(['dev', 'uat']);
const postgres = adapterFor('postgresql');

async function sh(host: ServerConnection, command: string): Promise<string> {
  const result = await host.exec(command, {});
  if (result.code !== 0) throw new Error(`${command.slice(0, 200)}: ${result.stderr}`);
  return result.stdout.trim();
}

const sshArgs = (server: 'dev' | 'uat', command: string) => ['-F', '/dev/null', '-i', env.keys.plain, '-o', `UserKnownHostsFile=${env.knownHostsFile}`, '-o', 'BatchMode=yes', `root@${env.servers[server].host}`, command];

/** The naive pipeline through this machine: two OpenSSH clients joined by a pipe. */
function naive(): Promise<void> {
  return new Promise((done, fail) => {
    const dump = spawn('ssh', sshArgs('dev', `docker exec ${DB} pg_dump -Fc -U app app`), { stdio: ['ignore', 'pipe', 'inherit'] });
    const restore = spawn('ssh', sshArgs('uat', `docker exec -i ${DB} pg_restore --clean --if-exists --no-owner -U app -d app`), { stdio: ['pipe', 'ignore', 'inherit'] });
    dump.stdout.pipe(restore.stdin);
    restore.on('exit', (code) => (code === 0 ? done() : fail(new Error(`naive pg_restore exited ${code}`))));
  });
}

async function waitReady(host: ServerConnection): Promise<void> {
  const readiness = postgres.commands(await liveDatabaseTarget(host, DB)).readiness;
  for (let tries = 0; tries < 120; tries++) {
    if ((await host.exec(readiness, {})).code === 0) return;
    await new Promise((done) => setTimeout(done, 500));
  }
  throw new Error(`${DB} on ${host.label} never answered`);
}

const routes: Record<string, string> = {};

/** Gantry's stream alone, by the route it chooses (`auto`) or through this machine (`relay`); the route taken is checked. */
async function stream(route: 'auto' | 'relay' = 'auto', expect: 'direct' | 'relay' = route === 'auto' ? 'direct' : 'relay'): Promise<void> {
  const source = { host: dev, target: await liveDatabaseTarget(dev, DB) };
  const estimateBytes = postgres.parseSize(await sh(dev, postgres.commands(source.target).size));
  const log: string[] = [];
  const outcome = await streamDump(source, { host: uat, target: await liveDatabaseTarget(uat, DB) }, postgres, { signal: AbortSignal.timeout(600_000), estimateBytes, route, onLog: (line) => log.push(line) });
  if (outcome.route !== expect) throw new Error(`expected the ${expect} route, the stream went ${outcome.route}: ${log.join(' / ')}`);
  routes[`${route}:${outcome.route}:${outcome.codec}`] = log.join(' / ');
}

function shapeHostLink(on: boolean): void {
  const args = on ? ['qdisc', 'replace', 'dev', env.hostInterface, 'root', 'tbf', 'rate', shapedRate, 'burst', '256kb', 'latency', '100ms'] : ['qdisc', 'del', 'dev', env.hostInterface, 'root'];
  try {
    execFileSync('tc', args, { stdio: 'ignore' });
  } catch (error) {
    if (on) throw error;
  }
}

/** The whole copy step, as a migration runs it (a context with just what the step reads). */
async function step(round: number): Promise<void> {
  const context = { migrationId: `bench${round}0000-copy`, source: dev, target: uat, resources: new Map(), warnings: [] } as unknown as ExecutionContext;
  const job = { signal: AbortSignal.timeout(600_000), log: () => undefined, progress: () => undefined, throwIfCancelled: () => undefined, checkpoint: () => undefined };
  const params = { databaseType: 'postgresql' as const, sourceContainer: DB, targetContainer: DB, resourceName: 'db', sourceEnvironment: 'dev', targetEnvironment: 'uat', targetProduction: false as const };
  const theStep = { id: 'copy-data:bench', kind: 'copy-data' as const, title: 'bench', resourceId: 'bench', undo: null, params };
  await copyDataStep.run(theStep, context, job);
  await copyDataStep.finalize!(theStep, context, () => undefined);
}

async function expectEqual(): Promise<void> {
  const checksum = async (host: ServerConnection) => postgres.parseChecksum(await sh(host, postgres.commands(await liveDatabaseTarget(host, DB)).checksum));
  const comparison = compareChecksums(await checksum(dev), await checksum(uat));
  if (!comparison.equal) throw new Error(`uat differs from dev after the copy: ${comparison.differences.map((d) => d.name).join(', ')}`);
}

async function timed(what: () => Promise<void>): Promise<number> {
  await sh(uat, `docker exec ${DB} psql -U app -d app -q -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"`);
  const started = performance.now();
  await what();
  const ms = Math.round(performance.now() - started);
  await expectEqual();
  return ms;
}

const samples: Record<'naive' | 'stream' | 'step' | 'slowedRelay' | 'slowedDirect', number[]> = { naive: [], stream: [], step: [], slowedRelay: [], slowedDirect: [] };
const sizes = { dumpBytes: 0 };
try {
  console.log(`Seeding ${rows} rows on dev…`);
  for (const host of [dev, uat]) {
    await sh(host, `docker rm -fv ${DB} >/dev/null 2>&1; docker run -d --name ${DB} -e POSTGRES_USER=app -e POSTGRES_PASSWORD=bench-pw -e POSTGRES_DB=app gantry-lab/postgres:15 >/dev/null`);
    await waitReady(host);
  }
  await sh(dev, `docker exec ${DB} psql -U app -d app -q -v ON_ERROR_STOP=1 -c "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, note text); INSERT INTO items SELECT g, 'item ' || g, g * 1.5, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, ${rows}) g;"`);
  sizes.dumpBytes = Number(await sh(dev, `docker exec ${DB} sh -c 'pg_dump -Fc -U app app | wc -c'`));
  const runs: [keyof typeof samples, (round: number) => Promise<void>][] = [['naive', naive], ['stream', () => stream()], ['step', step]];
  await timed(naive); // warm-up, dropped
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < runs.length; i++) {
      const [name, run] = runs[(i + round) % runs.length]!;
      samples[name].push(await timed(() => run(round)));
    }
    // The operator's link slowed: through this machine vs server to server (which goes first alternates).
    shapeHostLink(true);
    try {
      const slowed: [keyof typeof samples, () => Promise<void>][] = [['slowedRelay', () => stream('relay')], ['slowedDirect', () => stream('auto')]];
      for (const [name, run] of round % 2 === 0 ? slowed : [...slowed].reverse()) samples[name].push(await timed(run));
    } finally {
      shapeHostLink(false);
    }
    console.log(`  round ${round + 1}/${rounds}: ${Object.entries(samples).map(([k, v]) => `${k} ${v.at(-1)} ms`).join(', ')}`);
  }
} finally {
  shapeHostLink(false);
  for (const host of [dev, uat]) await sh(host, `docker rm -fv ${DB} >/dev/null 2>&1; rm -rf "$HOME/.gantry/backups/bench"; true`).catch(() => undefined);
  await closeLabHosts({ dev, uat });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ratio = (a: number[], b: number[]) => Math.round((median(a) / median(b)) * 100) / 100;
const report = {
  at: new Date().toISOString(),
  rounds,
  rows,
  pgDumpCustomBytes: sizes.dumpBytes,
  shapedRate,
  medianMs: { naive: median(samples.naive), stream: median(samples.stream), step: median(samples.step), slowedRelay: median(samples.slowedRelay), slowedDirect: median(samples.slowedDirect) },
  ratios: {
    stream: ratio(samples.stream, samples.naive),
    step: ratio(samples.step, samples.naive),
    serverToServer: { value: ratio(samples.slowedRelay, samples.slowedDirect), goal: '≥ 1.3× faster than the relay' },
  },
  samples,
  routes,
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
const file = join(root, `bench/results/data-copy-${report.at.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(`PostgreSQL ${rows} rows dev → uat (median of ${rounds}; pg_dump -Fc is ${sizes.dumpBytes} bytes):`);
console.log(`  naive ssh | ssh             ${report.medianMs.naive} ms (baseline)`);
console.log(`  Gantry's stream              ${report.medianMs.stream} ms → ${report.ratios.stream}×`);
console.log(`  Gantry's whole copy step     ${report.medianMs.step} ms → ${report.ratios.step}× (saves and verifies uat first, compares checksums after)`);
console.log(`  host link ${shapedRate}: through this machine ${report.medianMs.slowedRelay} ms, server to server ${report.medianMs.slowedDirect} ms → ${report.ratios.serverToServer.value}× faster (goal ≥ 1.3)`);
console.log(`Written to ${file}`);
