/**
 * Rotate credentials of a live production database, against the lab (real sshd, dockerd and
 * databases on prod), for every engine the lab can run: MariaDB, MySQL (the MariaDB image under a
 * mysql name, so the MySQL adapter drives it), Redis and ClickHouse (18.16 started the way the
 * official image starts, its password and the client's from the env). Each database has a
 * dependant whose health needs the password; after the rotation the dependant is healthy with
 * the new one and the database's own client is refused with the old one. Then a rotation whose
 * engine is killed mid-way (a real engine process, SIGKILL) is undone by the next engine from
 * the keychain: the old password works again, the old containers are back.
 * Needs the build (`npx electron-vite build`); run inside a real keychain and under the lab lock:
 * flock /tmp/gantry-labtest.lock bash .ci/with-keyring.sh npx vitest run --project integration electron/databases/rotation.int.test.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RequestChannel, RequestOf, ResponseOf } from '@shared/ipc/contract';
import { createApp, type GantryApp } from '../app/create-app';
import { createOsKeychain, KEYCHAIN_SERVICE } from '../keychain/secret-store';
import { labSh, startEngineProcess, type EngineProcess } from '../migrations/testing/engine-process';
import { shellQuote } from './container-shell';

const lab = inject('lab');
const dataDir = mkdtempSync(join(tmpdir(), 'gantry-rotation-int-'));
const secretStore = createOsKeychain('Gantry-test-rotation');
let app: GantryApp;
let prodServerId = '';
let projectId = '';
let production = '';
const run = Date.now().toString(36);

async function call<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  const result = await app.router.dispatch(channel, request, { bridge: 'browser' });
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as ResponseOf<C>;
}

const sh = (command: string) => labSh(lab, 'prod', command);
/** A command's exit code and output on prod (no throw). */
async function attempt(command: string): Promise<{ code: number; out: string }> {
  return sh(`${command} 2>&1; echo "rc=$?"`).then((text) => {
    const match = /rc=(\d+)$/.exec(text)!;
    return { code: Number(match[1]), out: text.slice(0, match.index).trim() };
  });
}

