/**
 * The fault matrix: for every registered step kind, a real engine process (browser mode, the
 * built app) is SIGKILLed while a step of that kind runs, and — separately — the SSH connection to
 * the target is dropped while it runs (every session killed, new ones refused for a few seconds).
 * Each case ends with uat exactly at its before-state (a migration undone) or, for a killed undo
 * run (rollback, restore), at its after-state (the run completed from its journal): the same spec
 * hashes (Gantry's own, read by discovery), no leftover containers, volumes, networks or crontab
 * lines, and a journal message that says what was checked. The production-only kinds run against
 * prod (approved by a second operator's signature, see testing/production-lab.ts): a promote of app
 * + PostgreSQL (backup first), Restore this backup, Rotate credentials and a clone with a domain
 * (Caddy + Pebble); each ends with prod's containers, its database's own checksum, the password it
 * accepts and Caddy's routes as before (a killed restore: completed, holding the backup's content),
 * and uat untouched. The steps are held at the fault point by the test-only pause file
 * (fault-pause.ts). Writes the matrix into README.md from the run.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { MigrationStepKind } from '@shared/migration/steps';
import { isTerminalStatus, type MigrationStatus } from '@shared/migration/status';
import { labFault } from '../../lab/lab-client';
import { registeredKinds } from './steps/registry';
import { labProject, labSh, startEngineProcess, type EngineProcess } from './testing/engine-process';
import { approveAs, caddyRoutes, containersOf, setUpProductionPolicy, type ProductionOperators } from './testing/production-lab';

const lab = inject('lab');
const dataDir = mkdtempSync(join(tmpdir(), 'gantry-fault-matrix-'));
const pauseFile = join(dataDir, 'pause.json');
const README = join(import.meta.dirname, '..', '..', 'README.md');

let engine: EngineProcess;
let projectId = '';
const env: Record<string, string> = {};
const ids: Record<string, string> = {};
const rows: { kind: MigrationStepKind; run: string; fault: string; outcome: string }[] = [];
const faults = ['kill', 'ssh-drop'] as const;
const faultName = (fault: (typeof faults)[number]) => (fault === 'kill' ? 'engine SIGKILL' : 'SSH connection dropped');

const cleanup = [
  'docker rm -fv $(docker ps -aq --filter name=fm-) >/dev/null 2>&1',
  'docker volume rm $(docker volume ls -q --filter name=fm-) >/dev/null 2>&1',
  'docker network rm $(docker network ls -q --filter name=fm-) >/dev/null 2>&1',
  'rm -rf /tmp/gantry-locks $HOME/.gantry/rollbacks $HOME/.gantry/backups',
  'crontab -r 2>/dev/null',
  'true',
].join('; ');

const sh = (server: 'dev' | 'uat', command: string) => labSh(lab, server, command);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 180_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 500)}`);
    await sleep(150);
  }
}

/** uat as a test compares it: containers (name, id, state), volumes, networks, Gantry's crontab lines, and each resource's live spec hash. */
async function uatState(): Promise<{ docker: string; cron: string; hashes: Record<string, string | null> }> {
  const docker = await sh('uat', "docker ps -a --filter name=fm- --format '{{.Names}} {{.ID}} {{.State}}' | sort; echo --; docker volume ls -q --filter name=fm- | sort; echo --; docker network ls --filter name=fm- --format '{{.Name}}' | sort");
  const cron = await sh('uat', 'crontab -l 2>/dev/null | grep gantry || true');
  const { jobId } = await engine.call('inventory:discover', { projectId });
  await waitFor('discovery', () => engine.call('jobs:list', {}), ({ jobs }) => jobs.some((job) => job.jobId === jobId && job.state !== 'running'), 60_000);
  const graph = await engine.call('inventory:graph', { projectId });
  const hashes = Object.fromEntries(['db', 'web'].map((name) => [name, graph.cells.find((cell) => cell.resourceId === ids[name] && cell.environmentId === env.uat)?.container?.specHash ?? null]));
  return { docker, cron, hashes };
}

