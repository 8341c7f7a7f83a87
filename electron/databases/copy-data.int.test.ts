/**
 * Test-data copy against the lab, through the IPC channels the UI uses: a seeded PostgreSQL
 * (200k rows) on dev is cloned to uat with "Copy data" ticked; the copy's checksums are computed
 * on both servers independently; uat's web app reads the copied rows through its own
 * DATABASE_URL. Then the standalone "Copy data" action (with its destructive confirmation),
 * cancelled mid-copy, and with uat's network cut mid-copy: each time uat's checksum equals its
 * value before. dev reaches uat's sshd, so the dump goes straight from server to server with a
 * one-time key, and no key, folder or agent is left on either server after a copy, a cancel or
 * the cut. A copy into production is refused by the engine whatever the request says. The
 * database has no Docker health check, so the health gate waits for its readiness query.
 * Run inside a real keychain: flock /tmp/gantry-labtest.lock bash .ci/with-keyring.sh npx vitest run --project integration electron/databases/copy-data
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RequestChannel, RequestOf, ResponseOf } from '@shared/ipc/contract';
import type { ErrorValue } from '@shared/ipc/result';
import { createApp, type GantryApp } from '../app/create-app';
import { createOsKeychain } from '../keychain/secret-store';
import { labFault } from '../../lab/lab-client';
import type { DatabaseType } from '@shared/spec/resource-spec';
import { compareChecksums, type DatabaseChecksum } from './checksum';
import { transferLeftoversAfter } from '../transfer/testing/leftovers';
import { liveDatabaseTarget } from './copy-stream';
import { shellQuote } from './container-shell';
import { adapterFor } from './registry';

const lab = inject('lab');
const dataDir = mkdtempSync(join(tmpdir(), 'gantry-copy-int-'));
const secretStore = createOsKeychain('Gantry-test-copy-data');
let app: GantryApp;
const serverIds: Record<string, string> = {};
const env: Record<string, string> = {};
const resources: Record<string, string> = {};
let projectId = '';
const postgres = adapterFor('postgresql');
const dbSpec = { image: { ref: 'gantry-lab/postgres:15', id: null, digest: null }, env: { POSTGRES_USER: 'app', POSTGRES_PASSWORD: 'x', POSTGRES_DB: 'app' }, labels: {}, command: null, entrypoint: null };
const cleanup = `docker rm -fv $(docker ps -aq --filter name=cdit) >/dev/null 2>&1; docker volume rm $(docker volume ls -q --filter name=cdit) >/dev/null 2>&1; docker network rm $(docker network ls -q --filter name=cdit) >/dev/null 2>&1; rm -rf "$HOME/.gantry/backups"/*/*-cdit* 2>/dev/null; true`;

async function call<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  const result = await app.router.dispatch(channel, request, { bridge: 'browser' });
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as ResponseOf<C>;
}

async function callError<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ErrorValue> {
  const result = await app.router.dispatch(channel, request, { bridge: 'browser' });
  if (result.ok) throw new Error(`${channel} was expected to fail`);
  return result.error;
}

async function sh(server: 'dev' | 'uat' | 'prod', command: string): Promise<string> {
  const result = await app.servers.connections.get(serverIds[server]!).exec(command);
  if (result.code !== 0) throw new Error(`${server}: ${command.slice(0, 200)} failed: ${result.stderr}`);
  return result.stdout.trim();
}

async function psql(server: 'dev' | 'uat', container: string, sql: string): Promise<string> {
  return sh(server, `docker exec ${container} psql -U app -d app -At -v ON_ERROR_STOP=1 -c "${sql}"`);
}

/** The content checksum of a server's database container, computed on that server. */
async function checksum(server: 'dev' | 'uat', container: string): Promise<DatabaseChecksum> {
  return postgres.parseChecksum(await sh(server, postgres.commands({ container, spec: dbSpec }).checksum));
}

async function waitReady(server: 'dev' | 'uat', container: string): Promise<void> {
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    const result = await app.servers.connections.get(serverIds[server]!).exec(postgres.commands({ container, spec: dbSpec }).readiness);
    if (result.code === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${container} on ${server} never answered`);
}

