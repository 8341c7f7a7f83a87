// `npm run bench`: every case, or those named in BENCH_CASES (comma-separated: graph, transfer, data-copy, inventory, batch).
// graph: builds bench/graph-page with Vite, serves it on 127.0.0.1, opens it in Chromium through
// Playwright, and times the first render of the real EnvironmentGraph with 300 resources × 3
// environments against a baseline of plain <div> rows with the same text, measured in the same
// run. Writes bench/results/graph-<timestamp>.json.
// transfer: bench/image-transfer.ts on the lab (through tsx, holding the lab test lock).
// data-copy: bench/data-copy.ts on the lab, the same way (1M-row PostgreSQL dev → uat vs naive ssh | ssh; through this machine vs server to server with the host's link slowed).
// inventory: bench/inventory.ts on the lab, the same way (discovery of 3 × 100 containers vs raw ssh docker ps + inspect; 50 concurrent operations per server).
// batch: bench/batch.ts on the lab, the same way plus a real keychain (20 resources dev → uat in parallel vs the same batch one at a time).
// See bench/README.md.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import { chromium } from '@playwright/test';

const root = resolve(import.meta.dirname, '..');
const outDir = join(root, 'bench/results/graph-page-build');
const resources = Number(process.env.BENCH_RESOURCES ?? 300);
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const cases = (process.env.BENCH_CASES ?? 'graph,transfer,data-copy,inventory,batch').split(',').map((each) => each.trim());

if (cases.includes('graph')) await graphCase();
if (cases.includes('transfer')) {
  // The lab is shared with the integration tests: hold their lock for the whole case.
  const run = spawnSync('flock', ['/tmp/gantry-labtest.lock', 'npx', 'tsx', '--tsconfig', 'tsconfig.node.json', 'bench/image-transfer.ts'], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}

if (cases.includes('data-copy')) {
  const run = spawnSync('flock', ['/tmp/gantry-labtest.lock', 'npx', 'tsx', '--tsconfig', 'tsconfig.node.json', 'bench/data-copy.ts'], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}

if (cases.includes('batch')) {
  // The whole engine in one process: it needs the real keychain, like the lab tests.
  const run = spawnSync('flock', ['/tmp/gantry-labtest.lock', 'bash', '.ci/with-keyring.sh', 'npx', 'tsx', '--tsconfig', 'tsconfig.node.json', 'bench/batch.ts'], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}

if (cases.includes('inventory')) {
  const run = spawnSync('flock', ['/tmp/gantry-labtest.lock', 'npx', 'tsx', '--tsconfig', 'tsconfig.node.json', 'bench/inventory.ts'], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}

async function graphCase() {

  await build({
    root,
    logLevel: 'warn',
    plugins: [react()],
    resolve: { alias: { '@shared': join(root, 'shared') } },
    build: { outDir, emptyOutDir: true, rollupOptions: { input: join(root, 'bench/graph-page/index.html') } },
  });

  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer((request, response) => {
    const path = join(outDir, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    if (!path.startsWith(outDir) || !existsSync(path)) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${server.address().port}/bench/graph-page/index.html`;

  const browser = await chromium.launch({ executablePath: process.env.GANTRY_CHROMIUM ?? '/usr/bin/chromium' });
  const samples = { graph: [], baseline: [] };
  try {
    for (let round = 0; round < rounds + 1; round++) {
      // Alternate the two so machine noise hits both alike; round 0 warms the browser and is dropped.
      for (const mode of round % 2 ? ['baseline', 'graph'] : ['graph', 'baseline']) {
        const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
        await page.goto(`${base}?mode=${mode}&resources=${resources}`);
        const result = await page.waitForFunction(() => globalThis.benchResult, undefined, { timeout: 60_000 }).then((handle) => handle.jsonValue());
        if (result.rows !== (mode === 'graph' ? resources * 3 : resources)) throw new Error(`${mode} rendered ${result.rows} rows; expected ${mode === 'graph' ? resources * 3 : resources} — the page is broken.`);
        if (round > 0) samples[mode].push(result.ms);
        await page.close();
      }
    }
  } finally {
    await browser.close();
    server.close();
  }

  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const report = {
    at: new Date().toISOString(),
    resources,
    environments: 3,
    rounds,
    graphMedianMs: Math.round(median(samples.graph) * 10) / 10,
    baselineMedianMs: Math.round(median(samples.baseline) * 10) / 10,
    ratio: Math.round((median(samples.graph) / median(samples.baseline)) * 100) / 100,
    samples,
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const file = join(root, `bench/results/graph-${report.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Environment graph, ${resources} resources × 3 environments, first render (median of ${rounds}):`);
  console.log(`  EnvironmentGraph   ${report.graphMedianMs} ms`);
  console.log(`  plain <div> rows   ${report.baselineMedianMs} ms (baseline, same text)`);
  console.log(`  ratio              ${report.ratio}×`);
  console.log(`Written to ${file}`);
}