/** Only the parts that survive a container being recreated from the same spec. */
function specState(state: Awaited<ReturnType<typeof uatState>>) {
  const names = state.docker.split('--')[0]!.trim().split('\n').filter(Boolean).map((line) => `${line.split(' ')[0]} ${line.split(' ')[2]}`);
  return { names, volumesAndNetworks: state.docker.split('--').slice(1).join('--').trim(), cron: state.cron, hashes: state.hashes };
}

function pause(kind: MigrationStepKind | null, phase: 'before' | 'after' = 'after', ms = 120_000): void {
  writeFileSync(pauseFile, kind ? JSON.stringify({ kind, phase, ms }) : '{}');
}

async function detailOf(migrationId: string) {
  return engine.call('migrations:get', { migrationId });
}

async function settled(migrationId: string) {
  return waitFor(`migration ${migrationId.slice(0, 8)} to settle`, () => detailOf(migrationId), (detail) => isTerminalStatus(detail.migration.status as MigrationStatus));
}

async function startClone(copyData = false): Promise<string> {
  // A fresh label on dev's web app first, so a promote has something to change (an unchanged resource gets no steps).
  await sh('dev', `docker rm -fv dev-fm-web >/dev/null && docker run -d --name dev-fm-web --init --network fm-dev -v dev-fm-web-data:/data -e DB_HOST=dev-fm-db -e APP_MODE=dev -l fm.run=${Date.now()} gantry-lab/webapp:2 >/dev/null`);
  const planned = await engine.call('migrations:plan', { projectId, sourceEnvId: env.dev!, targetEnvId: env.uat!, resourceIds: [ids.db!, ids.web!] });
  expect(planned.plan.blocking, JSON.stringify(planned.plan.prechecks.filter((check) => check.severity === 'blocking'))).toBe(false);
  // db + web run as a batch: all or nothing, so a fault in web's own steps undoes db too and the matrix compares uat with its state before the run
  // (without it db, which does not depend on web, would complete: batch.int.test.ts covers that).
  return (await engine.call('migrations:start', { planId: planned.planId, options: { waitForReady: false, healthTimeoutSec: 30, httpCheckPath: null, allOrNothing: true, ...(copyData ? { copyData: [ids.db!] } : {}) } })).migrationId;
}

/** Runs a migration (clone or promote) to its end, with no fault. */
async function migrateClean(): Promise<string> {
  pause(null);
  const migrationId = await startClone();
  const detail = await settled(migrationId);
  expect(detail.migration.status, detail.migration.message ?? '').toMatch(/^completed/);
  return migrationId;
}

async function rollbackOf(migrationId: string): Promise<string> {
  return (await engine.call('migrations:rollback', { migrationId, options: { waitForReady: false, healthTimeoutSec: 30, httpCheckPath: null } })).migrationId;
}

/** Lands the fault once a step of `kind` is paused in `migrationId` (the SSH drop on the run's target). */
async function landFault(migrationId: string, kind: MigrationStepKind, fault: 'kill' | 'ssh-drop', target: 'uat' | 'prod' = 'uat'): Promise<void> {
  await waitFor(`the pause in ${kind}`, () => detailOf(migrationId), (detail) => detail.log.some((line) => line.message.startsWith(`[fault-matrix] paused`) && line.message.includes(` ${kind} `)));
  if (fault === 'kill') {
    engine.kill();
    pause(null);
    await sleep(500);
    engine = await startEngineProcess(dataDir, { GANTRY_FAULT_PAUSE_FILE: pauseFile });
  } else {
    await labFault(target, 'ssh-drop');
    pause(null);
    // The connection is gone and uat refuses new ones for longer than the connection's own
    // reconnect attempts (about 7.5 s): the step fails; its undo retries until SSH is back.
    await sleep(12_000);
    await labFault(target, 'sshd-start');
  }
}

async function resetUat(): Promise<void> {
  pause(null);
  await sh('uat', cleanup);
}

