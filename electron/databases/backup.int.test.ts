/**
 * The road to production against the lab (real sshd, dockerd and PostgreSQL on uat and prod): an
 * app and its PostgreSQL run on uat, are cloned into production, and promoted again. Every
 * promote into production takes a verified backup on prod first; a fault after the backup leaves
 * production as it was. Run inside a real keychain and under the lab lock:
 * flock /tmp/gantry-labtest.lock bash .ci/with-keyring.sh npx vitest run --project integration electron/databases/backup.int.test.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RequestChannel, RequestOf, ResponseOf } from '@shared/ipc/contract';
import { createApp, type GantryApp } from '../app/create-app';
import { createOsKeychain } from '../keychain/secret-store';
import { listBackups } from './backup-manifest';

const lab = inject('lab');
const dataDir = mkdtempSync(join(tmpdir(), 'gantry-backup-int-'));
const secretStore = createOsKeychain('Gantry-test-backup');
let app: GantryApp;
const serverIds: Record<string, string> = {};
let projectId = '';
const env: Record<string, string> = {};
const ids: Record<string, string> = {};
/** uat's database password: unique per run, so a search for it cannot hit anything else. */
const UAT_PW = `uat-pw-${Date.now().toString(36)}`;
const OPTIONS = { waitForReady: true, healthTimeoutSec: 120 };

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

/** Production's content as a user would compare it: the rows of the app's table (waiting while PostgreSQL starts). */
const rows = () => sh('prod', `for i in $(seq 1 60); do docker exec production-bkit-db pg_isready -q -U app -d app && break; sleep 1; done; docker exec production-bkit-db psql -U app -d app -tA -c 'SELECT count(*), coalesce(sum(n), 0) FROM items'`);

/** Production's containers (name, id, state), volumes and networks of this test. */
const prodState = () =>
  sh('prod', "docker ps -a --filter name=bkit --format '{{.Names}} {{.ID}} {{.Image}} {{.State}}' | sort; docker volume ls -q --filter name=bkit | sort; docker network ls --filter name=bkit --format '{{.Name}}' | sort");

async function runToEnd(resourceIds: string[], options: RequestOf<'migrations:start'>['options'] = OPTIONS) {
  const planned = await call('migrations:plan', { projectId, sourceEnvId: env.uat!, targetEnvId: env.production!, resourceIds });
  expect(planned.plan.blocking, JSON.stringify(planned.plan.prechecks)).toBe(false);
  const { migrationId, jobId } = await call('migrations:start', { planId: planned.planId, options });
  await app.jobs.finished(jobId).catch(() => undefined);
  return { planned, detail: await call('migrations:get', { migrationId }) };
}

const webRun = (image: string) =>
  `docker run -d --name uat-bkit-web --init --network bkit-uat -e DATABASE_URL=postgres://app:${UAT_PW}@uat-bkit-db:5432/app -p 18380:8080 --health-cmd "python3 -c \\"import urllib.request;urllib.request.urlopen('http://127.0.0.1:8080/health')\\"" --health-interval 2s --health-retries 20 ${image}`;

/** uat's database, recreated on the same volume with a revision label: a change a promote carries to production. */
const uatDbRun = (rev: number) =>
  `docker rm -f uat-bkit-db >/dev/null 2>&1; docker run -d --name uat-bkit-db --init --network bkit-uat -l bkit.rev=${rev} -e POSTGRES_USER=app -e POSTGRES_PASSWORD=${UAT_PW} -e POSTGRES_DB=app -v uat-bkit-db-data:/var/lib/postgresql/data --health-cmd 'pg_isready -U app -d app' --health-interval 2s --health-retries 30 gantry-lab/postgres:15 >/dev/null`;

/** Changes uat's database so the next promote replaces production's (an unchanged resource gets no steps). */
async function changeUatDb(rev: number): Promise<void> {
  await sh('uat', uatDbRun(rev));
  await call('inventory:discover', { projectId }).then(({ jobId }) => app.jobs.finished(jobId));
}

const cleanup = [
  'docker rm -f $(docker ps -aq --filter name=bkit) >/dev/null 2>&1',
  'docker volume rm $(docker volume ls -q --filter name=bkit) >/dev/null 2>&1',
  'docker network rm $(docker network ls -q --filter name=bkit) >/dev/null 2>&1',
  'docker image rm -f bkit/webapp:fresh >/dev/null 2>&1',
  'rm -rf /tmp/gantry-locks',
  'true',
].join('; ');

