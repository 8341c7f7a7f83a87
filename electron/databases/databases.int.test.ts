/**
 * The database adapters against the lab: for each live engine a seeded database on dev and an
 * empty one (with its own leftover data) on uat, then readiness, size, a dump on dev streamed
 * through this machine into a restore on uat (the existing pooled SSH connections), and the
 * checksums of both sides computed independently: equal after the copy, different after one
 * row changes. MySQL is stood in by MariaDB started with the MYSQL_* variables.
 * Run inside a real keychain: flock /tmp/gantry-labtest.lock bash .ci/with-keyring.sh npx vitest run --project integration electron/databases
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseType } from '@shared/spec/resource-spec';
import { createApp, type GantryApp } from '../app/create-app';
import { createOsKeychain } from '../keychain/secret-store';
import type { DatabaseTarget } from './adapter';
import { shellQuote } from './container-shell';
import { compareChecksums, type DatabaseChecksum } from './checksum';
import { adapterFor, detectDatabase } from './registry';

const lab = inject('lab');
const dataDir = mkdtempSync(join(tmpdir(), 'gantry-databases-int-'));
const secretStore = createOsKeychain('Gantry-test-databases');
let app: GantryApp;
const serverIds: Record<'dev' | 'uat', string> = { dev: '', uat: '' };
const cleanup = `docker rm -fv $(docker ps -aq --filter name=dbit-) >/dev/null 2>&1; true`;

function host(server: 'dev' | 'uat') {
  return app.servers.connections.get(serverIds[server]);
}

async function sh(server: 'dev' | 'uat', command: string): Promise<string> {
  const result = await host(server).exec(command, {});
  if (result.code !== 0) throw new Error(`${server}: ${command.slice(0, 200)} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

/** One engine as the lab runs it: image, env, command, seed and a one-row change (all run with `docker exec`). */
interface LabEngine {
  type: DatabaseType;
  image: string;
  env: Record<string, string>;
  command: string[] | null;
  /** Passwords of this engine (must never show in `ps` while a command runs). */
  secrets: string[];
  seed: string;
  /** Data only uat has before the copy (the restore must remove it). */
  leftover: string;
  change: string;
  /** The checksum entry the change shows in. */
  changed: string;
}