beforeAll(async () => {
  writeFileSync(pauseFile, '{}');
  await sh('dev', cleanup);
  await sh('uat', cleanup);
  await sh('dev', 'docker network create fm-dev >/dev/null');
  await sh('dev', 'docker run -d --name dev-fm-db --init --network fm-dev -e POSTGRES_USER=app -e POSTGRES_PASSWORD=fm-pw -e POSTGRES_DB=app gantry-lab/postgres:15 >/dev/null');
  // Rows for the data copy's cases (the database answers once its init is done).
  await waitFor('dev-fm-db to answer', () => sh('dev', `docker exec dev-fm-db psql -U app -d app -Atc 'SELECT 1' 2>/dev/null || true`), (out) => out.trim() === '1', 90_000);
  await sh('dev', `docker exec dev-fm-db psql -U app -d app -q -c "CREATE TABLE items AS SELECT g AS id, md5(g::text) AS note FROM generate_series(1, 20000) g"`);
  await sh('dev', 'docker run -d --name dev-fm-web --init --network fm-dev -v dev-fm-web-data:/data -e DB_HOST=dev-fm-db -e APP_MODE=dev gantry-lab/webapp:2 >/dev/null');
  engine = await startEngineProcess(dataDir, { GANTRY_FAULT_PAUSE_FILE: pauseFile });
  const project = await labProject(engine, lab, 'fm');
  projectId = project.projectId;
  env.dev = project.dev;
  env.uat = project.uat;
  const db = await engine.call('resources:adopt', { environmentId: env.dev, container: 'dev-fm-db', resource: { name: 'db', kind: 'database', databaseType: 'postgresql' } });
  ids.db = db.resource.id;
  const web = await engine.call('resources:adopt', {
    environmentId: env.dev,
    container: 'dev-fm-web',
    resource: { name: 'web', kind: 'application', links: [db.resource.id], scheduledTasks: [{ name: 'tick', schedule: '*/5 * * * *', command: 'date', enabled: true }] },
  });
  ids.web = web.resource.id;
});

afterAll(async () => {
  await labFault('uat', 'sshd-start').catch(() => undefined);
  await labFault('prod', 'sshd-start').catch(() => undefined);
  engine?.kill();
  await sh('dev', cleanup).catch(() => undefined);
  await sh('uat', cleanup).catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
  writeMatrix();
});

/** Runs one case of the matrix; its outcome, or its failure's first line, becomes its row. */
async function matrixCase<R extends string>(kind: MigrationStepKind, run: R, fault: (typeof faults)[number], body: (run: R) => Promise<string>): Promise<void> {
  try {
    rows.push({ kind, run, fault: faultName(fault), outcome: await body(run) });
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
    rows.push({ kind, run, fault: faultName(fault), outcome: `**failed**: ${first.replace(/\|/g, '\\|')}` });
    throw error;
  }
}

/** Which run exercises each kind: a clone (with a data copy), a promote, the rollback of a clone, the rollback of a promote. */
const runOf: Partial<Record<MigrationStepKind, 'clone' | 'clone with data copy' | 'promote' | 'rollback of a clone' | 'rollback of a promote'>> = {
  'copy-data': 'clone with data copy',
  'transfer-image': 'clone',
  'create-volumes': 'clone',
  'create-container': 'clone',
  'wait-healthy': 'clone',
  'install-schedules': 'clone',
  'link-resources': 'clone',
  'record-resource': 'clone',
  'replace-container': 'promote',
  'retire-container': 'rollback of a clone',
  'remove-schedules': 'rollback of a clone',
  'restore-container': 'rollback of a promote',
};

/** The kinds only production runs have, and the run on prod that exercises each. */
const productionRunOf: Partial<Record<MigrationStepKind, ProductionRun>> = {
  'backup-database': 'promote into production',
  'restore-database': 'Restore this backup',
  'set-database-password': 'Rotate credentials',
  'route-domain': 'clone into production with a domain',
  'check-certificate': 'clone into production with a domain',
};
type ProductionRun = 'promote into production' | 'Restore this backup' | 'Rotate credentials' | 'clone into production with a domain';