/** What a server-to-server copy dev → uat left behind, given up to `ms` to go (empty: nothing). */
function leftovers(ms: number): Promise<string[]> {
  return transferLeftoversAfter(app.servers.connections.get(serverIds.dev!), app.servers.connections.get(serverIds.uat!), ms);
}

/** The percentages and messages of a job's progress, as the UI receives them on job:event. */
function collectProgress(jobIdOf: () => string | null, into: { percent: number; message: string }[]): () => void {
  return app.events.subscribe((event, payload) => {
    const update = payload as { type?: string; jobId?: string; percent?: number; message?: string };
    if (event === 'job:event' && update.type === 'progress' && update.jobId === jobIdOf()) into.push({ percent: update.percent ?? 0, message: update.message ?? '' });
  }) as () => void;
}

async function copyResult(migrationId: string): Promise<Record<string, number>> {
  const row = app.migrations.journal.steps(migrationId).find((step) => step.stepId.startsWith('copy-data:'));
  return JSON.parse(row?.resultJson ?? '{}') as Record<string, number>;
}

/** Plans the standalone copy of dev's db into uat and returns what the operator confirms. */
async function planCopy() {
  const planned = await call('migrations:plan', { projectId, sourceEnvId: env.dev!, targetEnvId: env.uat!, resourceIds: [resources.db!] });
  const estimate = await call('data:estimate', { planId: planned.planId, resourceId: resources.db! });
  return { planId: planned.planId, estimate };
}