beforeAll(async () => {
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
  for (const name of ['uat', 'prod'] as const) await sh(name, cleanup).catch(() => undefined);
  for (const id of Object.values(ids)) await sh('prod', `rm -rf $HOME/.gantry/backups/${id}`).catch(() => undefined);
  secretStore.delete('inventory:spec-fingerprint-key');
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the first clone into production', () => {
  it('clones app + PostgreSQL uat → production (nothing there to back up yet) and the app reaches its database', async () => {
    const { detail } = await runToEnd([ids.web!, ids.db!]);
    expect(detail.migration.status, detail.migration.message ?? '').toBe('completed');
    expect(detail.steps.map((step) => step.title).some((title) => title.startsWith('Back up'))).toBe(false);
    expect(await sh('prod', "docker ps --format '{{.Names}}' --filter name=bkit | sort")).toBe('production-bkit-db\nproduction-bkit-web');
    await sh('prod', "docker exec production-bkit-db psql -U app -d app -c 'CREATE TABLE items (id serial PRIMARY KEY, n int NOT NULL)' -c 'INSERT INTO items (n) SELECT g FROM generate_series(1, 500) g'");
    expect(await rows()).toBe('500|125250');
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
    // Independently of Gantry: the file on prod has that SHA-256 and PostgreSQL's own tool reads it.
    expect(await sh('prod', `sha256sum ${file} | cut -d ' ' -f 1`)).toBe(sha);
    const toc = await sh('prod', `docker exec -i production-bkit-db pg_restore --list < ${file}`);
    expect(toc).toMatch(/TABLE public items/);
    expect(await sh('prod', `stat -c %a ${file}`)).toBe('600');
    // The server's list of backups has it, with the migration that made it.
    const { backups } = await listBackups(host('prod'), { resourceId: ids.db! });
    expect(backups[0]).toMatchObject({ file, sha256: sha, migrationId: detail.migration.id, resourceName: 'db', databaseType: 'postgresql' });
    expect(JSON.stringify(backups)).not.toContain(UAT_PW);
  });

  it('a fault after the backup (the web image vanishes from uat before it is sent) fails the run and leaves production as before', async () => {
    // A web image that exists only on uat, so the promote must send it.
    await sh('uat', 'docker rm -f uat-bkit-web >/dev/null; docker rm -f bkit-commit >/dev/null 2>&1; docker run -d --name bkit-commit gantry-lab/webapp:2 >/dev/null && docker exec bkit-commit sh -c "date +%s%N > /marker" && docker commit bkit-commit bkit/webapp:fresh >/dev/null && docker rm -f bkit-commit >/dev/null');
    await sh('uat', webRun('bkit/webapp:fresh'));
    await changeUatDb(3);
    const before = { state: await prodState(), rows: await rows() };
    const backupsBefore = (await listBackups(host('prod'), { resourceId: ids.db! })).backups.length;

    const planned = await call('migrations:plan', { projectId, sourceEnvId: env.uat!, targetEnvId: env.production!, resourceIds: [ids.web!, ids.db!] });
    expect(planned.plan.steps[0]?.kind).toBe('backup-database');
    // The fault: the image is gone from the source before the run sends it.
    await sh('uat', 'docker rm -f uat-bkit-web >/dev/null && docker image rm -f bkit/webapp:fresh >/dev/null');
    const { migrationId, jobId } = await call('migrations:start', { planId: planned.planId, options: OPTIONS });
    await app.jobs.finished(jobId).catch(() => undefined);
    const detail = await call('migrations:get', { migrationId });
    expect(detail.migration.status, detail.migration.message ?? '').toBe('failed');
    expect(detail.steps[0]).toMatchObject({ title: 'Back up production-bkit-db and verify the backup', status: 'done' });
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
      expect(detail.steps.map((step) => [step.title, step.status])).toEqual([['Back up production-bkit-db and verify the backup', 'failed']]);
      expect(detail.migration.message).toMatch(/Could not dump production-bkit-db/);
    } finally {
      await sh('prod', 'docker unpause production-bkit-db >/dev/null');
    }
    expect({ state: await prodState(), rows: await rows() }).toEqual(before);
    expect((await listBackups(host('prod'), { resourceId: ids.db! })).backups.length).toBe(backupsBefore);
    expect(await sh('prod', `ls $HOME/.gantry/backups/${ids.db} | grep -c partial || true`)).toBe('0');
  });
});