/**
 * A kind not in the matrix (yet), with why; README's fault-matrix section names them. A new kind
 * must be placed in one of the tables or the first test fails.
 */
const notInMatrixYet: Partial<Record<MigrationStepKind, string>> = {};
const covered = registeredKinds.filter((kind) => runOf[kind]);
const productionCovered = registeredKinds.filter((kind) => productionRunOf[kind]);

describe('fault matrix', () => {
  it('covers every registered step kind (or says why not yet)', () => {
    expect([...Object.keys(runOf), ...Object.keys(productionRunOf), ...Object.keys(notInMatrixYet)].sort()).toEqual([...registeredKinds].sort());
  });

  for (const kind of covered) {
    for (const fault of faults) {
      it(`${kind} × ${faultName(fault)}`, () => matrixCase(kind, runOf[kind]!, fault, async (run) => {
        await resetUat();
        let migrationId: string;
        let before: Awaited<ReturnType<typeof uatState>>;
        let afterIfCompleted: ReturnType<typeof specState> | null = null;
        if (run === 'clone' || run === 'promote' || run === 'clone with data copy') {
          if (run === 'promote') await migrateClean();
          before = await uatState();
          // A kill lands after the step did its work (the journal still says running); a drop lands as it starts.
          pause(kind, fault === 'kill' ? 'after' : 'before');
          migrationId = await startClone(run === 'clone with data copy');
        } else {
          const s0 = specState(await uatState());
          const original = await migrateClean();
          const afterClone = specState(await uatState());
          const toRollBack = run === 'rollback of a promote' ? await migrateClean() : original;
          before = await uatState();
          // A completed rollback of a clone leaves uat as before the clone, but for the volumes and
          // networks (kept, so no data is lost); of a promote, as after the clone.
          afterIfCompleted = run === 'rollback of a clone' ? { ...s0, volumesAndNetworks: specState(before).volumesAndNetworks } : afterClone;
          pause(kind, fault === 'kill' ? 'after' : 'before');
          migrationId = await rollbackOf(toRollBack);
        }
        await landFault(migrationId, kind, fault);
        const detail = await settled(migrationId);
        const after = await uatState();
        const message = detail.migration.message ?? '';
        const undoRun = run.startsWith('rollback');
        let outcome: string;
        if (fault === 'kill' && undoRun) {
          // An undo run is completed from its journal: uat as a clean rollback leaves it.
          expect(detail.migration.status, message).toMatch(/^completed/);
          expect(message).toMatch(/completed the rollback\. Checked on/);
          expect(specState(after).names.every((name) => !name.includes('gantry-old'))).toBe(true);
          if (run === 'rollback of a clone') {
            expect(specState(after)).toEqual(afterIfCompleted);
          } else {
            expect(specState(after).hashes).toEqual(afterIfCompleted!.hashes);
          }
          outcome = `completed from the journal after restart; after-state verified (${detail.migration.status})`;
        } else {
          expect(after.docker).toBe(before.docker);
          expect(after.cron).toBe(before.cron);
          expect(after.hashes).toEqual(before.hashes);
          if (fault === 'kill') {
            expect(detail.migration.status, message).toBe('interrupted');
            expect(message).toMatch(/undid the \d+ step\(s\) it had journaled, and checked that uat/);
            outcome = 'undone after restart; before-state verified (interrupted)';
          } else {
            expect(detail.migration.status, message).toBe('failed');
            expect(message).toMatch(/was undone/);
            outcome = 'failed, undone once SSH was back; before-state verified (failed)';
          }
        }
        return outcome;
      }));
    }
  }
});

// ── Production: one project uat → production, set up once; each case is one run into prod ──────