/** Starts a standalone copy and calls `during` once bytes flow; returns the finished migration. */
async function copyWith(during: (migrationId: string) => Promise<void>) {
  const { planId, estimate } = await planCopy();
  let jobId: string | null = null;
  const progress: { percent: number; message: string }[] = [];
  const stop = collectProgress(() => jobId, progress);
  try {
    const started = await call('data:copy', { planId, resourceId: resources.db!, confirmation: estimate.confirmation });
    jobId = started.jobId;
    const until = Date.now() + 120_000;
    while (!progress.some((entry) => /^Copied [1-9]/.test(entry.message)) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(progress.some((entry) => /^Copied [1-9]/.test(entry.message)), 'bytes flowed').toBe(true);
    await during(started.migrationId);
    await app.jobs.finished(started.jobId).catch(() => undefined);
    return call('migrations:get', { migrationId: started.migrationId });
  } finally {
    stop();
  }
}

beforeAll(async () => {
  app = createApp({ dataDir, version: 'test', secretStore });
  for (const name of ['dev', 'uat', 'prod'] as const) {
    const server = lab.servers[name];
    const { server: saved } = await call('servers:save', {
      server: { name: `cd-${name}`, host: server.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
      pin: { fingerprint: server.hostKey.fingerprint, algorithm: server.hostKey.publicKey.split(' ')[0]! },
    });
    serverIds[name] = saved.id;
    await sh(name, cleanup);
  }
  await sh('dev', 'docker network create cdit-dev >/dev/null');
  await sh('dev', `docker run -d --name dev-cdit-db --init --network cdit-dev -e POSTGRES_USER=app -e POSTGRES_PASSWORD=cd-dev-pw -e POSTGRES_DB=app -v dev-cdit-db-data:/var/lib/postgresql/data gantry-lab/postgres:15 >/dev/null`);
  await waitReady('dev', 'dev-cdit-db');
  await psql('dev', 'dev-cdit-db', "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, note text); INSERT INTO items SELECT g, 'item ' || g, g * 1.5, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 200000) g; CREATE TABLE customers (id int PRIMARY KEY, email text); INSERT INTO customers SELECT g, 'c' || g || '@example.test' FROM generate_series(1, 5000) g;");
  await sh('dev', `docker run -d --name dev-cdit-web --init --network cdit-dev -e DATABASE_URL=postgres://app:cd-dev-pw@dev-cdit-db:5432/app gantry-lab/webapp:1 >/dev/null`);

  const { project } = await call('projects:create', { name: 'Data copy test', environments: [{ name: 'dev' }, { name: 'uat' }, { name: 'production', production: true }] });
  projectId = project.id;
  const chain = (await call('inventory:graph', { projectId })).environments;
  for (const [environment, server] of chain.map((e, i) => [e, (['dev', 'uat', 'prod'] as const)[i]!] as const)) {
    await call('environments:bind', { environmentId: environment.id, serverId: serverIds[server]! });
    env[environment.name] = environment.id;
  }
  resources.db = (await call('resources:adopt', { environmentId: env.dev!, container: 'dev-cdit-db', resource: { name: 'db', kind: 'database', databaseType: 'postgresql' } })).resource.id;
  resources.web = (await call('resources:adopt', { environmentId: env.dev!, container: 'dev-cdit-web', resource: { name: 'web', kind: 'application', links: [resources.db] } })).resource.id;
}, 240_000);

afterAll(async () => {
  await labFault('uat', 'net-restore').catch(() => undefined);
  for (const name of Object.keys(serverIds) as ('dev' | 'uat' | 'prod')[]) await sh(name, cleanup).catch(() => undefined);
  secretStore.delete('inventory:spec-fingerprint-key');
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('copy test data', () => {
  it('clones db and web to uat with "Copy data": equal checksums on both servers, uat web reads the rows, estimate within 2x, progress rises', async () => {
    const planned = await call('migrations:plan', { projectId, sourceEnvId: env.dev!, targetEnvId: env.uat!, resourceIds: [resources.db!, resources.web!] });
    expect(planned.plan.blocking, JSON.stringify(planned.plan.prechecks)).toBe(false);
    const estimate = await call('data:estimate', { planId: planned.planId, resourceId: resources.db! });
    expect(estimate.confirmation).toBe(`ALL data in uat's db on cd-uat (root@${lab.servers.uat.host}:22) will be replaced`);
    expect(estimate.engineLabel).toBe('PostgreSQL');

    let jobId: string | null = null;
    const progress: { percent: number; message: string }[] = [];
    const stop = collectProgress(() => jobId, progress);
    const started = await call('migrations:start', { planId: planned.planId, options: { waitForReady: true, healthTimeoutSec: 120, copyData: [resources.db!] } });
    jobId = started.jobId;
    await app.jobs.finished(started.jobId);
    stop();
    const detail = await call('migrations:get', { migrationId: started.migrationId });
    expect(detail.migration.status, detail.migration.message ?? '').toMatch(/^completed/);
    // The database has no Docker health check: the gate waited for PostgreSQL to answer a query, not for "keeps running".
    expect(detail.log.map((entry) => entry.message)).toContainEqual(expect.stringMatching(/^(\[db\] )?uat-cdit-db is ready \(database query, /));
    // The step's log says which way the dump went, and why.
    expect(detail.log.map((entry) => entry.message)).toContainEqual(expect.stringMatching(/^(\[db\] )?Straight from cd-dev .* to cd-uat .*, with a one-time key: cd-dev .* reaches its sshd$/));
    expect(detail.log.map((entry) => entry.message)).toContainEqual(expect.stringMatching(/^(\[\w+\] )?Streamed .* of dump \(straight from cd-dev/));
    expect(await leftovers(15_000)).toEqual([]);

    const [dev, uat] = [await checksum('dev', 'dev-cdit-db'), await checksum('uat', 'uat-cdit-db')];
    expect(compareChecksums(dev, uat).differences).toEqual([]);
    expect(uat.entries.find((entry) => entry.name === 'public.items')?.count).toBe(200000);
    // uat's web app, through its own (rewired) DATABASE_URL and its own driver, reads the copied rows.
    const read = await sh('uat', `docker exec uat-cdit-web python3 -c "import os, psycopg2; c = psycopg2.connect(os.environ['DATABASE_URL']).cursor(); c.execute('SELECT count(*), max(name) FROM items'); print(c.fetchone())"`);
    expect(read).toBe("(200000, 'item 99999')");

    const result = await copyResult(started.migrationId);
    console.log(`copy: estimate ${result.estimateBytes} B, dump ${result.dumpBytes} B, sent ${result.sentBytes} B, ${result.ms} ms`);
    expect(result.estimateBytes).toBeGreaterThan(result.dumpBytes! / 2);
    expect(result.estimateBytes).toBeLessThan(result.dumpBytes! * 2);
    const copiedUpdates = progress.filter((entry) => entry.message.startsWith('Copied '));
    const copied = copiedUpdates.map((entry) => entry.percent);
    // Straight from server to server the byte count is dd's, once a second: a 2-second stream shows a few updates.
    // The bar holds at the step's end once the dump outgrows its estimate (which may be half the dump), so the
    // percentages rise or hold, never fall, and end above where they stood before the copy began.
    expect(copiedUpdates.length, JSON.stringify(progress)).toBeGreaterThanOrEqual(2);
    expect([...copied].sort((a, b) => a - b)).toEqual(copied);
    const beforeCopy = progress.find((entry) => entry.message.includes('data on') && entry.message.includes('first'));
    expect(beforeCopy, JSON.stringify(progress)).toBeDefined();
    expect(copied.at(-1)!).toBeGreaterThan(beforeCopy!.percent);
    // The saved copy of uat's previous data is gone once the run completed.
    expect(await sh('uat', `ls "$HOME/.gantry/backups/${resources.db}" 2>/dev/null | grep -c ${started.migrationId.slice(0, 8)} || true`)).toBe('0');
  }, 300_000);

  it('the standalone "Copy data" needs its confirmation, then replaces uat data with dev data', async () => {
    await psql('dev', 'dev-cdit-db', "UPDATE items SET name = 'changed on dev' WHERE id = 4242");
    await psql('uat', 'uat-cdit-db', 'CREATE TABLE uat_only (x int); INSERT INTO uat_only VALUES (1);');
    const { planId, estimate } = await planCopy();
    const refused = await callError('data:copy', { planId, resourceId: resources.db!, confirmation: 'yes' });
    expect(refused.code).toBe('confirmation_required');
    expect(refused.message).toContain(estimate.confirmation);
    const started = await call('data:copy', { planId, resourceId: resources.db!, confirmation: estimate.confirmation });
    await app.jobs.finished(started.jobId);
    const detail = await call('migrations:get', { migrationId: started.migrationId });
    expect(detail.migration.status, detail.migration.message ?? '').toBe('completed');
    expect(compareChecksums(await checksum('dev', 'dev-cdit-db'), await checksum('uat', 'uat-cdit-db')).equal).toBe(true);
    expect(await psql('uat', 'uat-cdit-db', 'SELECT name FROM items WHERE id = 4242')).toBe('changed on dev');
    expect(await psql('uat', 'uat-cdit-db', "SELECT count(*) FROM pg_tables WHERE tablename = 'uat_only'")).toBe('0');
  }, 300_000);

  it('cancelled mid-copy: uat holds exactly its data from before', async () => {
    await psql('uat', 'uat-cdit-db', "CREATE TABLE IF NOT EXISTS uat_only (x int); INSERT INTO uat_only VALUES (7); UPDATE items SET name = 'uat edit' WHERE id = 1;");
    const before = await checksum('uat', 'uat-cdit-db');
    const detail = await copyWith(async (migrationId) => void (await call('migrations:cancel', { migrationId })));
    expect(detail.migration.status).toBe('cancelled');
    expect(compareChecksums(before, await checksum('uat', 'uat-cdit-db')).differences).toEqual([]);
    expect(detail.log.map((entry) => entry.message)).toContainEqual(expect.stringMatching(/^(\[db\] )?Straight from cd-dev/));
    expect(await leftovers(20_000)).toEqual([]);
  }, 300_000);

  it("uat's network cut mid-copy: the copy fails and, once uat is back, its data is as before", async () => {
    const before = await checksum('uat', 'uat-cdit-db');
    const detail = await copyWith(async (migrationId) => {
      await labFault('uat', 'net-cut');
      // Long enough for the SSH keepalive to declare uat gone: the copy fails and its undo starts retrying.
      const until = Date.now() + 120_000;
      for (;;) {
        const { log } = await call('migrations:get', { migrationId });
        if (log.some((entry) => entry.level !== 'info') || Date.now() > until) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      await labFault('uat', 'net-restore');
    });
    expect(detail.migration.status, detail.migration.message ?? '').toBe('failed');
    expect(detail.migration.message).toContain('was undone');
    await waitReady('uat', 'uat-cdit-db');
    expect(compareChecksums(before, await checksum('uat', 'uat-cdit-db')).differences).toEqual([]);
    expect(detail.log.map((entry) => entry.message)).toContainEqual(expect.stringMatching(/^(\[db\] )?Straight from cd-dev/));
    expect(await leftovers(45_000)).toEqual([]);
  }, 400_000);

  it('a copy into production is refused by the engine, whatever the request says', async () => {
    const planned = await call('migrations:plan', { projectId, sourceEnvId: env.uat!, targetEnvId: env.production!, resourceIds: [resources.db!] });
    const rule = /Test data is never copied into production: production is a production environment/;
    const started = await callError('migrations:start', { planId: planned.planId, options: { waitForReady: true, healthTimeoutSec: 60, copyData: [resources.db!] } });
    expect(started.code).toBe('forbidden');
    expect(started.message).toMatch(rule);
    const estimated = await callError('data:estimate', { planId: planned.planId, resourceId: resources.db! });
    expect(estimated.message).toMatch(rule);
    const copied = await callError('data:copy', { planId: planned.planId, resourceId: resources.db!, confirmation: "ALL data in production's db on cd-prod will be replaced" });
    expect(copied.message).toMatch(rule);
    expect(await sh('prod', 'docker ps -aq --filter name=cdit | wc -l')).toBe('0');
  }, 120_000);
});

/** The other live engines, each cloned dev → uat with "Copy data" and read back on uat by its own client. */
interface LiveEngine {
  type: DatabaseType;
  name: string;
  run: string;
  seed: string;
  /** Prints what uat's copy holds, read by a client (from uat's web app where its driver speaks the engine). */
  read: string;
  expected: string;
}

const liveEngines: LiveEngine[] = [
  {
    type: 'mysql',
    name: 'my',
    run: '-e MYSQL_ROOT_PASSWORD=cd-my-root -e MYSQL_DATABASE=app -e MYSQL_USER=app -e MYSQL_PASSWORD=cd-my-app gantry-lab/mariadb:10.11',
    seed: `MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mariadb -uroot app -e "SET max_recursive_iterations = 1000000; CREATE TABLE items (id INT PRIMARY KEY, note VARCHAR(64)); INSERT INTO items WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 20000) SELECT n, MD5(n) FROM s;"`,
    read: `docker exec uat-cdit-web python3 -c "import pymysql; c = pymysql.connect(host='uat-cdit-my', user='app', password='cd-my-app', database='app').cursor(); c.execute('SELECT count(*) FROM items'); print(c.fetchone()[0])"`,
    expected: '20000',
  },
  {
    type: 'mariadb',
    name: 'ma',
    run: '-e MARIADB_ROOT_PASSWORD=cd-ma-root -e MARIADB_DATABASE=shop gantry-lab/mariadb:10.11',
    seed: `MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb -uroot shop -e "SET max_recursive_iterations = 1000000; CREATE TABLE orders (id INT PRIMARY KEY, total DOUBLE); INSERT INTO orders WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 15000) SELECT n, n / 3 FROM s;"`,
    read: `docker exec uat-cdit-web python3 -c "import pymysql; c = pymysql.connect(host='uat-cdit-ma', user='root', password='cd-ma-root', database='shop').cursor(); c.execute('SELECT count(*) FROM orders'); print(c.fetchone()[0])"`,
    expected: '15000',
  },
  {
    type: 'redis',
    name: 'rd',
    run: 'gantry-lab/redis:7 redis-server --requirepass cd-rd-pw',
    seed: `export REDISCLI_AUTH=cd-rd-pw; redis-cli EVAL "for i = 1, 12000 do redis.call('SET', 'k:' .. i, 'value ' .. i) end" 0 >/dev/null`,
    read: `docker exec uat-cdit-web python3 -c "import socket; s = socket.create_connection(('uat-cdit-rd', 6379)); s.sendall(b'AUTH cd-rd-pw\\r\\nDBSIZE\\r\\n'); import time; time.sleep(0.5); print(s.recv(100).decode().split()[-1].lstrip(':'))"`,
    expected: '12000',
  },
  {
    type: 'clickhouse',
    name: 'ch',
    run: 'gantry-lab/clickhouse:18',
    seed: `clickhouse-client -q "CREATE TABLE events (id UInt64, name String) ENGINE = MergeTree ORDER BY id" && clickhouse-client -q "INSERT INTO events SELECT number, concat('event ', toString(number)) FROM system.numbers LIMIT 100000"`,
    // The web app has no ClickHouse driver: uat's own client reads the copy.
    read: `docker exec uat-cdit-ch clickhouse-client -q "SELECT count() FROM events"`,
    expected: '100000',
  },
];

async function engineChecksum(server: 'dev' | 'uat', type: DatabaseType, container: string): Promise<DatabaseChecksum> {
  const adapter = adapterFor(type);
  const target = await liveDatabaseTarget(app.servers.connections.get(serverIds[server]!), container);
  return adapter.parseChecksum(await sh(server, adapter.commands(target).checksum));
}

describe.each(liveEngines)('copy test data: $type', (engine) => {
  it('is cloned dev → uat with "Copy data": equal checksums on both servers, and a client on uat reads the copy', async () => {
    const container = `dev-cdit-${engine.name}`;
    await sh('dev', `docker run -d --name ${container} --init --network cdit-dev ${engine.run} >/dev/null`);
    const adapter = adapterFor(engine.type);
    const readiness = adapter.commands(await liveDatabaseTarget(app.servers.connections.get(serverIds.dev!), container)).readiness;
    const until = Date.now() + 90_000;
    while ((await app.servers.connections.get(serverIds.dev!).exec(readiness)).code !== 0) {
      if (Date.now() > until) throw new Error(`${container} never answered`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await sh('dev', `docker exec ${container} sh -c ${shellQuote(engine.seed)}`);
    const { resource } = await call('resources:adopt', { environmentId: env.dev!, container, resource: { name: engine.name, kind: 'database', databaseType: engine.type } });
    const planned = await call('migrations:plan', { projectId, sourceEnvId: env.dev!, targetEnvId: env.uat!, resourceIds: [resource.id] });
    expect(planned.plan.blocking, JSON.stringify(planned.plan.prechecks)).toBe(false);
    const started = await call('migrations:start', { planId: planned.planId, options: { waitForReady: true, healthTimeoutSec: 120, copyData: [resource.id] } });
    await app.jobs.finished(started.jobId);
    const detail = await call('migrations:get', { migrationId: started.migrationId });
    expect(detail.migration.status, detail.migration.message ?? '').toMatch(/^completed/);
    expect(detail.log.map((entry) => entry.message)).toContainEqual(expect.stringMatching(/^(\[\w+\] )?Checksums equal on both servers/));
    // Its restore command, double quotes and all, ran as the one-time key's forced command on uat.
    expect(detail.log.map((entry) => entry.message)).toContainEqual(expect.stringMatching(/^(\[\w+\] )?Streamed .* of dump \(straight from cd-dev/));
    const [dev, uat] = [await engineChecksum('dev', engine.type, container), await engineChecksum('uat', engine.type, `uat-cdit-${engine.name}`)];
    expect(compareChecksums(dev, uat).differences).toEqual([]);
    expect(await sh('uat', engine.read)).toBe(engine.expected);
    const result = await copyResult(started.migrationId);
    expect(result.estimateBytes, `estimate ${result.estimateBytes} B vs dump ${result.dumpBytes} B`).toBeGreaterThan(result.dumpBytes! / 2);
    expect(result.estimateBytes).toBeLessThan(result.dumpBytes! * 2);
  }, 300_000);
});
