/**
 * A batch of 20 resources dev → uat on the lab (run by bench/run.mjs under the lab test lock and
 * a real keychain, through tsx): 6 PostgreSQL databases, 8 apps each using one of them, 6 web
 * apps each linked to one of those apps — three dependency levels, each resource's time mostly
 * Docker starting it and its health check passing. The engine runs as its own process (the built
 * browser-mode entry, `npx electron-vite build` first), driven over its bridge like the UI.
 *
 * Baseline in the same run: the same batch with `batchConcurrency: 1` (one resource at a time,
 * still in dependency order). Then the batch with the default setting (3 per server) and with 6.
 * After each run the batch is rolled back (not timed), so every run clones the same 20 resources.
 * Each run's order is checked from the journal's timestamps (no resource starts before what it
 * depends on passed its wait-healthy step) and the engine process's RSS is sampled every 100 ms.
 * Writes bench/results/batch-<timestamp>.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { journalTimes, orderViolations, saveServer, startBatchLab, type BatchDriver, type BatchMember, type LabDetails } from '../electron/migrations/testing/batch-lab';
import { labSh, startEngineProcess } from '../electron/migrations/testing/engine-process';

const root = resolve(import.meta.dirname, '..');
const lab = JSON.parse(execFileSync('bash', [join(root, 'lab/lab.sh'), 'env'], { encoding: 'utf8' })) as LabDetails & { knownHostsFile: string };
const concurrencies = (process.env.BENCH_BATCH_CONCURRENCY ?? '1,3,4,6').split(',').map(Number);
// Every 5 s, as production images commonly check (Docker's own default is 30 s); the lab test uses 1 s to stay short.
const healthIntervalSec = Number(process.env.BENCH_BATCH_HEALTH_INTERVAL ?? 5);
const PREFIX = 'batchbench';

const members: BatchMember[] = [
  ...Array.from({ length: 6 }, (_, i): BatchMember => ({ name: `db${i}`, kind: 'database' })),
  ...Array.from({ length: 8 }, (_, i): BatchMember => ({ name: `api${i}`, kind: 'application', database: `db${i % 6}` })),
  ...Array.from({ length: 6 }, (_, i): BatchMember => ({ name: `web${i}`, kind: 'application', database: `db${i % 6}`, links: [`api${i}`] })),
];

// The engine as the app runs it: its own process (the built browser-mode entry), driven over its bridge.
const dataDir = mkdtempSync(join(tmpdir(), 'gantry-batch-bench-'));
const engine = await startEngineProcess(dataDir);
const driver: BatchDriver = {
  call: (channel, request) => engine.call(channel, request),
  sh: (server, command) => labSh(lab, server, command),
  async close() {
    engine.kill();
    rmSync(dataDir, { recursive: true, force: true });
  },
};
for (const name of ['dev', 'uat'] as const) await saveServer(driver.call, lab, PREFIX, name);
const batch = await startBatchLab(driver, PREFIX, members, { healthIntervalSec });
/** CPU time used so far, in seconds: the whole machine's (all CPUs, from /proc/stat) and each lab server's (its cgroup, containers and dockerd included). */
function cpuSeconds(): { machine: number; dev: number; uat: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const busy = fields.reduce((sum, value) => sum + value, 0) - fields[3]! - fields[4]!;
  const ofServer = (name: string) => {
    try {
      return Number(readFileSync(`/sys/fs/cgroup/cpuacct/gantry-lab-${name}/cpuacct.usage`, 'utf8')) / 1e9;
    } catch {
      return Number.NaN;
    }
  };
  return { machine: busy / 100, dev: ofServer('dev'), uat: ofServer('uat') };
}
/** The engine process's resident memory, from /proc. */
const engineRss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${engine.child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const runs: { concurrency: number; ms: number; status: string; levels: number; orderViolations: string[]; peakRssMb: number; rssSamples: number; mostAtOnce: number; cpu: { machineBusyPercent: number; devSec: number; uatSec: number }; stepKinds: Record<string, { count: number; totalMs: number; maxMs: number }> }[] = [];
try {
  for (const concurrency of concurrencies) {
    let peak = 0;
    let samples = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, engineRss());
      samples++;
    }, 100);
    const cpuBefore = cpuSeconds();
    const started = performance.now();
    const detail = await batch.migrate(
      members.map((member) => member.name),
      { batchConcurrency: concurrency },
    );
    const ms = Math.round(performance.now() - started);
    clearInterval(sampler);
    const cpuAfter = cpuSeconds();
    const cpu = { machineBusyPercent: Math.round(((cpuAfter.machine - cpuBefore.machine) / (ms / 1000) / availableParallelism()) * 100), devSec: Math.round(cpuAfter.dev - cpuBefore.dev), uatSec: Math.round(cpuAfter.uat - cpuBefore.uat) };
    const violations = orderViolations(detail);
    // How many resources were between their first step and their last at once (from the journal).
    const spans = [...journalTimes(detail).values()].map((entry) => entry.firstStart);
    const ends = new Map<string, number>();
    for (const row of detail.steps) {
      const resourceId = detail.plan?.steps.find((step) => step.id === row.stepId)?.resourceId;
      if (resourceId && row.endedAt) ends.set(resourceId, Math.max(ends.get(resourceId) ?? 0, row.endedAt));
    }
    const intervals = [...journalTimes(detail).entries()].map(([id, entry]) => [entry.firstStart, ends.get(id) ?? entry.firstStart] as const);
    const mostAtOnce = Math.max(...spans.map((at) => intervals.filter(([from, to]) => from <= at && at < to).length));
    // Where the time went: each step kind's total and longest, from the journal (preflight steps included).
    const byKind = new Map<string, { count: number; totalMs: number; maxMs: number }>();
    for (const row of detail.steps) {
      if (row.startedAt === null || row.endedAt === null) continue;
      const kind = row.stepId.split(':')[0]!;
      const entry = byKind.get(kind) ?? { count: 0, totalMs: 0, maxMs: 0 };
      const took = row.endedAt - row.startedAt;
      byKind.set(kind, { count: entry.count + 1, totalMs: entry.totalMs + took, maxMs: Math.max(entry.maxMs, took) });
    }
    const stepKinds = Object.fromEntries([...byKind.entries()].sort((a, b) => b[1].totalMs - a[1].totalMs));
    const levels = Number(/in (\d+) level/.exec(detail.log.map((line) => line.message).join('\n'))?.[1] ?? 0);
    runs.push({ concurrency, ms, status: detail.migration.status, levels, orderViolations: violations, peakRssMb: Math.round(peak / 1048576), rssSamples: samples, mostAtOnce, cpu, stepKinds });
    console.log(`  concurrency ${concurrency}: ${(ms / 1000).toFixed(1)} s, ${detail.migration.status}, at most ${mostAtOnce} at once, order ${violations.length === 0 ? 'respected' : `VIOLATED: ${violations.join('; ')}`}, peak RSS ${Math.round(peak / 1048576)} MB, CPUs ${cpu.machineBusyPercent}% busy (dev ${cpu.devSec} s, uat ${cpu.uatSec} s of CPU)`);
    console.log(`    steps: ${Object.entries(stepKinds).map(([kind, entry]) => `${kind} ${entry.count}× ${(entry.totalMs / 1000).toFixed(1)} s (longest ${(entry.maxMs / 1000).toFixed(1)} s)`).join(', ')}`);
    if (detail.migration.status !== 'completed') throw new Error(`The batch ended ${detail.migration.status}: ${detail.migration.message}`);
    const rollback = await batch.rollBack(detail.migration.id);
    if (!rollback.migration.status.startsWith('completed')) throw new Error(`The rollback ended ${rollback.migration.status}: ${rollback.migration.message}`);
    const left = await batch.sh('uat', `docker ps -aq --filter name=${PREFIX} | wc -l`);
    if (left !== '0') throw new Error(`${left} containers of the batch are left on uat after the rollback`);
  }
  const baseline = runs.find((run) => run.concurrency === 1);
  const report = {
    at: new Date().toISOString(),
    resources: members.length,
    cpus: availableParallelism(),
    healthIntervalSec,
    runs: runs.map((run) => ({ ...run, speedup: baseline ? Math.round((baseline.ms / run.ms) * 100) / 100 : null })),
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const file = join(root, `bench/results/batch-${report.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Batch of ${members.length} resources dev → uat (6 databases, 8 apps, 6 linked web apps; health checks every ${healthIntervalSec} s; ${report.cpus} CPUs):`);
  for (const run of report.runs) console.log(`  concurrency ${String(run.concurrency).padEnd(2)} ${(run.ms / 1000).toFixed(1).padStart(6)} s  ${run.speedup}× (goal ≥ 3×)  order ${run.orderViolations.length === 0 ? 'ok' : 'VIOLATED'}  peak RSS ${run.peakRssMb} MB (goal ≤ 250)`);
  console.log(`Written to ${file}`);
  if (runs.some((run) => run.orderViolations.length > 0 || run.peakRssMb > 250)) process.exitCode = 1;
} finally {
  await batch.close();
}