const prodSh = (command: string) => labSh(lab, 'prod', command);
const uatSh = (command: string) => labSh(lab, 'uat', command);
const prod = { projectId: '', uat: '', production: '', serverId: '', db: '', web: '', site: '' };
let operators: ProductionOperators;
const PROD_OPTIONS = { waitForReady: false, healthTimeoutSec: 60, httpCheckPath: null };
/** uat's database password: unique per run. */
const UAT_PW = `fmp-pw-${Date.now().toString(36)}`;
/** The content of prod's database the promote cases back up, and a killed restore brings back. */
let backedUpContent = '';
/** Caddy routes the domain cases planned (removed at the end whatever happened). */
const routeIds: string[] = [];
let domainCount = 0;

const prodCleanup = [
  'docker rm -fv $(docker ps -aq --filter name=fmp-) >/dev/null 2>&1',
  'docker volume rm $(docker volume ls -q --filter name=fmp-) >/dev/null 2>&1',
  'docker network rm $(docker network ls -q --filter name=fmp-) >/dev/null 2>&1',
  'rm -rf /tmp/gantry-locks',
  'true',
].join('; ');

/** uat's database on its volume, with a revision label: a new revision is a change a promote carries to production. */
const uatDb = (rev: number) =>
  `docker rm -fv uat-fmp-db >/dev/null 2>&1; docker run -d --name uat-fmp-db --init --network fmp-uat -l fmp.rev=${rev} -e POSTGRES_USER=app -e POSTGRES_PASSWORD=${UAT_PW} -e POSTGRES_DB=app -v uat-fmp-db-data:/var/lib/postgresql/data --health-cmd 'pg_isready -U app -d app' --health-interval 2s --health-retries 30 gantry-lab/postgres:15 >/dev/null && for i in $(seq 1 60); do [ "$(docker inspect --format '{{.State.Health.Status}}' uat-fmp-db)" = healthy ] && exit 0; sleep 1; done; exit 1`;

/** prod's database as PostgreSQL itself sums it up: rows and an md5 over every row, in order. */
const databaseContent = () =>
  prodSh(`for i in $(seq 1 60); do docker exec production-fmp-db pg_isready -q -U app -d app && break; sleep 1; done; docker exec production-fmp-db psql -U app -d app -tA -c "SELECT count(*) || ' rows, md5 ' || md5(coalesce(string_agg(id || '=' || n, ',' ORDER BY id), '')) FROM items"`);

/** Production as a test compares it; the passwords are used on prod and never printed. */
async function productionState() {
  const password = `$(docker inspect --format '{{range .Config.Env}}{{println .}}{{end}}' production-fmp-db | sed -n 's/^POSTGRES_PASSWORD=//p')`;
  return {
    containers: await containersOf(prodSh, 'fmp-'),
    volumesAndNetworks: await prodSh("docker volume ls -q --filter name=fmp- | sort; echo --; docker network ls --filter name=fmp- --format '{{.Name}}' | sort"),
    database: await databaseContent(),
    // The password in the database container's env is the one PostgreSQL takes over TCP.
    acceptsItsPassword: await prodSh(`docker exec -e PGPASSWORD="${password}" production-fmp-db psql -h 127.0.0.1 -U app -d app -tA -c 'SELECT 1' 2>&1 || true`),
    webReachesDatabase: await prodSh(`docker exec production-fmp-web python3 -c "import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:8080/health').read().decode())" 2>&1 | grep -o '"db": "[a-z-]*"' || true`),
    caddyRoutes: await caddyRoutes(prodSh),
  };
}

/** alice requests the run of `planId`, bob's signed approval is written on prod, alice starts it. */
async function startApproved(planId: string): Promise<string> {
  const { requestId, serverId } = await engine.call('approvals:request', { planId, options: PROD_OPTIONS });
  await approveAs(operators.bob, requestId, prodSh);
  return (await engine.call('approvals:start', { serverId, requestId })).migrationId;
}