const engines: LabEngine[] = [
  {
    type: 'postgresql',
    image: 'gantry-lab/postgres:15',
    env: { POSTGRES_USER: 'app', POSTGRES_PASSWORD: 'pg-Secret-1', POSTGRES_DB: 'app' },
    command: null,
    secrets: ['pg-Secret-1'],
    seed: `psql -U app -d app -v ON_ERROR_STOP=1 -q -c "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, seen timestamptz, note text); INSERT INTO items SELECT g, 'item ' || g, g * 1.5, '2026-01-01'::timestamptz + g * interval '1 minute', CASE WHEN g % 7 = 0 THEN NULL ELSE md5(g::text) END FROM generate_series(1, 200000) g; CREATE SCHEMA audit; CREATE TABLE audit.log (at timestamptz, what text); INSERT INTO audit.log VALUES ('2026-01-01', 'seeded');"`,
    leftover: `psql -U app -d app -q -c "CREATE TABLE uat_only (x int); INSERT INTO uat_only VALUES (1);"`,
    change: `psql -U app -d app -q -c "UPDATE items SET name = 'changed' WHERE id = 4242"`,
    changed: 'public.items',
  },
  {
    type: 'mysql',
    image: 'gantry-lab/mariadb:10.11',
    env: { MYSQL_ROOT_PASSWORD: 'my-Root-2', MYSQL_DATABASE: 'app', MYSQL_USER: 'app', MYSQL_PASSWORD: 'my-App-2' },
    command: null,
    secrets: ['my-Root-2', 'my-App-2'],
    seed: `MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mariadb -uroot app -e "SET max_recursive_iterations = 1000000; CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(64), note TEXT NULL, price DECIMAL(10,2)); INSERT INTO items WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 50000) SELECT n, CONCAT('item ', n), IF(n % 5 = 0, NULL, MD5(n)), n * 1.25 FROM s; CREATE TABLE empty_one (id INT PRIMARY KEY);"`,
    leftover: `MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mariadb -uroot app -e "CREATE TABLE uat_only (x INT); INSERT INTO uat_only VALUES (1);"`,
    change: `MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mariadb -uroot app -e "UPDATE items SET note = NULL WHERE id = 4242"`,
    changed: 'items',
  },
  {
    type: 'mariadb',
    image: 'gantry-lab/mariadb:10.11',
    env: { MARIADB_ROOT_PASSWORD: 'ma-Root-3', MARIADB_DATABASE: 'shop' },
    command: null,
    secrets: ['ma-Root-3'],
    seed: `MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb -uroot shop -e "SET max_recursive_iterations = 1000000; CREATE TABLE orders (id INT PRIMARY KEY, total DOUBLE, placed DATETIME); INSERT INTO orders WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 20000) SELECT n, n / 3, '2026-01-01' + INTERVAL n MINUTE FROM s;"`,
    leftover: `MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb -uroot shop -e "CREATE TABLE uat_only (x INT);"`,
    change: `MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb -uroot shop -e "DELETE FROM orders WHERE id = 77"`,
    changed: 'orders',
  },
  {
    type: 'redis',
    image: 'gantry-lab/redis:7',
    env: {},
    command: ['redis-server', '--requirepass', 'rd-Secret-4'],
    secrets: ['rd-Secret-4'],
    seed: `export REDISCLI_AUTH=rd-Secret-4; redis-cli EVAL "for i = 1, 20000 do redis.call('SET', 'k:' .. i, 'value ' .. i) end; for i = 1, 200 do redis.call('HSET', 'h:' .. i, 'a', i, 'b', 'x'); redis.call('RPUSH', 'l:' .. i, 1, 2, 3); redis.call('SADD', 's:' .. i, 'p', 'q'); redis.call('ZADD', 'z:' .. i, i, 'm') end; redis.call('SET', 'odd key with spaces', 'v')" 0 >/dev/null && redis-cli -n 3 SET other-db yes >/dev/null`,
    leftover: `export REDISCLI_AUTH=rd-Secret-4; redis-cli SET uat-only 1 >/dev/null`,
    change: `export REDISCLI_AUTH=rd-Secret-4; redis-cli HSET h:9 b y >/dev/null`,
    changed: 'db0:h:9',
  },
  {
    type: 'clickhouse',
    image: 'gantry-lab/clickhouse:18',
    env: {},
    command: null,
    secrets: [],
    seed: `clickhouse-client -q "CREATE TABLE events (id UInt64, name String, v Nullable(Float64), tags Array(String)) ENGINE = MergeTree ORDER BY id" && clickhouse-client -q "INSERT INTO events SELECT number, concat('event ', toString(number)), if(number % 3 = 0, NULL, toNullable(number * 0.5)), [toString(number % 10)] FROM system.numbers LIMIT 200000" && clickhouse-client -q "CREATE TABLE small (k String, n UInt8) ENGINE = TinyLog" && clickhouse-client -q "INSERT INTO small VALUES ('a', 1), ('b', 2)"`,
    leftover: `clickhouse-client -q "CREATE TABLE uat_only (x UInt8) ENGINE = TinyLog"`,
    change: `clickhouse-client -q "INSERT INTO small VALUES ('c', 3)"`,
    changed: 'small',
  },
];

function targetOf(engine: LabEngine): DatabaseTarget {
  return {
    container: `dbit-${engine.type}`,
    spec: { image: { ref: engine.image, id: null, digest: null }, env: engine.env, labels: {}, command: engine.command, entrypoint: ['/usr/bin/tini', '--', 'docker-entrypoint.sh'] },
  };
}

function runCommand(engine: LabEngine): string {
  const env = Object.entries(engine.env).map(([k, v]) => `-e ${k}=${v}`).join(' ');
  return `docker run -d --name dbit-${engine.type} --init ${env} ${engine.image} ${(engine.command ?? []).join(' ')} >/dev/null`;
}

