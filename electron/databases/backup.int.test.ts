/**
 * The road to production against the lab (real sshd, dockerd and PostgreSQL on uat and prod): an
 * app and its PostgreSQL run on uat, are cloned into production, and promoted again. Every
 * promote into production takes a verified backup on prod first; a fault after the backup leaves
 * production as it was. Run inside a real keychain and under the lab lock:
 * flock /tmp/gantry-labtest.lock bash .ci/with-keyring.sh npx vitest run --project integration electron/databases/backup.int.test.ts
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RequestChannel, RequestOf, ResponseOf } from '@shared/ipc/contract';
import { createApp, type GantryApp } from '../app/create-app';
import { makeIdentities } from '../approvals/testing/test-identities';
import { createOsKeychain } from '../keychain/secret-store';
import { startFakeGithubApi, type FakeGithubApi } from '../webhooks/testing/fake-github-api';
import { listBackups } from './backup-manifest';

const lab = inject('lab');
const dataDir = mkdtempSync(join(tmpdir(), 'gantry-backup-int-'));
const secretStore = createOsKeychain('Gantry-test-backup');
let app: GantryApp;
/** The second operator (approves production runs). */
let bob: GantryApp;
const bobDir = mkdtempSync(join(tmpdir(), 'gantry-backup-int-bob-'));
const bobSecrets = createOsKeychain('Gantry-test-backup-bob');
let bobProdServerId = '';
const who = makeIdentities(['alice', 'bob'] as const);
const serverIds: Record<string, string> = {};
let projectId = '';
const env: Record<string, string> = {};
const ids: Record<string, string> = {};
/** uat's database password: unique per run, so a search for it cannot hit anything else. */
const UAT_PW = `uat-pw-${Date.now().toString(36)}`;
const OPTIONS = { waitForReady: true, healthTimeoutSec: 120 };
/** The backup the first promote into production took (500 rows). */
let firstBackupId = '';
/** The FAKE GitHub API on loopback (GitHub cannot be reached here). */
let github: FakeGithubApi;
const GITHUB_TOKEN = 'ghp_bkitfaketoken0123456789';
let firstCloneId = '';
/** Every secret the flow saw (seeded, generated, registered): the sweep at the end looks for each. */
const secrets = new Set<string>([UAT_PW, GITHUB_TOKEN]);

async function call<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  const result = await app.router.dispatch(channel, request, { bridge: 'browser' });
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as ResponseOf<C>;
}

type Server = 'uat' | 'prod';
const host = (server: Server) => app.servers.connections.get(serverIds[server]!);

async function sh(server: Server, command: string): Promise<string> {
  const result = await host(server).exec(command, {});
  if (result.code !== 0) throw new Error(`${server}: ${command} failed: ${result.stderr}`);
  return result.stdout.trim();
}