async function envOf(container: string): Promise<Record<string, string>> {
  const lines = JSON.parse(await sh(`docker inspect --format '{{json .Config.Env}}' ${container}`)) as string[];
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

async function healthy(container: string, seconds = 90): Promise<void> {
  await sh(`for i in $(seq 1 ${seconds}); do [ "$(docker inspect --format '{{.State.Health.Status}}' ${container})" = healthy ] && exit 0; sleep 1; done; docker inspect --format '{{json .State.Health}}' ${container} >&2; exit 1`);
}

/** The lab web app with a Docker health check on its /health (which queries the database with DATABASE_URL). */
const webapp = (name: string, url: string) =>
  `docker run -d --name ${name} --init --network rtit-prod -e DATABASE_URL=${shellQuote(url)} --health-cmd "python3 -c \\"import urllib.request;urllib.request.urlopen('http://127.0.0.1:8080/health')\\"" --health-interval 2s --health-retries 30 gantry-lab/webapp:1 >/dev/null`;

/** ClickHouse 18.16 started as the official image starts: the server's password and the client's from CLICKHOUSE_USER / CLICKHOUSE_PASSWORD. */
const CLICKHOUSE_START = [
  'x() { printf %s "$1" | sed -e "s/&/\\&amp;/g" -e "s/</\\&lt;/g"; }',
  'mkdir -p /etc/clickhouse-server/users.d /etc/clickhouse-client',
    // (Tags spelled through printf: a literal password element in a container's command breaks the journal's JSON, see the report.)
  't=password; printf "<yandex><users><%s><%s>%s</%s></%s></users></yandex>\\n" "$CLICKHOUSE_USER" "$t" "$(x "$CLICKHOUSE_PASSWORD")" "$t" "$CLICKHOUSE_USER" > /etc/clickhouse-server/users.d/default-user.xml',
  'printf "<config><user>%s</user><%s>%s</%s></config>\\n" "$CLICKHOUSE_USER" "$t" "$(x "$CLICKHOUSE_PASSWORD")" "$t" > /etc/clickhouse-client/config.xml',
  'exec docker-entrypoint.sh clickhouse-server',
].join('; ');

interface Engine {
  type: 'mariadb' | 'mysql' | 'redis' | 'clickhouse';
  short: string;
  /** Password variables and their values before. */
  passwords: Record<string, string>;
  db: string;
  app: string;
  seed: string;
  /** Prints the seeded content, read by the database's own client with the database's env. */
  read: string;
  expected: string;
  /** Exit 0 only when the database takes `password` (its own client, as the user `which` names). */
  login: (password: string, which: string) => string;
  /** Whether `/health` of the app says the database answered (the lab web app); else its Docker health check proves it. */
  webHealth: boolean;
}

const containerOf = (short: string, role: 'db' | 'app') => `production-rtit-${short}${role === 'app' ? '-app' : ''}`;
const mysqlLogin = (client: string) => (password: string, user: string) => `docker exec ${containerOf(user.split(':')[0]!, 'db')} sh -c 'MYSQL_PWD="$1" ${client} -h127.0.0.1 -u"$2" -N -e "SELECT 1"' _ ${shellQuote(password)} ${shellQuote(user.split(':')[1]!)}`;

const engines: Engine[] = [
  {
    type: 'mariadb',
    short: 'ma',
    passwords: { MARIADB_ROOT_PASSWORD: `ma-root-${run}`, MARIADB_PASSWORD: `ma-app-${run}` },
    db: `-e MARIADB_ROOT_PASSWORD=ma-root-${run} -e MARIADB_DATABASE=shop -e MARIADB_USER=shop -e MARIADB_PASSWORD=ma-app-${run} -v rtit-ma-data:/var/lib/mysql gantry-lab/mariadb:10.11`,
    app: `mariadb://shop:ma-app-${run}@production-rtit-ma:3306/shop`,
    seed: 'MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb -uroot shop -e "CREATE TABLE orders (id INT PRIMARY KEY); INSERT INTO orders VALUES (1), (2), (3);"',
    read: 'MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb -uroot -N shop -e "SELECT COUNT(*) FROM orders"',
    expected: '3',
    login: mysqlLogin('mariadb'),
    webHealth: true,
  },
  {
    type: 'mysql',
    short: 'my',
    passwords: { MYSQL_ROOT_PASSWORD: `my-root-${run}`, MYSQL_PASSWORD: `my-app-${run}` },
    db: `-e MYSQL_ROOT_PASSWORD=my-root-${run} -e MYSQL_DATABASE=app -e MYSQL_USER=app -e MYSQL_PASSWORD=my-app-${run} -v rtit-my-data:/var/lib/mysql rtit/mysql:8`,
    app: `mysql://app:my-app-${run}@production-rtit-my:3306/app`,
    seed: 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql -uroot app -e "CREATE TABLE items (id INT PRIMARY KEY); INSERT INTO items VALUES (1), (2);"',
    read: 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql -uroot -N app -e "SELECT COUNT(*) FROM items"',
    expected: '2',
    login: mysqlLogin('mysql'),
    webHealth: true,
  },
  {
    type: 'redis',
    short: 'rd',
    passwords: { REDIS_PASSWORD: `rd-pw-${run}` },
    db: `-e REDIS_PASSWORD=rd-pw-${run} -v rtit-rd-data:/data gantry-lab/redis:7`,
    app: `redis://:rd-pw-${run}@production-rtit-rd:6379/0`,
    seed: 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli SET greeting hello >/dev/null && REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli SAVE >/dev/null',
    read: 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli GET greeting',
    expected: 'hello',
    login: (password) => `test "$(docker exec production-rtit-rd sh -c 'REDISCLI_AUTH="$1" redis-cli --no-auth-warning PING' _ ${shellQuote(password)})" = PONG`,
    webHealth: true,
  },
  {
    type: 'clickhouse',
    short: 'ch',
    passwords: { CLICKHOUSE_PASSWORD: `ch-pw-${run}` },
    db: `-e CLICKHOUSE_USER=default -e CLICKHOUSE_PASSWORD=ch-pw-${run} -v rtit-ch-data:/var/lib/clickhouse --entrypoint sh gantry-lab/clickhouse:18 -c ${shellQuote(CLICKHOUSE_START)}`,
    app: `ch-pw-${run}`,
    seed: 'clickhouse-client -q "CREATE TABLE events (id UInt64) ENGINE = MergeTree ORDER BY id" && clickhouse-client -q "INSERT INTO events SELECT number FROM system.numbers LIMIT 1000"',
    read: 'clickhouse-client -q "SELECT count() FROM events"',
    expected: '1000',
    login: (password) => `docker exec production-rtit-ch sh -c 'clickhouse-client --password "$1" -q "SELECT 1"' _ ${shellQuote(password)}`,
    webHealth: false,
  },
];

const cleanup = [
  'docker rm -fv $(docker ps -aq --filter name=rtit) >/dev/null 2>&1',
  'docker volume rm $(docker volume ls -q --filter name=rtit) >/dev/null 2>&1',
  'docker network rm rtit-prod >/dev/null 2>&1',
  'docker image rm rtit/mysql:8 >/dev/null 2>&1',
  'rm -rf /tmp/gantry-locks /var/lib/gantry/approvals',
  'true',
].join('; ');

/** Starts an engine's database and its dependant on prod and adopts both into production. */
async function deploy(engine: Engine, into: { call: typeof call; environmentId: string }): Promise<{ dbId: string; appId: string }> {
  const db = containerOf(engine.short, 'db');
  const appName = containerOf(engine.short, 'app');
  await sh(`docker run -d --name ${db} --init --network rtit-prod ${engine.db} >/dev/null`);
  await sh(`for i in $(seq 1 90); do docker exec ${db} sh -c ${shellQuote(engine.seed)} >/dev/null 2>&1 && exit 0; sleep 1; done; exit 1`);
  if (engine.type === 'clickhouse') {
    // A dependant that logs in with the password itself: its health check is a query with CH_PASSWORD.
    await sh(`docker run -d --name ${appName} --init --network rtit-prod -e CH_PASSWORD=${shellQuote(engine.app)} --health-cmd 'clickhouse-client -h ${db} --password "$CH_PASSWORD" -q "SELECT 1"' --health-interval 2s --health-retries 30 --entrypoint sh gantry-lab/clickhouse:18 -c 'exec sleep 100000' >/dev/null`);
  } else {
    await sh(webapp(appName, engine.app));
  }
  await healthy(appName);
  const { resource } = await into.call('resources:adopt', { environmentId: into.environmentId, container: db, resource: { name: `${engine.short}-db`, kind: 'database', databaseType: engine.type } });
  const { resource: dependant } = await into.call('resources:adopt', { environmentId: into.environmentId, container: appName, resource: { name: `${engine.short}-app`, kind: 'application', links: [resource.id] } });
  return { dbId: resource.id, appId: dependant.id };
}

beforeAll(async () => {
  app = createApp({ dataDir, version: 'test', secretStore });
  const prod = lab.servers.prod;
  prodServerId = (await call('servers:save', {
    server: { name: 'rtit-prod', host: prod.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
    pin: { fingerprint: prod.hostKey.fingerprint, algorithm: prod.hostKey.publicKey.split(' ')[0]! },
  })).server.id;
  await sh(cleanup);
  await sh('docker network create rtit-prod >/dev/null && docker tag gantry-lab/mariadb:10.11 rtit/mysql:8');
  const { project } = await call('projects:create', { name: 'Rotation test', environments: [{ name: 'uat' }, { name: 'production', production: true }] });
  projectId = project.id;
  production = (await call('inventory:graph', { projectId })).environments.find((environment) => environment.name === 'production')!.id;
  await call('environments:bind', { environmentId: production, serverId: prodServerId });
}, 120_000);

afterAll(async () => {
  await sh(cleanup).catch(() => undefined);
  await sh('rm -rf $HOME/.gantry/backups/*/*-rtit* 2>/dev/null; true').catch(() => undefined);
  secretStore.delete('inventory:spec-fingerprint-key');
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.each(engines)('Rotate credentials of a live production $type', (engine) => {
  it('sets new passwords in the database itself, recreates the dependant with them: it stays healthy, and the database refuses the old ones', async () => {
    const { dbId } = await deploy(engine, { call, environmentId: production });
    const db = containerOf(engine.short, 'db');
    const appName = containerOf(engine.short, 'app');
    const { migrationId, jobId } = await call('credentials:rotate', { environmentId: production, resourceId: dbId });
    await app.jobs.finished(jobId).catch(() => undefined);
    const detail = await call('migrations:get', { migrationId });
    expect(detail.migration.status, `${detail.migration.message} ${JSON.stringify(detail.log.slice(-6).map((line) => line.message))}`).toMatch(/^completed/);
    const titles = detail.steps.map((step) => step.title);
    expect(titles[0]).toBe(`Back up ${db} and verify the backup`);
    expect(titles).toContain(`Recreate ${appName} with the new credentials`);
    expect(titles).toContain(`Recreate ${db} with the new credentials`);
    expect(titles.filter((title) => title.startsWith('Set a new '))).toHaveLength(Object.keys(engine.passwords).length);

    const log = detail.log.map((line) => line.message).join('\n');
    // A Redis backup is proven by restoring it into a throwaway container on prod (removed afterwards).
    if (engine.type === 'redis') {
      expect(log).toMatch(/Backup of \S+: .*restored into a throwaway container with the source's content checksum/);
      expect(await sh("docker ps -a --filter name=gantry-verify --format '{{.Names}}'")).toBe('');
    }
    for (const [variable, old] of Object.entries(engine.passwords)) {
      const { value: rotated } = await call('credentials:reveal', { environmentId: production, resourceId: dbId, variable });
      expect(rotated).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(log).not.toContain(rotated);
      const who = engine.type === 'mariadb' || engine.type === 'mysql' ? `${engine.short}:${variable.includes('ROOT') ? 'root' : engine.type === 'mariadb' ? 'shop' : 'app'}` : '';
      expect((await attempt(engine.login(rotated, who))).code, `the new ${variable} is taken`).toBe(0);
      const refused = await attempt(engine.login(old, who));
      expect(refused.code, `the old ${variable} is refused: ${refused.out}`).not.toBe(0);
      if (engine.type === 'mariadb' || engine.type === 'mysql') expect(refused.out).toMatch(/Access denied/);
      if (engine.type === 'clickhouse') expect(refused.out).toMatch(/password|Authentication/i);
      // The dependant was recreated with the new value (matched by value, not by name).
      const appEnv = JSON.stringify(await envOf(appName));
      if (variable !== 'MARIADB_ROOT_PASSWORD' && variable !== 'MYSQL_ROOT_PASSWORD') expect(appEnv).toContain(rotated);
      expect(appEnv).not.toContain(old);
    }
    await healthy(appName, 30);
    if (engine.webHealth) expect(await sh(`docker exec ${appName} python3 -c "import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:8080/health').read().decode())"`)).toContain('"db": "reachable"');
    expect(await sh(`docker exec ${db} sh -c ${shellQuote(engine.read)}`)).toBe(engine.expected);
    // The keychain kept the passwords only while the run was in flight.
    expect(secretStore.get(`rotation:${migrationId}`)).toBeNull();
    // Rolling a rotation back would put back containers with a password the database no longer takes: refused, saying why.
    const rollback = await app.router.dispatch('migrations:rollback', { migrationId, options: { waitForReady: true, healthTimeoutSec: 60 } }, { bridge: 'browser' });
    expect(rollback.ok).toBe(false);
    if (!rollback.ok) expect(rollback.error.message).toMatch(/rotated .* in the database itself; putting its previous containers back would give them a password the database no longer takes/);
  }, 300_000);
});

describe('a rotation whose engine is killed mid-way', () => {
  const crashDir = mkdtempSync(join(tmpdir(), 'gantry-rotation-crash-'));
  const engineKeychain = createOsKeychain(KEYCHAIN_SERVICE);
  let engine: EngineProcess | undefined;
  afterAll(() => {
    engine?.kill();
    engineKeychain.delete('inventory:spec-fingerprint-key');
    rmSync(crashDir, { recursive: true, force: true });
  });

  it('is undone by the next engine from the keychain: the database takes the old passwords again and the old containers are back', async () => {
    engine = await startEngineProcess(crashDir);
    const prod = lab.servers.prod;
    const { server } = await engine.call('servers:save', {
      server: { name: 'rtit-crash-prod', host: prod.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
      pin: { fingerprint: prod.hostKey.fingerprint, algorithm: prod.hostKey.publicKey.split(' ')[0]! },
    });
    const { project } = await engine.call('projects:create', { name: 'Rotation crash', environments: [{ name: 'production', production: true }] });
    const environmentId = (await engine.call('inventory:graph', { projectId: project.id })).environments[0]!.id;
    await engine.call('environments:bind', { environmentId, serverId: server.id });
    const crash: Engine = {
      ...engines[0]!,
      short: 'cx',
      passwords: { MARIADB_ROOT_PASSWORD: `cx-root-${run}`, MARIADB_PASSWORD: `cx-app-${run}` },
      db: `-e MARIADB_ROOT_PASSWORD=cx-root-${run} -e MARIADB_DATABASE=shop -e MARIADB_USER=shop -e MARIADB_PASSWORD=cx-app-${run} -v rtit-cx-data:/var/lib/mysql gantry-lab/mariadb:10.11`,
      app: `mariadb://shop:cx-app-${run}@production-rtit-cx:3306/shop`,
    };
    const live = engine;
    const { dbId, appId } = await deploy(crash, { call: (channel, request) => live.call(channel, request), environmentId });
    const before = await sh("docker ps -a --filter name=rtit-cx --format '{{.Names}} {{.ID}} {{.Image}}' | sort; docker inspect --format '{{json .Config.Env}}' production-rtit-cx production-rtit-cx-app");

    const { migrationId } = await engine.call('credentials:rotate', { environmentId, resourceId: dbId });
    // Killed the moment the dependant runs with the new password (the database has it too; its own container not yet).
    for (let i = 0; i < 1200; i++) {
      const detail = await engine.call('migrations:get', { migrationId });
      if (detail.steps.some((step) => step.stepId === `replace-container:${appId}` && step.status === 'done')) break;
      if (detail.migration.status !== 'running' && detail.migration.status !== 'pending') throw new Error(`the rotation ended before the kill: ${detail.migration.message}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    engine.kill();
    engine = undefined;
    // Mid-way: the database refuses the old app password, and only the keychain knows both.
    expect((await attempt(crash.login(crash.passwords.MARIADB_PASSWORD!, 'cx:shop'))).code).not.toBe(0);
    const kept = JSON.parse(engineKeychain.get(`rotation:${migrationId}`) ?? '{}') as { variables?: Record<string, { old: string; next: string }> };
    expect(kept.variables?.MARIADB_PASSWORD?.old).toBe(crash.passwords.MARIADB_PASSWORD);
    expect(kept.variables?.MARIADB_PASSWORD?.next).toMatch(/^[A-Za-z0-9]{32}$/);

    engine = await startEngineProcess(crashDir);
    let detail = await engine.call('migrations:get', { migrationId });
    for (let i = 0; i < 480 && ['running', 'pending'].includes(detail.migration.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      detail = await engine.call('migrations:get', { migrationId });
    }
    const story = `${detail.migration.message}\nsteps: ${detail.steps.map((step) => `${step.stepId} ${step.status}`).join(', ')}\n${detail.log.slice(-14).map((line) => line.message).join('\n')}`;
    expect(detail.migration.status, story).toBe('interrupted');
    expect(detail.migration.message, story).toMatch(/engine stopped mid-way.*undid.*checked that production .* is as it was before/);
    expect(detail.steps.filter((step) => step.stepId.startsWith('set-database-password')).map((step) => step.status)).toEqual(['undone', 'undone']);
    for (const [variable, old] of Object.entries(crash.passwords)) {
      const who = `cx:${variable.includes('ROOT') ? 'root' : 'shop'}`;
      expect((await attempt(crash.login(old, who))).code, `the old ${variable} works again`).toBe(0);
      expect((await attempt(crash.login(kept.variables?.[variable]?.next ?? 'none', who))).code, `the new ${variable} is refused`).not.toBe(0);
    }
    await healthy('production-rtit-cx-app', 60);
    expect(await sh("docker ps -a --filter name=rtit-cx --format '{{.Names}} {{.ID}} {{.Image}}' | sort; docker inspect --format '{{json .Config.Env}}' production-rtit-cx production-rtit-cx-app")).toBe(before);
    expect(engineKeychain.get(`rotation:${migrationId}`)).toBeNull();
  }, 300_000);
});
