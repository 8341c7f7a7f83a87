/**
 * The fault matrix: for every registered step kind, a real engine process (browser mode, the
 * built app) is SIGKILLed while a step of that kind runs, and — separately — the SSH connection to
 * the target is dropped while it runs (every session killed, new ones refused for a few seconds).
 * Each case ends with uat exactly at its before-state (a migration undone) or, for a killed undo
 * run (rollback, restore), at its after-state (the run completed from its journal): the same spec
 * hashes (Gantry's own, read by discovery), no leftover containers, volumes, networks or crontab
 * lines, and a journal message that says what was checked. The steps are held at the fault point
 * by the test-only pause file (fault-pause.ts). Writes the matrix into README.md from the run.
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

const lab = inject('lab');
const dataDir = mkdtempSync(join(tmpdir(), 'gantry-fault-matrix-'));
const pauseFile = join(dataDir, 'pause.json');
const README = join(import.meta.dirname, '..', '..', 'README.md');

let engine: EngineProcess;
let projectId = '';
const env: Record<string, string> = {};
const ids: Record<string, string> = {};
const rows: { kind: MigrationStepKind; run: string; fault: string; outcome: string }[] = [];

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
  return (await engine.call('migrations:start', { planId: planned.planId, options: { waitForReady: false, healthTimeoutSec: 30, httpCheckPath: null, ...(copyData ? { copyData: [ids.db!] } : {}) } })).migrationId;
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

/** Lands the fault once a step of `kind` is paused in `migrationId`. */
async function landFault(migrationId: string, kind: MigrationStepKind, fault: 'kill' | 'ssh-drop'): Promise<void> {
  await waitFor(`the pause in ${kind}`, () => detailOf(migrationId), (detail) => detail.log.some((line) => line.message.startsWith(`[fault-matrix] paused`) && line.message.includes(` ${kind} `)));
  if (fault === 'kill') {
    engine.kill();
    pause(null);
    await sleep(500);
    engine = await startEngineProcess(dataDir, { GANTRY_FAULT_PAUSE_FILE: pauseFile });
  } else {
    await labFault('uat', 'ssh-drop');
    pause(null);
    // The connection is gone and uat refuses new ones for longer than the connection's own
    // reconnect attempts (about 7.5 s): the step fails; its undo retries until SSH is back.
    await sleep(12_000);
    await labFault('uat', 'sshd-start');
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
  engine?.kill();
  await sh('dev', cleanup).catch(() => undefined);
  await sh('uat', cleanup).catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
  writeMatrix();
});

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

/**
 * Kinds whose runs need production (its proxy, its backups, its credentials) are not in the matrix
 * yet, each with why; README's fault-matrix section names them. A new kind must be placed in one
 * of the two tables or the first test fails.
 */
const notInMatrixYet: Partial<Record<MigrationStepKind, string>> = {
  'backup-database': 'runs only into production (a promote of a database there)',
  'restore-database': 'runs only in "Restore this backup" on production',
  'set-database-password': 'runs only in a production credential rotation',
  'route-domain': 'runs only into production with a domain (Caddy on prod)',
  'check-certificate': 'runs only into production with a domain (Caddy + Pebble on prod)',
};
const covered = registeredKinds.filter((kind) => runOf[kind]);

describe('fault matrix', () => {
  it('covers every registered step kind (or says why not yet)', () => {
    expect([...Object.keys(runOf), ...Object.keys(notInMatrixYet)].sort()).toEqual([...registeredKinds].sort());
  });

  for (const kind of covered) {
    for (const fault of ['kill', 'ssh-drop'] as const) {
      it(`${kind} × ${fault === 'kill' ? 'engine SIGKILL' : 'SSH connection dropped'}`, async () => {
        const run = runOf[kind]!;
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
        rows.push({ kind, run, fault: fault === 'kill' ? 'engine SIGKILL' : 'SSH connection dropped', outcome });
      });
    }
  }
});

/** Writes the matrix this run produced into README.md, between its markers. */
function writeMatrix(): void {
  // Only a complete run writes it (a run filtered with -t, or with a failure, leaves README alone).
  if (rows.length !== covered.length * 2) return;
  const start = '<!-- fault-matrix:start -->';
  const end = '<!-- fault-matrix:end -->';
  const readme = readFileSync(README, 'utf8');
  if (!readme.includes(start) || !readme.includes(end)) return;
  const table = [
    start,
    `Produced by \`electron/migrations/fault-matrix.int.test.ts\` (run of ${new Date().toISOString().slice(0, 10)}: all ${rows.length} cases passed; only a complete, passing run rewrites this table).`,
    '',
    '| step kind | run | fault | outcome |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| \`${row.kind}\` | ${row.run} | ${row.fault} | ${row.outcome} |`),
    end,
  ].join('\n');
  writeFileSync(README, readme.slice(0, readme.indexOf(start)) + table + readme.slice(readme.indexOf(end) + end.length));
}