async function waitReady(server: 'dev' | 'uat', engine: LabEngine): Promise<number> {
  const started = Date.now();
  const { readiness } = adapterFor(engine.type).commands(targetOf(engine));
  for (;;) {
    const result = await host(server).exec(readiness, {});
    if (result.code === 0) return Date.now() - started;
    if (Date.now() - started > 90_000) throw new Error(`${engine.type} on ${server} never became ready: ${result.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function checksum(server: 'dev' | 'uat', engine: LabEngine): Promise<DatabaseChecksum> {
  const adapter = adapterFor(engine.type);
  return adapter.parseChecksum(await sh(server, adapter.commands(targetOf(engine)).checksum));
}

/** Streams dev's dump into uat's restore through this machine; resolves with the bytes sent. */
async function copy(engine: LabEngine): Promise<{ bytes: number; ms: number; psDuring: string }> {
  const commands = adapterFor(engine.type).commands(targetOf(engine));
  const started = Date.now();
  const dump = await host('dev').spawn(commands.dump, {});
  const restore = await host('uat').spawn(commands.restore, {});
  let bytes = 0;
  dump.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
  dump.stdout.pipe(restore.stdin);
  restore.stdout.resume();
  // What anyone on the servers sees in `ps` while the copy runs.
  const psDuring = (await sh('dev', 'ps -eo args')) + (await sh('uat', 'ps -eo args'));
  const [dumped, restored] = await Promise.all([dump.done, restore.done]);
  expect(dumped.code, `dump: ${dumped.stderr}`).toBe(0);
  expect(restored.code, `restore: ${restored.stderr}`).toBe(0);
  return { bytes, ms: Date.now() - started, psDuring };
}

beforeAll(async () => {
  app = createApp({ dataDir, version: 'test', secretStore });
  for (const name of ['dev', 'uat'] as const) {
    const server = lab.servers[name];
    const { server: saved } = await app.router.dispatch(
      'servers:save',
      { server: { name: `dbit-${name}`, host: server.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } }, pin: { fingerprint: server.hostKey.fingerprint, algorithm: server.hostKey.publicKey.split(' ')[0]! } },
      { bridge: 'browser' },
    ).then((r) => { if (!r.ok) throw new Error(r.error.message); return r.value as { server: { id: string } }; });
    serverIds[name] = saved.id;
    await sh(name, cleanup);
    for (const engine of engines) await sh(name, runCommand(engine));
  }
});

afterAll(async () => {
  for (const name of ['dev', 'uat'] as const) if (serverIds[name]) await sh(name, cleanup).catch(() => undefined);
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.each(engines)('$type', (engine) => {
  const adapter = adapterFor(engine.type);
  const commands = () => adapter.commands(targetOf(engine));

  it('is recognised from its spec', () => {
    const detected = detectDatabase(targetOf(engine).spec).best;
    // MySQL runs on the MariaDB image here: detection says MariaDB, sure; the operator's choice (mysql) is what counts.
    expect(detected?.type).toBe(engine.type === 'mysql' ? 'mariadb' : engine.type);
  });

  it('copies dev to uat: readiness, size, dump piped into restore, equal checksums; one changed row makes them differ', async () => {
    const readyMs = [await waitReady('dev', engine), await waitReady('uat', engine)];
    await sh('dev', `docker exec dbit-${engine.type} sh -c ${shellQuote(engine.seed)}`);
    await sh('uat', `docker exec dbit-${engine.type} sh -c ${shellQuote(engine.leftover)}`);
    const estimate = adapter.parseSize(await sh('dev', commands().size));
    const before = await checksum('dev', engine);
    expect(compareChecksums(before, await checksum('uat', engine)).equal).toBe(false);

    const psIdle = (await sh('dev', 'ps -eo args')) + (await sh('uat', 'ps -eo args'));
    const sent = await copy(engine);
    if (adapter.restoreRestartsContainer) await waitReady('uat', engine);
    // A secret the operator put on the database's own command line (redis-server --requirepass) is
    // in ps already; Gantry's commands must add no occurrence of any secret.
    const occurrences = (text: string, secret: string) => text.split(secret).length - 1;
    for (const secret of engine.secrets) expect(occurrences(sent.psDuring, secret), secret).toBeLessThanOrEqual(occurrences(psIdle, secret));
    const [dev, uat] = [await checksum('dev', engine), await checksum('uat', engine)];
    const comparison = compareChecksums(dev, uat);
    expect(comparison.differences).toEqual([]);
    expect(comparison.equal).toBe(true);
    expect(dev).toEqual(before);
    expect(uat.entries.some((e) => e.name.includes('uat_only') || e.name.includes('uat-only'))).toBe(false);
    console.log(`${engine.type}: ready in ${readyMs.join('/')} ms; ${dev.entries.length} entries, ${dev.entries.reduce((n, e) => n + e.count, 0)} rows/elements; estimate ${estimate} B, sent ${sent.bytes} B (×${(estimate / sent.bytes).toFixed(2)}), copy ${sent.ms} ms`);
    expect(estimate).toBeGreaterThan(0);
    // Every engine's estimate is within 2× of what the dump really sends (small MySQL/MariaDB and
    // Redis databases are counted from the dump itself: their statistics lag or report memory).
    expect(estimate).toBeGreaterThan(sent.bytes / 2);
    expect(estimate).toBeLessThan(sent.bytes * 2);

    await sh('uat', `docker exec dbit-${engine.type} sh -c ${shellQuote(engine.change)}`);
    const changed = compareChecksums(dev, await checksum('uat', engine));
    expect(changed.equal).toBe(false);
    expect(changed.differences.map((d) => d.name)).toEqual([engine.changed]);
  });
});
