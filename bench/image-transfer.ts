/**
 * Image-transfer benchmark on the lab (run by bench/run.mjs under the lab test lock, through tsx).
 * Three cases, each against its baseline in the same round, rounds alternating which goes first:
 *  - warm: uat has v1, v2 adds one 30 MB layer — Gantry vs naive `ssh dev docker save | ssh uat docker load`;
 *  - cold: uat has no layer of the image — Gantry vs the same naive pipeline;
 *  - slowed: the host's side of the lab link shaped (tc tbf on the host's lab interface, so only
 *    traffic through this machine is slowed), cold — Gantry through this machine vs server to server.
 * Images: a base no server has (a nonce in an exported gantry-lab/postgres:15, ~400 MB, one
 * layer), v1 = base + 8 MB, v2 = v1 + 30 MB. Writes bench/results/transfer-<timestamp>.json.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureImageOnTarget } from '../electron/migrations/image-transfer';
import type { ServerConnection } from '../electron/servers/server-connection';
import { closeLabHosts, labHosts } from '../electron/transfer/testing/lab-hosts';

const root = resolve(import.meta.dirname, '..');
const rounds = Number(process.env.BENCH_TRANSFER_ROUNDS ?? 3);
const shapedRate = process.env.BENCH_SHAPED_RATE ?? '50mbit';
const REPO = 'gantry-bench/transfer';
const env = JSON.parse(execFileSync('bash', [join(root, 'lab/lab.sh'), 'env'], { encoding: 'utf8' })) as {
  hostInterface: string;
  knownHostsFile: string;
  keys: { plain: string };
  servers: Record<'dev' | 'uat', { host: string }>;
};
const { dev, uat } = labHosts(['dev', 'uat']);

async function sh(host: ServerConnection, command: string): Promise<string> {
  const result = await host.exec(command, {});
  if (result.code !== 0) throw new Error(`${command.slice(0, 200)}: ${result.stderr}`);
  return result.stdout.trim();
}

const sshArgs = (server: 'dev' | 'uat', command: string) => ['-F', '/dev/null', '-i', env.keys.plain, '-o', `UserKnownHostsFile=${env.knownHostsFile}`, '-o', 'BatchMode=yes', `root@${env.servers[server].host}`, command];

/** The naive pipeline through this machine: two OpenSSH clients joined by a pipe. */
function naive(ref: string): Promise<void> {
  return new Promise((done, fail) => {
    const save = spawn('ssh', sshArgs('dev', `docker save ${ref}`), { stdio: ['ignore', 'pipe', 'inherit'] });
    const load = spawn('ssh', sshArgs('uat', 'docker load -q'), { stdio: ['pipe', 'ignore', 'inherit'] });
    save.stdout.pipe(load.stdin);
    load.on('exit', (code) => (code === 0 ? done() : fail(new Error(`naive load exited ${code}`))));
  });
}

async function gantry(ref: string, id: string, route: 'auto' | 'relay', log: string[]): Promise<void> {
  const outcome = await ensureImageOnTarget({ source: dev, target: uat, imageRef: ref, imageId: id, signal: AbortSignal.timeout(600_000), route, onLog: (line) => log.push(line) });
  if (outcome.method !== 'streamed') throw new Error(`expected a stream, got ${outcome.method}`);
}

async function timed(what: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await what();
  return Math.round(performance.now() - started);
}

const ids = { v1: '', v2: '' };
async function expectOnUat(version: 'v1' | 'v2'): Promise<void> {
  const id = await sh(uat, `docker image inspect -f '{{.Id}}' ${REPO}:${version}`);
  if (id !== ids[version]) throw new Error(`uat has ${REPO}:${version} as ${id}, not ${ids[version]}`);
}
const clearUat = () => sh(uat, `docker rmi ${REPO}:v2 ${REPO}:v1 >/dev/null 2>&1; docker image prune -f >/dev/null; true`);

function shapeHostLink(on: boolean): void {
  const args = on ? ['qdisc', 'replace', 'dev', env.hostInterface, 'root', 'tbf', 'rate', shapedRate, 'burst', '256kb', 'latency', '100ms'] : ['qdisc', 'del', 'dev', env.hostInterface, 'root'];
  try {
    execFileSync('tc', args, { stdio: 'ignore' });
  } catch (error) {
    if (on) throw error;
  }
}