async function envOf(server: Server, container: string): Promise<Record<string, string>> {
  const lines = JSON.parse(await sh(server, `docker inspect --format '{{json .Config.Env}}' ${container}`)) as string[];
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/** Production's content as a user would compare it: the rows of the app's table (waiting while PostgreSQL starts). */
const rows = () => sh('prod', `for i in $(seq 1 60); do docker exec production-bkit-db pg_isready -q -U app -d app && break; sleep 1; done; docker exec production-bkit-db psql -U app -d app -tA -c 'SELECT count(*), coalesce(sum(n), 0) FROM items'`);

/** Production's containers (name, id, state), volumes and networks of this test. */
const prodState = () =>
  sh('prod', "docker ps -a --filter name=bkit --format '{{.Names}} {{.ID}} {{.Image}} {{.State}}' | sort; docker volume ls -q --filter name=bkit | sort; docker network ls --filter name=bkit --format '{{.Name}}' | sort");

async function bobCall<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  const result = await bob.router.dispatch(channel, request, { bridge: 'browser' });
  if (!result.ok) throw new Error(`bob: ${channel} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as ResponseOf<C>;
}

/**
 * Production is protected (four eyes): the test's operator requests the run, a second operator's
 * Gantry (bob, own data folder and key) approves it, and the approved request is started.
 */
async function startApproved(planId: string, options: RequestOf<'migrations:start'>['options'] = OPTIONS): Promise<{ migrationId: string; jobId: string }> {
  const { requestId } = await call('approvals:request', { planId, options });
  await bobCall('approvals:decide', { serverId: bobProdServerId, requestId, decision: 'approve' });
  return call('approvals:start', { serverId: serverIds.prod!, requestId });
}

async function runToEnd(resourceIds: string[], options: RequestOf<'migrations:start'>['options'] = OPTIONS) {
  const planned = await call('migrations:plan', { projectId, sourceEnvId: env.uat!, targetEnvId: env.production!, resourceIds });
  expect(planned.plan.blocking, JSON.stringify(planned.plan.prechecks)).toBe(false);
  const { migrationId, jobId } = await startApproved(planned.planId, options);
  await app.jobs.finished(jobId).catch(() => undefined);
  return { planned, detail: await call('migrations:get', { migrationId }) };
}

const webRun = (image: string) =>
  `docker run -d --name uat-bkit-web --init --network bkit-uat -l org.opencontainers.image.source=https://github.com/acme/bkit-shop -l 'traefik.http.routers.bkit.rule=Host(\`shop.bkit.test\`)' -e DATABASE_URL=postgres://app:${UAT_PW}@uat-bkit-db:5432/app -p 18380:8080 --health-cmd "python3 -c \\"import urllib.request;urllib.request.urlopen('http://127.0.0.1:8080/health')\\"" --health-interval 2s --health-retries 20 ${image}`;

/** uat's database, recreated on the same volume with a revision label: a change a promote carries to production. */
const uatDbRun = (rev: number) =>
  `docker rm -fv uat-bkit-db >/dev/null 2>&1; docker run -d --name uat-bkit-db --init --network bkit-uat -l bkit.rev=${rev} -e POSTGRES_USER=app -e POSTGRES_PASSWORD=${UAT_PW} -e POSTGRES_DB=app -v uat-bkit-db-data:/var/lib/postgresql/data --health-cmd 'pg_isready -U app -d app' --health-interval 2s --health-retries 30 gantry-lab/postgres:15 >/dev/null`;

/** Changes uat's database so the next promote replaces production's (an unchanged resource gets no steps). */
async function changeUatDb(rev: number): Promise<void> {
  await sh('uat', uatDbRun(rev));
  await call('inventory:discover', { projectId }).then(({ jobId }) => app.jobs.finished(jobId));
}

const cleanup = [
  'docker rm -fv $(docker ps -aq --filter name=bkit) >/dev/null 2>&1',
  'docker volume rm $(docker volume ls -q --filter name=bkit) >/dev/null 2>&1',
  'docker network rm $(docker network ls -q --filter name=bkit) >/dev/null 2>&1',
  'docker image rm -f bkit/webapp:fresh >/dev/null 2>&1',
  'rm -rf /tmp/gantry-locks /var/lib/gantry/approvals',
  'true',
].join('; ');

beforeAll(async () => {
  github = await startFakeGithubApi({ token: GITHUB_TOKEN, repositories: ['acme/bkit-shop'] });
  process.env.GANTRY_GITHUB_API = github.baseUrl;
  app = createApp({ dataDir, version: 'test', secretStore });
  for (const name of ['dev', 'uat', 'prod'] as const) {
    const server = lab.servers[name];
    const { server: saved } = await call('servers:save', {
      server: { name: `bkit-${name}`, host: server.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
      pin: { fingerprint: server.hostKey.fingerprint, algorithm: server.hostKey.publicKey.split(' ')[0]! },
    });
    serverIds[name] = saved.id;
  }
  for (const name of ['uat', 'prod'] as const) await sh(name, cleanup);
  // A second operator for production's four-eyes rule; the policy lives on prod.
  bob = createApp({ dataDir: bobDir, version: 'test', secretStore: bobSecrets });
  const prod = lab.servers.prod;
  bobProdServerId = (await bobCall('servers:save', {
    server: { name: 'bkit-prod', host: prod.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
    pin: { fingerprint: prod.hostKey.fingerprint, algorithm: prod.hostKey.publicKey.split(' ')[0]! },
  })).server.id;
  await call('approvals:set-identity', { principal: 'alice', keyPath: who.alice.keyPath });
  await bobCall('approvals:set-identity', { principal: 'bob', keyPath: who.bob.keyPath });
  const members = (['alice', 'bob'] as const).map((name) => ({ principal: name, publicKey: who[name].signer.publicKey, roles: ['request' as const, 'approve' as const, 'deploy' as const] }));
  const policy = await call('approvals:setup-policy', { serverId: serverIds.prod!, members, approvalsRequired: 1 });
  await bobCall('approvals:pin-policy', { serverId: bobProdServerId, digest: policy.digest! });
  await sh('uat', 'docker network create bkit-uat >/dev/null');
  await sh('uat', uatDbRun(1));
  await sh('uat', webRun('gantry-lab/webapp:1'));

  const { project } = await call('projects:create', { name: 'Backup test', environments: [{ name: 'dev' }, { name: 'uat' }, { name: 'production', production: true }] });
  projectId = project.id;
  const chain = (await call('inventory:graph', { projectId })).environments;
  for (const [environment, server] of chain.map((e, i) => [e, (['dev', 'uat', 'prod'] as const)[i]!] as const)) {
    await call('environments:bind', { environmentId: environment.id, serverId: serverIds[server]! });
    env[environment.name] = environment.id;
  }
  await sh('uat', "for i in $(seq 1 60); do [ \"$(docker inspect --format '{{.State.Health.Status}}' uat-bkit-db)\" = healthy ] && exit 0; sleep 1; done; exit 1");
  ids.db = (await call('resources:adopt', { environmentId: env.uat!, container: 'uat-bkit-db', resource: { name: 'db', kind: 'database', databaseType: 'postgresql' } })).resource.id;
  ids.web = (await call('resources:adopt', { environmentId: env.uat!, container: 'uat-bkit-web', resource: { name: 'web', kind: 'application', links: [ids.db!] } })).resource.id;
}, 180_000);

afterAll(async () => {
  delete process.env.GANTRY_GITHUB_API;
  await github?.close();
  secretStore.delete('webhooks:github-token');
  for (const name of ['uat', 'prod'] as const) await sh(name, cleanup).catch(() => undefined);
  for (const id of Object.values(ids)) await sh('prod', `rm -rf $HOME/.gantry/backups/${id}`).catch(() => undefined);
  await sh('prod', 'rm -f $HOME/.gantry/backups/keep').catch(() => undefined);
  await sh('prod', 'rm -rf /var/lib/gantry/approvals').catch(() => undefined);
  secretStore.delete('inventory:spec-fingerprint-key');
  bobSecrets.delete('inventory:spec-fingerprint-key');
  await bob?.close();
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(bobDir, { recursive: true, force: true });
});

describe('the first clone into production', () => {
  it('clones app + PostgreSQL uat → production (nothing there to back up yet) with new credentials: prod’s password differs from uat’s, the app reaches prod’s database with it, uat is untouched', async () => {
    const uatBefore = await sh('uat', "docker inspect --format '{{.Id}} {{json .Config.Env}}' uat-bkit-db uat-bkit-web");
    const planned = await call('migrations:plan', { projectId, sourceEnvId: env.uat!, targetEnvId: env.production!, resourceIds: [ids.web!, ids.db!] });
    // The new password is in the plan, shown masked and revealed only on demand.
    expect(JSON.stringify(planned.plan)).not.toContain(UAT_PW);
    const revealed = (await call('migrations:reveal', { planId: planned.planId, resourceId: ids.db!, side: 'after', field: { kind: 'env', key: 'POSTGRES_PASSWORD' } })).value;
    expect(revealed).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(JSON.stringify(planned.plan)).not.toContain(revealed);
    const { migrationId, jobId } = await startApproved(planned.planId);
    await app.jobs.finished(jobId);
    const detail = await call('migrations:get', { migrationId });
    expect(detail.migration.status, detail.migration.message ?? '').toBe('completed');
    const prodDbEnv = await envOf('prod', 'production-bkit-db');
    expect(prodDbEnv.POSTGRES_PASSWORD).toBe(revealed);
    expect(prodDbEnv.POSTGRES_PASSWORD).not.toBe(UAT_PW);
    expect((await envOf('prod', 'production-bkit-web')).DATABASE_URL).toBe(`postgres://app:${revealed}@production-bkit-db:5432/app`);
    expect(await sh('prod', `docker exec production-bkit-web python3 -c "import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:8080/health').read().decode())"`)).toContain('"db": "reachable"');
    // uat's password does not open production's database.
    const refused = await host('prod').exec(`docker exec -e PGPASSWORD=${UAT_PW} production-bkit-db psql -h 127.0.0.1 -U app -d app -c 'SELECT 1'`, {});
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/password authentication failed/);
    const log = detail.log.map((line) => line.message).join('\n');
    expect(log).toContain('db POSTGRES_PASSWORD (rewritten in web DATABASE_URL)');
    expect(log).not.toContain(revealed);
    expect(await sh('uat', "docker inspect --format '{{.Id}} {{json .Config.Env}}' uat-bkit-db uat-bkit-web")).toBe(uatBefore);
    firstCloneId = migrationId;
    secrets.add(revealed);
    // uat's domain is left behind (production gets its own when the operator types one), so the reminder says so.
    expect(log).toContain('web label org.opencontainers.image.source (acme/bkit-shop) → point it at production’s URL once it has a domain');
    expect(detail.steps.map((step) => step.title).some((title) => title.startsWith('Back up'))).toBe(false);
    expect(await sh('prod', "docker ps --format '{{.Names}}' --filter name=bkit | sort")).toBe('production-bkit-db\nproduction-bkit-web');
    await sh('prod', "docker exec production-bkit-db psql -U app -d app -c 'CREATE TABLE items (id serial PRIMARY KEY, n int NOT NULL)' -c 'INSERT INTO items (n) SELECT g FROM generate_series(1, 500) g'");
    expect(await rows()).toBe('500|125250');
  });
});

describe('webhook reminders', () => {
  it('the migration page lists what still points at uat, and a GitHub webhook is registered for production with a secret (FAKE GitHub API)', async () => {
    const { reminders } = await call('webhooks:reminders', { migrationId: firstCloneId });
    expect(reminders).toEqual([expect.objectContaining({ resourceName: 'web', site: 'label', key: 'org.opencontainers.image.source', githubRepository: 'acme/bkit-shop', productionUrl: null })]);
    await call('webhooks:set-github-token', { token: GITHUB_TOKEN });
    const { hookId, secretAccount } = await call('webhooks:register-github', { repository: 'acme/bkit-shop', url: 'https://shop.bkit.test/hooks/github' });
    const [request] = github.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/repos/acme/bkit-shop/hooks' });
    const body = request!.body as { name: string; events: string[]; config: { url: string; content_type: string; secret: string; insecure_ssl: string } };
    expect(body).toMatchObject({ name: 'web', events: ['push'], config: { url: 'https://shop.bkit.test/hooks/github', content_type: 'json', insecure_ssl: '0' } });
    expect(body.config.secret).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(secretStore.get(secretAccount)).toBe(body.config.secret);
    secrets.add(body.config.secret);
    expect(hookId).toBe(1);
    secretStore.delete(secretAccount);
  });
});

describe('the backup before a production change', () => {
  it('promotes app + PostgreSQL uat → production with a verified backup first: its SHA-256 is on the migration and pg_restore --list of the file on prod succeeds', async () => {
    await changeUatDb(2);
    const { detail } = await runToEnd([ids.web!, ids.db!]);
    expect(detail.migration.status, detail.migration.message ?? '').toMatch(/^completed/);
    expect(detail.steps[0]).toMatchObject({ title: 'Back up production-bkit-db and verify the backup', status: 'done' });
    const line = detail.log.map((entry) => entry.message).find((message) => message.startsWith('Backup of db:'));
    const [, file, sha] = /^Backup of db: (\S+) \(\d+ bytes, SHA-256 ([0-9a-f]{64})\); verified: SHA-256 read back, pg_restore --list read (\d+) entries/.exec(line ?? '') ?? [];
    expect(file, line).toMatch(new RegExp(`^/root/\\.gantry/backups/${ids.db}/.+\\.pgdump$`));
    // Restored into a throwaway container on prod, it holds what the live database held.
    expect(line).toContain("restored into a throwaway container with the source's content checksum (1 entries)");
    expect(await sh('prod', "docker ps -a --filter name=gantry-verify --format '{{.Names}}'")).toBe('');
    // Independently of Gantry: the file on prod has that SHA-256 and PostgreSQL's own tool reads it.
    expect(await sh('prod', `sha256sum ${file} | cut -d ' ' -f 1`)).toBe(sha);
    const toc = await sh('prod', `docker exec -i production-bkit-db pg_restore --list < ${file}`);
    expect(toc).toMatch(/TABLE public items/);
    expect(await sh('prod', `stat -c %a ${file}`)).toBe('600');
    // The server's list of backups has it, with the migration that made it.
    const { backups } = await listBackups(host('prod'), { resourceId: ids.db! });
    expect(backups[0]).toMatchObject({ file, sha256: sha, migrationId: detail.migration.id, resourceName: 'db', databaseType: 'postgresql' });
    firstBackupId = backups[0]!.id;
    expect(JSON.stringify(backups)).not.toContain(UAT_PW);
  });

  it('a fault after the backup (the web image vanishes from uat before it is sent) fails the run and leaves production as before', async () => {
    // A web image that exists only on uat, so the promote must send it.
    await sh('uat', 'docker rm -fv uat-bkit-web >/dev/null; docker rm -fv bkit-commit >/dev/null 2>&1; docker run -d --name bkit-commit gantry-lab/webapp:2 >/dev/null && docker exec bkit-commit sh -c "date +%s%N > /marker" && docker commit bkit-commit bkit/webapp:fresh >/dev/null && docker rm -fv bkit-commit >/dev/null');
    await sh('uat', webRun('bkit/webapp:fresh'));
    await changeUatDb(3);
    const before = { state: await prodState(), rows: await rows() };
    const backupsBefore = (await listBackups(host('prod'), { resourceId: ids.db! })).backups.length;

    const planned = await call('migrations:plan', { projectId, sourceEnvId: env.uat!, targetEnvId: env.production!, resourceIds: [ids.web!, ids.db!] });
    expect(planned.plan.steps[0]?.kind).toBe('backup-database');
    // The fault: the image is gone from the source before the run sends it.
    await sh('uat', 'docker rm -fv uat-bkit-web >/dev/null && docker image rm -f bkit/webapp:fresh >/dev/null');
    // All or nothing: the database's own promote would otherwise complete beside the failed web (a batch).
    const { migrationId, jobId } = await startApproved(planned.planId, { ...OPTIONS, allOrNothing: true });
    await app.jobs.finished(jobId).catch(() => undefined);
    const detail = await call('migrations:get', { migrationId });
    expect(detail.migration.status, detail.migration.message ?? '').toBe('failed');
    // Undone means only that no unfinished dump is left: the finished backup stays (checked below).
    expect(detail.steps[0]).toMatchObject({ title: 'Back up production-bkit-db and verify the backup', status: 'undone' });
    expect(detail.migration.message).toMatch(/bkit\/webapp:fresh|image/i);
    expect(detail.migration.message).toMatch(/undone/);
    expect({ state: await prodState(), rows: await rows() }).toEqual(before);
    // The backup stays: it is the safety net even of an undone run.
    expect((await listBackups(host('prod'), { resourceId: ids.db! })).backups.length).toBe(backupsBefore + 1);
    await sh('uat', webRun('gantry-lab/webapp:1'));
  });

  it('a backup that cannot be made (the database container is paused) stops the run before anything changed, and leaves no file', async () => {
    const before = { state: await prodState(), rows: await rows() };
    const backupsBefore = (await listBackups(host('prod'), { resourceId: ids.db! })).backups.length;
    await changeUatDb(4);
    await sh('prod', 'docker pause production-bkit-db >/dev/null');
    try {
      const { detail } = await runToEnd([ids.db!]);
      expect(detail.migration.status).toBe('failed');
      expect(detail.steps.map((step) => [step.title, step.status])).toEqual([['Back up production-bkit-db and verify the backup', 'undone']]);
      expect(detail.migration.message).toMatch(/Could not dump production-bkit-db/);
    } finally {
      await sh('prod', 'docker unpause production-bkit-db >/dev/null');
    }
    expect({ state: await prodState(), rows: await rows() }).toEqual(before);
    expect((await listBackups(host('prod'), { resourceId: ids.db! })).backups.length).toBe(backupsBefore);
    expect(await sh('prod', `ls $HOME/.gantry/backups/${ids.db} | grep -c partial || true`)).toBe('0');
  });
});

describe('a backup that its reader accepts but that does not restore', () => {
  it('(an index on a function that depends on the search path: pg_restore --list reads it) stops the run before anything changed, and leaves no file', async () => {
    const before = { state: await prodState(), rows: await rows() };
    const backupsBefore = (await listBackups(host('prod'), { resourceId: ids.db! })).backups.length;
    await sh('prod', `docker exec production-bkit-db psql -U app -d app -v ON_ERROR_STOP=1 -c "CREATE TABLE lookup (x int); INSERT INTO lookup VALUES (1); CREATE FUNCTION lookup_x(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x FROM lookup LIMIT 1'; CREATE INDEX items_lookup ON items (lookup_x(n));"`);
    try {
      await changeUatDb(5);
      const { detail } = await runToEnd([ids.db!]);
      expect(detail.migration.status).toBe('failed');
      expect(detail.steps.map((step) => [step.title, step.status])).toEqual([['Back up production-bkit-db and verify the backup', 'undone']]);
      expect(detail.migration.message).toMatch(/could not be restored into a throwaway container on .*lookup.*Nothing was changed/);
      expect({ state: await prodState(), rows: await rows() }).toEqual(before);
      expect((await listBackups(host('prod'), { resourceId: ids.db! })).backups.length).toBe(backupsBefore);
      expect(await sh('prod', `ls $HOME/.gantry/backups/${ids.db} | grep -c -v backup.json || true`)).toBe(String(backupsBefore));
      expect(await sh('prod', "docker ps -a --filter name=gantry-verify --format '{{.Names}}'")).toBe('');
    } finally {
      await sh('prod', 'docker exec production-bkit-db psql -U app -d app -c "DROP INDEX items_lookup; DROP FUNCTION lookup_x(int); DROP TABLE lookup;"');
    }
  });
});

describe('Restore this backup', () => {
  async function restore(backupId: string) {
    const { migrationId, jobId } = await call('backups:restore', { environmentId: env.production!, resourceId: ids.db!, backupId });
    await app.jobs.finished(jobId).catch(() => undefined);
    return call('migrations:get', { migrationId });
  }

  it('History lists the backups of the database with size, time and the migration that made each', async () => {
    const { backups } = await call('backups:list', { environmentId: env.production!, resourceId: ids.db! });
    expect(backups.length).toBeGreaterThanOrEqual(2);
    expect(backups.map((backup) => backup.takenAt)).toEqual([...backups.map((backup) => backup.takenAt)].sort((a, b) => b - a));
    expect(backups.every((backup) => backup.sizeBytes > 0 && backup.migrationId.length > 0)).toBe(true);
  });

  it('brings production’s data back to the backup’s content checksum, after a fresh backup of what it replaces', async () => {
    await sh('prod', "docker exec production-bkit-db psql -U app -d app -c 'DELETE FROM items WHERE n > 100' -c 'INSERT INTO items (n) VALUES (7)'");
    expect(await rows()).toBe('101|5057');
    const detail = await restore(firstBackupId);
    expect(detail.migration.status, detail.migration.message ?? '').toBe('completed');
    expect(detail.steps.map((step) => [step.title.replace(/of .+ UTC$/, 'of <time> UTC'), step.status])).toEqual([
      ['Back up production-bkit-db and verify the backup', 'done'],
      ['Restore production-bkit-db from its backup of <time> UTC', 'done'],
    ]);
    expect(await rows()).toBe('500|125250');
    const { backups } = await call('backups:list', { environmentId: env.production!, resourceId: ids.db! });
    const restored = backups.find((backup) => backup.id === firstBackupId)!;
    expect(detail.log.map((line) => line.message).join('\n')).toContain(`holds the content of ${firstBackupId} again (content checksum ${restored.contentChecksum})`);
    // The fresh backup of the replaced data is there: the restore can itself be undone from it.
    const fresh = backups.find((backup) => backup.migrationId === detail.migration.id);
    expect(fresh?.contentChecksum).not.toBe(restored.contentChecksum);
  });

  it('refuses a backup whose file changed since it was taken, and leaves the data as it was', async () => {
    const { backups } = await call('backups:list', { environmentId: env.production!, resourceId: ids.db! });
    const target = backups.find((backup) => backup.id === firstBackupId)!;
    await sh('prod', "docker exec production-bkit-db psql -U app -d app -c 'INSERT INTO items (n) VALUES (1)'");
    const before = await rows();
    await sh('prod', `cp -p ${target.file} ${target.file}.orig && printf x >> ${target.file}`);
    try {
      const detail = await restore(firstBackupId);
      expect(detail.migration.status).toBe('failed');
      expect(detail.migration.message).toMatch(/was changed since it was taken/);
    } finally {
      await sh('prod', `mv ${target.file}.orig ${target.file}`);
    }
    expect(await rows()).toBe(before);
  });
});

describe('Rotate credentials of a live production database', () => {
  it('sets a new password in PostgreSQL itself and recreates the app with it: the app keeps working and the old password is refused', async () => {
    const old = (await envOf('prod', 'production-bkit-db')).POSTGRES_PASSWORD!;
    // Retention (a setting on prod itself): keep 2; the rotation's completed run prunes the rest.
    expect((await call('backups:set-retention', { environmentId: env.production!, keep: 2 })).keep).toBe(2);
    expect((await call('backups:list', { environmentId: env.production!, resourceId: ids.db! })).backups.length).toBeGreaterThan(2);
    const { migrationId, jobId } = await call('credentials:rotate', { environmentId: env.production!, resourceId: ids.db! });
    await app.jobs.finished(jobId).catch(() => undefined);
    const detail = await call('migrations:get', { migrationId });
    expect(detail.migration.status, `${detail.migration.message} ${JSON.stringify(detail.log.slice(-5))}`).toMatch(/^completed/);
    expect(detail.steps.map((step) => step.title)).toEqual([
      'Back up production-bkit-db and verify the backup',
      'Set a new password in production-bkit-db',
      'Recreate production-bkit-web with the new credentials',
      'Wait for production-bkit-web to be healthy',
      'Recreate production-bkit-db with the new credentials',
      'Wait for production-bkit-db to be healthy',
      'Record production-bkit-web',
      'Record production-bkit-db',
    ]);
    const { value: rotated } = await call('credentials:reveal', { environmentId: env.production!, resourceId: ids.db!, variable: 'POSTGRES_PASSWORD' });
    secrets.add(rotated);
    expect(rotated).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(rotated).not.toBe(old);
    expect((await envOf('prod', 'production-bkit-web')).DATABASE_URL).toBe(`postgres://app:${rotated}@production-bkit-db:5432/app`);
    expect(await sh('prod', `docker exec production-bkit-web python3 -c "import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:8080/health').read().decode())"`)).toContain('"db": "reachable"');
    const login = (password: string) => host('prod').exec(`docker exec -e PGPASSWORD=${password} production-bkit-db psql -h 127.0.0.1 -U app -d app -tA -c 'SELECT 1'`, {});
    expect((await login(rotated)).stdout.trim()).toBe('1');
    const refused = await login(old);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/password authentication failed/);
    expect(detail.log.map((line) => line.message).join('\n')).not.toContain(rotated);
    expect(await rows()).toMatch(/^\d+\|\d+$/);
    const kept = (await call('backups:list', { environmentId: env.production!, resourceId: ids.db! })).backups;
    // The newest two, and the backup of the first promote: a completed migration that can still be rolled back keeps its backup.
    expect(kept.length).toBeGreaterThanOrEqual(3);
    expect(kept[0]!.migrationId).toBe(migrationId);
    expect(kept.map((backup) => backup.id)).toContain(firstBackupId);
    expect(detail.log.map((line) => line.message).join('\n')).toMatch(/Retention removed \d+ older backups of db/);
  });
});

describe('the secret sweep of this flow', () => {
  it('finds none of the seeded, rotated or registered secrets in gantry.db, its WAL or any log', () => {
    expect(secrets.size).toBe(5);
    const files = ['gantry.db', 'gantry.db-wal', ...readdirSync(join(dataDir, 'logs')).map((name) => join('logs', name))].filter((name) => existsSync(join(dataDir, name)));
    expect(files).toEqual(expect.arrayContaining(['gantry.db', join('logs', 'gantry.log')]));
    const found = files.flatMap((name) => {
      const text = readFileSync(join(dataDir, name)).toString('latin1');
      return [...secrets].filter((secret) => text.includes(secret)).map((secret) => `${name}: ${secret.slice(0, 4)}…`);
    });
    expect(found).toEqual([]);
  });
});