async function planIntoProduction(resourceIds: string[], domains?: Record<string, string>) {
  const planned = await engine.call('migrations:plan', { projectId: prod.projectId, sourceEnvId: prod.uat, targetEnvId: prod.production, resourceIds, ...(domains ? { domains } : {}) });
  expect(planned.plan.blocking, JSON.stringify(planned.plan.prechecks.filter((check) => check.severity === 'blocking'))).toBe(false);
  return planned;
}

async function discoverProduction(): Promise<void> {
  const { jobId } = await engine.call('inventory:discover', { projectId: prod.projectId });
  await waitFor('discovery', () => engine.call('jobs:list', {}), ({ jobs }) => jobs.some((job) => job.jobId === jobId && job.state !== 'running'), 60_000);
}

/** What each run does before its before-state is read, then the run itself (started, not awaited) and, per kind, the log line that proves the step acted before a kill. */
const productionRuns: Record<ProductionRun, { prepare: () => Promise<void>; start: () => Promise<{ migrationId: string; acted: Partial<Record<MigrationStepKind, RegExp>> }> }> = {
  'promote into production': {
    // uat's database at a new revision (once): the promote replaces prod's, so it is backed up first.
    prepare: async () => {
      if ((await uatSh("docker inspect --format '{{index .Config.Labels \"fmp.rev\"}}' uat-fmp-db")) === '1') return;
      await uatSh(uatDb(1));
      await discoverProduction();
    },
    start: async () => {
      const planned = await planIntoProduction([prod.db, prod.web]);
      expect(planned.plan.steps[0]?.kind).toBe('backup-database');
      return { migrationId: await startApproved(planned.planId), acted: { 'backup-database': /^Backup of db: \S+ \(\d+ bytes, SHA-256 [0-9a-f]{64}\); verified/ } };
    },
  },
  'Restore this backup': {
    // The data changes after the backup, so putting the backup back is a change.
    prepare: () => prodSh(`docker exec production-fmp-db psql -U app -d app -q -c 'INSERT INTO items (n) VALUES (7)'`).then(() => undefined),
    start: async () => {
      const { backups } = await engine.call('backups:list', { environmentId: prod.production, resourceId: prod.db });
      // The oldest: the promote cases' backup, of `backedUpContent` (those cases run first).
      const backup = backups.at(-1);
      if (!backup) throw new Error('prod has no backup of db: the restore cases need the promote cases before them');
      const { migrationId } = await engine.call('backups:restore', { environmentId: prod.production, resourceId: prod.db, backupId: backup.id, options: { waitForReady: false, healthTimeoutSec: 60 } });
      return { migrationId, acted: { 'restore-database': new RegExp(`^production-fmp-db holds the content of ${backup.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} again`) } };
    },
  },
  'Rotate credentials': {
    // The role's password is the one in the container's env (a failed case before may have left another): each case starts from a working prod.
    prepare: () =>
      prodSh(`pw=$(docker inspect --format '{{range .Config.Env}}{{println .}}{{end}}' production-fmp-db | sed -n 's/^POSTGRES_PASSWORD=//p'); printf "ALTER ROLE app PASSWORD '%s';\\n" "$pw" | docker exec -i production-fmp-db psql -X -q -v ON_ERROR_STOP=1 -U app -d app`).then(() => undefined),
    start: async () => {
      const { migrationId } = await engine.call('credentials:rotate', { environmentId: prod.production, resourceId: prod.db });
      return { migrationId, acted: { 'set-database-password': /^production-fmp-db: the database now takes the new POSTGRES_PASSWORD/ } };
    },
  },
  'clone into production with a domain': {
    prepare: async () => undefined,
    start: async () => {
      const domain = `fmsite-${process.pid}-${++domainCount}.${lab.domains.servers.prod}`;
      const planned = await planIntoProduction([prod.site], { [prod.site]: domain });
      routeIds.push(planned.plan.resources[0]!.domain!.routeId!);
      expect(planned.plan.steps.map((step) => step.kind)).toEqual(expect.arrayContaining(['create-container', 'route-domain', 'check-certificate']));
      const escaped = domain.replace(/\./g, '\\.');
      return {
        migrationId: await startApproved(planned.planId),
        acted: { 'route-domain': new RegExp(`routes ${escaped} to 127\\.0\\.0\\.1:`), 'check-certificate': new RegExp(`^certificate for ${escaped} issued by Pebble`) },
      };
    },
  },
};