const samples: Record<string, number[]> = { warmGantry: [], warmNaive: [], coldGantry: [], coldNaive: [], slowedRelay: [], slowedDirect: [] };
const logs: Record<string, string[]> = {};
try {
  console.log('Building the benchmark images on dev…');
  await sh(
    dev,
    [
      'set -e',
      'docker rm -fv gantry-bench-nonce >/dev/null 2>&1 || true',
      `docker run --name gantry-bench-nonce gantry-lab/postgres:15 sh -c "date +%s%N > /nonce"`,
      `docker export gantry-bench-nonce | docker import -c 'CMD ["bash"]' - ${REPO}:base >/dev/null`,
      'docker rm gantry-bench-nonce >/dev/null',
      'd=$(mktemp -d)',
      `printf 'FROM ${REPO}:base\\nRUN head -c 8M /dev/urandom > /v1\\n' > $d/Dockerfile && DOCKER_BUILDKIT=0 docker build -q -t ${REPO}:v1 $d >/dev/null 2>&1`,
      `printf 'FROM ${REPO}:v1\\nRUN head -c 30M /dev/urandom > /v2\\n' > $d/Dockerfile && DOCKER_BUILDKIT=0 docker build -q -t ${REPO}:v2 $d >/dev/null 2>&1`,
      'rm -rf $d',
    ].join('\n'),
  );
  ids.v1 = await sh(dev, `docker image inspect -f '{{.Id}}' ${REPO}:v1`);
  ids.v2 = await sh(dev, `docker image inspect -f '{{.Id}}' ${REPO}:v2`);

  for (let round = 0; round < rounds; round++) {
    const gantryFirst = round % 2 === 0;
    const pair = async (a: () => Promise<void>, b: () => Promise<void>) => (gantryFirst ? [await a(), await b()] : [await b(), await a()].reverse());

    // Cold: nothing of the image on uat before each run.
    await pair(
      async () => (await clearUat(), samples.coldGantry!.push(await timed(() => gantry(`${REPO}:v1`, ids.v1, 'auto', (logs[`cold-${round}`] = [])))), await expectOnUat('v1')),
      async () => (await clearUat(), samples.coldNaive!.push(await timed(() => naive(`${REPO}:v1`))), await expectOnUat('v1')),
    );
    // Warm: v1 on uat, v2 removed before each run.
    await pair(
      async () => (await sh(uat, `docker rmi ${REPO}:v2 >/dev/null 2>&1; true`), samples.warmGantry!.push(await timed(() => gantry(`${REPO}:v2`, ids.v2, 'auto', (logs[`warm-${round}`] = [])))), await expectOnUat('v2')),
      async () => (await sh(uat, `docker rmi ${REPO}:v2 >/dev/null 2>&1; true`), samples.warmNaive!.push(await timed(() => naive(`${REPO}:v2`))), await expectOnUat('v2')),
    );
    // Slowed link through this machine, cold: relay vs direct.
    shapeHostLink(true);
    try {
      await pair(
        async () => (await clearUat(), samples.slowedDirect!.push(await timed(() => gantry(`${REPO}:v1`, ids.v1, 'auto', (logs[`direct-${round}`] = [])))), await expectOnUat('v1')),
        async () => (await clearUat(), samples.slowedRelay!.push(await timed(() => gantry(`${REPO}:v1`, ids.v1, 'relay', (logs[`relay-${round}`] = [])))), await expectOnUat('v1')),
      );
    } finally {
      shapeHostLink(false);
    }
    console.log(`  round ${round + 1}/${rounds}: ${Object.entries(samples).map(([k, v]) => `${k} ${v.at(-1)} ms`).join(', ')}`);
  }
} finally {
  shapeHostLink(false);
  await clearUat().catch(() => {});
  await sh(dev, `docker rmi ${REPO}:v2 ${REPO}:v1 ${REPO}:base >/dev/null 2>&1; true`).catch(() => {});
  await closeLabHosts({ dev, uat });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ratio = (a: number[], b: number[]) => Math.round((median(a) / median(b)) * 100) / 100;
const report = {
  at: new Date().toISOString(),
  rounds,
  shapedRate,
  medianMs: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])),
  ratios: {
    warm: { value: ratio(samples.warmGantry!, samples.warmNaive!), goal: '≤ 0.5× naive' },
    cold: { value: ratio(samples.coldGantry!, samples.coldNaive!), goal: '≤ 1.1× naive' },
    serverToServer: { value: ratio(samples.slowedRelay!, samples.slowedDirect!), goal: '≥ 1.3× faster than the relay' },
  },
  samples,
  logs,
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
const file = join(root, `bench/results/transfer-${report.at.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(`Image transfer dev → uat (median of ${rounds}):`);
console.log(`  v2 with v1 on uat   Gantry ${report.medianMs.warmGantry} ms, naive ${report.medianMs.warmNaive} ms → ${report.ratios.warm.value}× (goal ≤ 0.5)`);
console.log(`  cold                Gantry ${report.medianMs.coldGantry} ms, naive ${report.medianMs.coldNaive} ms → ${report.ratios.cold.value}× (goal ≤ 1.1)`);
console.log(`  host link ${shapedRate}  relay ${report.medianMs.slowedRelay} ms, server to server ${report.medianMs.slowedDirect} ms → ${report.ratios.serverToServer.value}× faster (goal ≥ 1.3)`);
console.log(`Written to ${file}`);