describe('fault matrix: production runs', () => {
  beforeAll(async () => {
    pause(null);
    await uatSh(prodCleanup);
    await prodSh(prodCleanup);
    const serverIds: Record<string, string> = {};
    for (const server of ['uat', 'prod'] as const) {
      const { server: saved } = await engine.call('servers:save', {
        server: { name: `fmp-${server}`, host: lab.servers[server].host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
        pin: { fingerprint: lab.servers[server].hostKey.fingerprint, algorithm: lab.servers[server].hostKey.publicKey.split(' ')[0]! },
      });
      serverIds[server] = saved.id;
    }
    prod.serverId = serverIds.prod!;
    operators = await setUpProductionPolicy(engine, prod.serverId, prodSh);
    await uatSh('docker network create fmp-uat >/dev/null');
    await uatSh(uatDb(0));
    await uatSh(`docker run -d --name uat-fmp-web --init --network fmp-uat -e DATABASE_URL=postgres://app:${UAT_PW}@uat-fmp-db:5432/app gantry-lab/webapp:2 >/dev/null`);
    await uatSh('docker run -d --name uat-fmp-site --init -p 18396:8080 gantry-lab/webapp:1 >/dev/null');
    const { project } = await engine.call('projects:create', { name: 'fmp', environments: [{ name: 'uat' }, { name: 'production', production: true }] });
    prod.projectId = project.id;
    const chain = (await engine.call('inventory:graph', { projectId: project.id })).environments;
    prod.uat = chain[0]!.id;
    prod.production = chain[1]!.id;
    await engine.call('environments:bind', { environmentId: prod.uat, serverId: serverIds.uat! });
    await engine.call('environments:bind', { environmentId: prod.production, serverId: prod.serverId, domain: lab.domains.servers.prod });
    prod.db = (await engine.call('resources:adopt', { environmentId: prod.uat, container: 'uat-fmp-db', resource: { name: 'db', kind: 'database', databaseType: 'postgresql' } })).resource.id;
    prod.web = (await engine.call('resources:adopt', { environmentId: prod.uat, container: 'uat-fmp-web', resource: { name: 'web', kind: 'application', links: [prod.db] } })).resource.id;
    prod.site = (await engine.call('resources:adopt', { environmentId: prod.uat, container: 'uat-fmp-site', resource: { name: 'site', kind: 'application' } })).resource.id;
    await prodSh(`rm -rf $HOME/.gantry/backups/${prod.db}`);
    // The first clone of app + database into production (no fault), and rows in prod's database.
    const planned = await planIntoProduction([prod.db, prod.web]);
    const detail = await settled(await startApproved(planned.planId));
    expect(detail.migration.status, detail.migration.message ?? '').toMatch(/^completed/);
    await prodSh('for i in $(seq 1 60); do docker exec production-fmp-db pg_isready -q -U app -d app && break; sleep 1; done');
    await prodSh(`docker exec production-fmp-db psql -U app -d app -q -c 'CREATE TABLE items (id serial PRIMARY KEY, n int NOT NULL)' -c 'INSERT INTO items (n) SELECT g FROM generate_series(1, 500) g'`);
    backedUpContent = await databaseContent();
    expect(backedUpContent).toMatch(/^500 rows, md5 [0-9a-f]{32}$/);
  });

  afterAll(async () => {
    await labFault('prod', 'sshd-start').catch(() => undefined);
    for (const id of routeIds) await prodSh(`curl -sS -m 10 -X DELETE http://localhost:2019/id/${id} >/dev/null 2>&1; true`).catch(() => undefined);
    if (prod.db) await prodSh(`rm -rf $HOME/.gantry/backups/${prod.db}`).catch(() => undefined);
    await prodSh(`${prodCleanup}; rm -rf /var/lib/gantry/approvals`).catch(() => undefined);
    await uatSh(prodCleanup).catch(() => undefined);
  });

  for (const kind of productionCovered) {
    for (const fault of faults) {
      it(`${kind} × ${faultName(fault)} (production)`, () => matrixCase(kind, productionRunOf[kind]!, fault, async (run) => {
        pause(null);
        await productionRuns[run].prepare();
        const before = await productionState();
        const uatBefore = await containersOf(uatSh, 'fmp-');
        expect(before.acceptsItsPassword).toBe('1');
        // A kill lands after the step did its work (the journal still says running); a drop lands as it starts.
        pause(kind, fault === 'kill' ? 'after' : 'before');
        const { migrationId, acted } = await productionRuns[run].start();
        await landFault(migrationId, kind, fault, 'prod');
        const detail = await settled(migrationId);
        const after = await productionState();
        const message = detail.migration.message ?? '';
        // On a failure: the run's message and its last log lines.
        const story = `${detail.migration.status}: ${message}\nsteps: ${detail.steps.map((step) => `${step.title} (${step.status})`).join(', ')}\n${detail.log.slice(-12).map((line) => line.message).join('\n')}`;
        expect(await containersOf(uatSh, 'fmp-'), 'uat (the source) untouched').toEqual(uatBefore);
        let outcome: string;
        if (fault === 'kill') {
          expect(detail.log.some((line) => acted[kind]!.test(line.message)), `the ${kind} step acted before the kill: ${story}`).toBe(true);
        }
        if (fault === 'kill' && run === 'Restore this backup') {
          // A restore is itself an undo: completed from its journal, prod holding the backup's content.
          expect(after, story).toEqual({ ...before, database: backedUpContent });
          expect(before.database).not.toBe(backedUpContent);
          expect(detail.migration.status, story).toMatch(/^completed/);
          expect(message).toMatch(/completed the restore\. Checked on/);
          outcome = `completed from the journal after restart; the backup's content verified, containers as before (${detail.migration.status})`;
        } else if (fault === 'kill') {
          // A rotation too is undone (its new password was never journaled): the old password back.
          expect(after, story).toEqual(before);
          expect(detail.migration.status, story).toBe('interrupted');
          expect(message).toMatch(/undid the \d+ step\(s\) it had journaled, and checked that production/);
          outcome = 'undone after restart; before-state verified (interrupted)';
        } else {
          expect(after, story).toEqual(before);
          expect(detail.migration.status, story).toBe('failed');
          expect(message).toMatch(/was undone/);
          outcome = 'failed, undone once SSH was back; before-state verified (failed)';
        }
        return outcome;
      }));
    }
  }
});

/** Writes the matrix this run produced into README.md, between its markers. */
function writeMatrix(): void {
  // Only a complete run writes it (a run filtered with -t leaves README alone); a failed case is a row that says so.
  if (rows.length !== (covered.length + productionCovered.length) * faults.length) return;
  const passed = rows.filter((row) => !row.outcome.startsWith('**failed**')).length;
  const start = '<!-- fault-matrix:start -->';
  const end = '<!-- fault-matrix:end -->';
  const readme = readFileSync(README, 'utf8');
  if (!readme.includes(start) || !readme.includes(end)) return;
  const table = [
    start,
    `Produced by \`electron/migrations/fault-matrix.int.test.ts\` (run of ${new Date().toISOString().slice(0, 10)}: ${passed === rows.length ? `all ${rows.length} cases passed` : `${passed} of ${rows.length} cases passed; each failed row says what failed`}; only a complete run rewrites this table).`,
    '',
    '| step kind | run | fault | outcome |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| \`${row.kind}\` | ${row.run} | ${row.fault} | ${row.outcome} |`),
    end,
  ].join('\n');
  writeFileSync(README, readme.slice(0, readme.indexOf(start)) + table + readme.slice(readme.indexOf(end) + end.length));
}
