/**
 * The migration engine against the lab: real sshd and dockerd on dev, uat and prod. An app and
 * its PostgreSQL are started on dev by hand, adopted, then cloned and promoted up the chain
 * through the same IPC channels the UI uses, and rolled back. Faults use the lab's switches.
 * Run inside a real keychain: bash .ci/with-keyring.sh npx vitest run --project integration electron/migrations
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RequestChannel, RequestOf, ResponseOf } from '@shared/ipc/contract';
import type { ErrorValue } from '@shared/ipc/result';
import { MASK } from '@shared/redact';
import { createApp, type GantryApp } from '../app/create-app';
import { watchMigrationEnds } from '../app/desktop-notices';
import { createOsKeychain } from '../keychain/secret-store';
import { labFault } from '../../lab/lab-client';
import { TARGET_LOCK_KEY } from './gather';
import { acquireTargetLock } from './target-lock';

const lab = inject('lab');
const dataDir = mkdtempSync(join(tmpdir(), 'gantry-migrations-int-'));
const secretStore = createOsKeychain('Gantry-test-migrations');
let app: GantryApp;
const serverIds: Record<string, string> = {};
let projectId = '';
const env: Record<string, string> = {};
const resources: Record<string, string> = {};
const desktopNotices: { migrationId: string; title: string }[] = [];

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
  if (result.code !== 0) throw new Error(`${server}: ${command} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * Names, ids, images and states of this test's containers, volumes and networks on a server, and
 * the web app image tags: what "nothing changed" compares (other tests may share the lab).
 */
async function containerState(server: 'dev' | 'uat'): Promise<string> {
  return sh(
    server,
    `docker ps -a --filter name=migit --format '{{.Names}} {{.ID}} {{.Image}} {{.Status}}' | sort; docker volume ls -q --filter name=migit | sort; docker network ls --filter name=migit --format '{{.Name}}' | sort; docker image ls --format '{{.Repository}}:{{.Tag}} {{.ID}}' gantry-lab/webapp | sort; crontab -l 2>/dev/null | grep gantry || true`,
  ).then((text) =>
    text.replace(/Up [^\n]*/g, 'Up'),
  );
}

async function webHealth(server: 'dev' | 'uat', container: string): Promise<string> {
  return sh(server, `docker exec ${container} python3 -c "import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:8080/health').read().decode())" 2>&1 || true`);
}

async function envOf(server: 'dev' | 'uat', container: string): Promise<Record<string, string>> {
  const lines = JSON.parse(await sh(server, `docker inspect --format '{{json .Config.Env}}' ${container}`)) as string[];
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

async function labelsOf(server: 'dev' | 'uat', container: string): Promise<Record<string, string>> {
  return JSON.parse(await sh(server, `docker inspect --format '{{json .Config.Labels}}' ${container}`)) as Record<string, string>;
}

async function discover(): Promise<void> {
  const { jobId } = await call('inventory:discover', { projectId });
  await app.jobs.finished(jobId);
}

async function plan(resourceIds: string[], from = 'dev', to = 'uat') {
  return call('migrations:plan', { projectId, sourceEnvId: env[from]!, targetEnvId: env[to]!, resourceIds });
}

async function runToEnd(resourceIds: string[], options: RequestOf<'migrations:start'>['options'] = { waitForReady: true, healthTimeoutSec: 120 }) {
  const planned = await plan(resourceIds);
  expect(planned.plan.blocking, JSON.stringify(planned.plan.prechecks)).toBe(false);
  const { migrationId, jobId } = await call('migrations:start', { planId: planned.planId, options });
  await app.jobs.finished(jobId);
  return { planned, detail: await call('migrations:get', { migrationId }) };
}

const DB = 'postgres://app:dev-pw@dev-migit-db:5432/app';
/** The database's scheduled task: names the database container (to be rewired) and uses `%` (which cron would turn into a newline unless escaped). */
const READY_CHECK = 'pg_isready -h dev-migit-db -U app >> /tmp/cron-ran 2>&1; date +%s >> /tmp/cron-ran';
const cleanup = [
  `docker rm -fv $(docker ps -aq --filter name=migit) >/dev/null 2>&1`,
  `docker volume rm $(docker volume ls -q --filter name=migit) >/dev/null 2>&1`,
  `docker network rm $(docker network ls -q --filter name=migit) >/dev/null 2>&1`,
  `docker image rm -f migit/webapp:net migit/webapp:stream ${lab.registry}/migit/webapp:reg >/dev/null 2>&1`,
  `rm -rf /tmp/gantry-locks`,
  `crontab -r 2>/dev/null`,
  'true',
].join('; ');

/** Commits a fresh image on dev (webapp v2 plus a marker file): an image id that exists nowhere else. */
async function commitFreshImage(tag: string, options: { push?: boolean } = {}): Promise<string> {
  await sh(
    'dev',
    `docker rm -fv dev-migit-web migit-commit >/dev/null 2>&1; docker run -d --name migit-commit gantry-lab/webapp:2 >/dev/null && docker exec migit-commit sh -c 'date +%s%N > /stream-marker' && docker commit migit-commit ${tag} >/dev/null && docker rm -fv migit-commit >/dev/null`,
  );
  if (options.push) await sh('dev', `docker push -q ${tag} >/dev/null`);
  return sh('dev', `docker image inspect --format '{{.Id}}' ${tag}`);
}

/** Collects the "N MB sent" progress of image transfers, as the UI receives it on job:event; call the result to stop. */
function collectSentMb(into: number[]): () => void {
  const unsubscribe = app.events.subscribe((event, payload) => {
    const update = payload as { type?: string; message?: string };
    const sent = event === 'job:event' && update.type === 'progress' ? /^([\d.]+) MB sent$/.exec(update.message ?? '') : null;
    if (sent) into.push(Number(sent[1]));
  });
  return () => void unsubscribe();
}

/**
 * dev's web app; `neverHealthy` gives it a health check that never reports (the health gate then
 * waits, for faults to land in); `run` labels it, so a promote of an otherwise equal spec has
 * something to change (an unchanged resource gets no steps).
 */
function runWeb(image: 1 | 2 | string, options: { neverHealthy?: boolean; noHealthcheck?: boolean; run?: string } = {}): string {
  return [
    `docker run -d --name dev-migit-web --init --network migit-dev --restart unless-stopped${options.run ? ` -l migit.run=${options.run}` : ''}`,
    `-e DATABASE_URL=${DB} -e APP_MODE=dev -p 18280:8080`,
    options.noHealthcheck
      ? ''
      : options.neverHealthy
      ? `--health-cmd 'sleep 3600' --health-timeout 3600s --health-interval 2s`
      : `--health-cmd "python3 -c \\"import urllib.request;urllib.request.urlopen('http://127.0.0.1:8080/health')\\"" --health-interval 2s --health-retries 20`,
    typeof image === 'string' ? image : `gantry-lab/webapp:${image}`,
  ].join(' ');
}

beforeAll(async () => {
  app = createApp({ dataDir, version: 'test', secretStore });
  // What the Electron entry would show as desktop notifications (no OS notifications under plain Node).
  watchMigrationEnds(app.events, (notice) => desktopNotices.push(notice));
  if (process.env.GANTRY_TEST_EVENTS) {
    const { appendFileSync } = await import('node:fs');
    app.events.subscribe((event, payload) => appendFileSync(process.env.GANTRY_TEST_EVENTS!, `${new Date().toISOString()} ${event} ${JSON.stringify(payload)}\n`));
  }
  for (const name of ['dev', 'uat', 'prod'] as const) {
    const server = lab.servers[name];
    const { server: saved } = await call('servers:save', {
      server: { name: `mig-${name}`, host: server.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
      pin: { fingerprint: server.hostKey.fingerprint, algorithm: server.hostKey.publicKey.split(' ')[0]! },
    });
    serverIds[name] = saved.id;
    await sh(name, cleanup);
  }
  await sh('dev', 'docker network create migit-dev >/dev/null');
  await sh(
    'dev',
    `docker run -d --name dev-migit-db --init --network migit-dev -e POSTGRES_USER=app -e POSTGRES_PASSWORD=dev-pw -e POSTGRES_DB=app -v dev-migit-db-data:/var/lib/postgresql/data --health-cmd 'pg_isready -U app -d app' --health-interval 2s --health-retries 30 gantry-lab/postgres:15`,
  );
  await sh('dev', runWeb(1));

  const { project } = await call('projects:create', { name: 'Migration engine test', environments: [{ name: 'dev' }, { name: 'uat' }, { name: 'production', production: true }] });
  projectId = project.id;
  const chain = (await call('inventory:graph', { projectId })).environments;
  for (const [environment, server] of chain.map((e, i) => [e, (['dev', 'uat', 'prod'] as const)[i]!] as const)) {
    await call('environments:bind', { environmentId: environment.id, serverId: serverIds[server]! });
    env[environment.name] = environment.id;
  }
  const db = await call('resources:adopt', {
    environmentId: env.dev!,
    container: 'dev-migit-db',
    resource: { name: 'db', kind: 'database', databaseType: 'postgresql', scheduledTasks: [{ name: 'ready-check', schedule: '* * * * *', command: READY_CHECK, enabled: true }] },
  });
  resources.db = db.resource.id;
  const web = await call('resources:adopt', { environmentId: env.dev!, container: 'dev-migit-web', resource: { name: 'web', kind: 'application', links: [db.resource.id] } });
  resources.web = web.resource.id;
});

afterAll(async () => {
  await labFault('dev', 'net-restore').catch(() => undefined);
  await labFault('dev', 'net-fast').catch(() => undefined);
  await labFault('uat', 'docker-start').catch(() => undefined);
  const within = (promise: Promise<unknown>) => Promise.race([promise.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 60_000))]);
  for (const name of Object.keys(serverIds) as ('dev' | 'uat' | 'prod')[]) await within(sh(name, cleanup));
  secretStore.delete('inventory:spec-fingerprint-key');
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('planning', () => {
  it('is a dry run: containers, volumes and networks on dev and uat are identical before and after', async () => {
    const before = [await containerState('dev'), await containerState('uat')];
    const { plan: shown } = await plan([resources.web!, resources.db!]);
    expect(shown.resources.map((r) => [r.name, r.mode])).toEqual([
      ['db', 'clone'],
      ['web', 'clone'],
    ]);
    expect(shown.diff.unified).toContain('uat-migit-db');
    expect(JSON.stringify(shown)).not.toContain('dev-pw');
    expect([await containerState('dev'), await containerState('uat')]).toEqual(before);
  });

  it('reveals one masked value on demand, from the plan shown, and logs that it did without the value', async () => {
    const { planId, plan: shown } = await plan([resources.web!, resources.db!]);
    const db = shown.diff.resources.find((diff) => diff.name === 'db')!;
    expect(db.envAdded.find((entry) => entry.key === 'POSTGRES_PASSWORD')?.value).toBe(MASK);
    const web = shown.diff.resources.find((diff) => diff.name === 'web')!;
    expect(web.rewired.find((entry) => entry.key === 'DATABASE_URL')?.before).toBe(`postgres://app:${MASK}@dev-migit-db:5432/app`);

    const reveal = (resourceId: string, side: 'before' | 'after', field: RequestOf<'migrations:reveal'>['field']) => call('migrations:reveal', { planId, resourceId, side, field });
    expect(await reveal(resources.db!, 'after', { kind: 'env', key: 'POSTGRES_PASSWORD' })).toEqual({ value: 'dev-pw' });
    expect(await reveal(resources.web!, 'before', { kind: 'rewired', site: 'env', key: 'DATABASE_URL' })).toEqual({ value: DB });
    expect(await reveal(resources.web!, 'after', { kind: 'rewired', site: 'env', key: 'DATABASE_URL' })).toEqual({ value: 'postgres://app:dev-pw@uat-migit-db:5432/app' });

    const missing = await callError('migrations:reveal', { planId, resourceId: resources.db!, side: 'after', field: { kind: 'env', key: 'NO_SUCH_VAR' } });
    expect(missing.message).toBe('db has no env NO_SUCH_VAR after the migration.');
    expect((await callError('migrations:reveal', { planId: 'not-a-plan', resourceId: resources.db!, side: 'after', field: { kind: 'env', key: 'POSTGRES_PASSWORD' } })).code).toBe('plan_expired');
    expect((await callError('migrations:reveal', { planId, resourceId: resources.db!, side: 'after', field: { kind: 'file', path: '/etc/shadow' } } as never)).code).toBe('invalid_request');

    const log = readFileSync(join(dataDir, 'logs', 'gantry.log'), 'utf8');
    expect(log).toContain('"field":"env POSTGRES_PASSWORD"');
    expect(log).not.toContain('dev-pw');
  });

  it('rejects dev → production at plan time, naming the environment to go through', async () => {
    const error = await callError('migrations:plan', { projectId, sourceEnvId: env.dev!, targetEnvId: env.production!, resourceIds: [resources.web!] });
    expect(error.message).toMatch(/uat/);
    expect(error.message).toMatch(/production/);
  });
});

describe('clone, promote, rollback', () => {
  it('clones app + PostgreSQL dev → uat, rewired so the app reaches uat’s database', async () => {
    const { detail, planned } = await runToEnd([resources.web!, resources.db!]);
    expect(detail.migration.status, detail.migration.message ?? '').toBe('completed');
    expect(desktopNotices.filter((notice) => notice.migrationId === detail.migration.id).map((notice) => notice.title)).toEqual(['Migration dev → uat completed']);
    // The link web → db holds on uat: both containers share uat's network.
    expect(detail.steps.map((step) => step.title)).toContain('Check that web reaches uat-migit-db');
    expect(detail.log.map((line) => line.message).join('\n')).toMatch(/uat-migit-web reaches uat-migit-db on network \S+/);
    // A started plan is gone: nothing of it can be revealed any more.
    expect((await callError('migrations:reveal', { planId: planned.planId, resourceId: resources.db!, side: 'after', field: { kind: 'env', key: 'POSTGRES_PASSWORD' } })).code).toBe('plan_expired');
    const names = await sh('uat', `docker ps --format '{{.Names}}' | grep migit | sort`);
    expect(names.split('\n')).toEqual(['uat-migit-db', 'uat-migit-web']);
    expect((await envOf('uat', 'uat-migit-web')).DATABASE_URL).toBe('postgres://app:dev-pw@uat-migit-db:5432/app');
    expect(await webHealth('uat', 'uat-migit-web')).toContain('"db": "reachable"');
    expect(await sh('uat', 'docker volume ls -q | grep migit')).toBe('uat-migit-db-data');
    // The container carries the hash Gantry recorded.
    await discover();
    const graph = await call('inventory:graph', { projectId });
    const cell = graph.cells.find((c) => c.resourceId === resources.web && c.environmentId === env.uat);
    expect(cell?.status).toBe('in_sync');
    expect((await labelsOf('uat', 'uat-migit-web'))['gantry.config-hash']).toBe(cell?.container?.specHash);
    // The database's scheduled task is a line of uat's crontab, rewired to uat's container.
    const crontab = await sh('uat', 'crontab -l');
    expect(crontab).toContain(`# gantry:${resources.db}:ready-check`);
    expect(crontab).toContain("docker exec 'uat-migit-db' sh -c 'pg_isready -h uat-migit-db");
    expect(crontab).not.toContain('dev-migit-db');
    // The source was never modified.
    expect((await envOf('dev', 'dev-migit-web')).DATABASE_URL).toBe(DB);
    expect(await sh('dev', 'crontab -l 2>/dev/null | grep -c gantry || true')).toBe('0');
  });

  it('promotes v2 to uat: uat runs v2, keeps its own env var and domain label; rollback brings v1 back with the previous hash', async () => {
    // uat gets a var and a routing label of its own, by hand.
    const uatEnv = await envOf('uat', 'uat-migit-web');
    await sh('uat', 'docker rm -fv uat-migit-web >/dev/null');
    await sh(
      'uat',
      `docker run -d --name uat-migit-web --init --network migit-uat -e DATABASE_URL='${uatEnv.DATABASE_URL}' -e APP_MODE=dev -e UAT_ONLY=keep-me -p 18280:8080 -l 'traefik.http.routers.web.rule=Host(\`uat.example.test\`)' gantry-lab/webapp:1`,
    );
    await discover();
    const changedByHand = (await call('inventory:graph', { projectId })).cells.find((c) => c.resourceId === resources.web && c.environmentId === env.uat);
    expect(changedByHand?.status).toBe('drifted');
    const v1Hash = changedByHand?.container?.specHash;

    await sh('dev', 'docker rm -fv dev-migit-web >/dev/null');
    await sh('dev', runWeb(2));
    const { planned, detail } = await runToEnd([resources.web!]);
    expect(planned.plan.resources.map((r) => r.mode)).toEqual(['promote']);
    expect(detail.migration.status, detail.migration.message ?? '').toMatch(/^completed/);
    expect(await sh('uat', "docker inspect --format '{{.Config.Image}}' uat-migit-web")).toBe('gantry-lab/webapp:2');
    const promotedEnv = await envOf('uat', 'uat-migit-web');
    expect(promotedEnv.UAT_ONLY).toBe('keep-me');
    expect(promotedEnv.DATABASE_URL).toBe(uatEnv.DATABASE_URL);
    expect((await labelsOf('uat', 'uat-migit-web'))['traefik.http.routers.web.rule']).toBe('Host(`uat.example.test`)');
    expect(await sh('uat', `docker ps -a --format '{{.Names}}' | grep migit | grep -c gantry-old || true`)).toBe('0');

    const rollback = await call('migrations:rollback', { migrationId: detail.migration.id, options: { waitForReady: true, healthTimeoutSec: 60 } });
    await app.jobs.finished(rollback.jobId);
    const rolledBack = await call('migrations:get', { migrationId: rollback.migrationId });
    expect(rolledBack.migration.status, rolledBack.migration.message ?? '').toMatch(/^completed/);
    expect(await sh('uat', "docker inspect --format '{{.Config.Image}}' uat-migit-web")).toBe('gantry-lab/webapp:1');
    await discover();
    const after = (await call('inventory:graph', { projectId })).cells.find((c) => c.resourceId === resources.web && c.environmentId === env.uat);
    expect(after?.container?.specHash).toBe(v1Hash);
    expect((await call('migrations:get', { migrationId: detail.migration.id })).migration.status).toBe('rolled_back');
  });

  it('restores an earlier spec from History, from the snapshot the migration that replaced it kept', async () => {
    const { entries } = await call('history:timeline', { resourceId: resources.web!, environmentId: env.uat! });
    const [current, promoted] = entries;
    expect(current!.restoreFrom).toBeNull();
    // The promoted v2 was replaced by the rollback, which cannot itself be rolled back: restore it.
    expect(promoted!.restoreFrom).toMatchObject({ resourceId: resources.web });
    const restore = await call('migrations:restore', { ...promoted!.restoreFrom!, options: { waitForReady: true, healthTimeoutSec: 60 } });
    await app.jobs.finished(restore.jobId);
    const detail = await call('migrations:get', { migrationId: restore.migrationId });
    expect(detail.migration.status, detail.migration.message ?? '').toMatch(/^completed/);
    expect(await sh('uat', "docker inspect --format '{{.Config.Image}}' uat-migit-web")).toBe('gantry-lab/webapp:2');
    expect((await envOf('uat', 'uat-migit-web')).UAT_ONLY).toBe('keep-me');
    await discover();
    const cell = (await call('inventory:graph', { projectId })).cells.find((c) => c.resourceId === resources.web && c.environmentId === env.uat);
    expect(cell?.container?.specHash).toBe(promoted!.specHash);
    expect((await call('history:timeline', { resourceId: resources.web!, environmentId: env.uat! })).entries[0]).toMatchObject({ specHash: promoted!.specHash, event: 'rolled_back' });
  });
});

describe('scheduled tasks', () => {
  it('uat’s cron runs the database’s task inside uat’s database container, against uat’s database', async () => {
    // Installed by the clone above; cron runs it at the start of every minute.
    let ran = '';
    for (let i = 0; i < 150 && !/accepting connections[\s\S]*\n\d{9,}/.test(ran); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 1000));
      ran = await sh('uat', 'docker exec uat-migit-db cat /tmp/cron-ran 2>/dev/null || true');
    }
    expect(ran).toMatch(/uat-migit-db:5432 - accepting connections/);
    expect(ran).toMatch(/^\d{9,}$/m);
    expect(ran).not.toContain('dev-migit-db');
  });
});

describe('health gate', () => {
  it('uses the operator’s HTTP check for an app without a Docker health check, and a timeout completes with a warning', async () => {
    await sh('dev', `docker rm -fv dev-migit-web >/dev/null; ${runWeb(2, { noHealthcheck: true })} >/dev/null`);
    const ready = await runToEnd([resources.web!], { waitForReady: true, healthTimeoutSec: 120, httpCheckPath: '/health' });
    expect(ready.detail.migration.status, ready.detail.migration.message ?? '').toBe('completed');
    expect(ready.detail.log.map((line) => line.message).join('\n')).toMatch(/uat-migit-web is ready \(http, /);

    await sh('dev', `docker rm -fv dev-migit-web >/dev/null; ${runWeb(2, { noHealthcheck: true, run: 'late' })} >/dev/null`);
    const late = await runToEnd([resources.web!], { waitForReady: true, healthTimeoutSec: 5, httpCheckPath: '/no-such-page' });
    expect(late.detail.migration.status).toBe('completed_with_warning');
    expect(late.detail.migration.message).toMatch(/Not ready after 5 s: GET http:\/\/127\.0\.0\.1:\d+\/no-such-page failed/);
    // The new container stays: a warning is not an undo.
    expect(await sh('uat', "docker inspect --format '{{.State.Running}}' uat-migit-web")).toBe('true');
  });
});

describe('rolling back a clone', () => {
  it('removes the cloned container and the scheduled task it added, keeps its volume, and leaves uat’s other tasks alone', async () => {
    await sh('dev', `docker run -d --name dev-migit-cache --init --network migit-dev -v dev-migit-cache-data:/data gantry-lab/redis:7 >/dev/null`);
    const cache = await call('resources:adopt', {
      environmentId: env.dev!,
      container: 'dev-migit-cache',
      resource: { name: 'cache', kind: 'database', databaseType: 'redis', scheduledTasks: [{ name: 'ping', schedule: '*/10 * * * *', command: 'redis-cli ping', enabled: true }] },
    });
    const cacheMarker = `# gantry:${cache.resource.id}:ping`;
    const dbMarker = `# gantry:${resources.db}:ready-check`;
    const { detail } = await runToEnd([cache.resource.id]);
    expect(detail.migration.status, detail.migration.message ?? '').toMatch(/^completed/);
    expect(await sh('uat', 'crontab -l')).toContain(cacheMarker);

    const rollback = await call('migrations:rollback', { migrationId: detail.migration.id, options: { waitForReady: true, healthTimeoutSec: 60 } });
    await app.jobs.finished(rollback.jobId);
    const rolledBack = await call('migrations:get', { migrationId: rollback.migrationId });
    expect(rolledBack.migration.status, rolledBack.migration.message ?? '').toBe('completed');
    expect(rolledBack.steps.map((step) => step.title)).toContain('Remove the scheduled task the migration added');
    const crontab = await sh('uat', 'crontab -l');
    expect(crontab).not.toContain(cacheMarker);
    expect(crontab).toContain(dbMarker);
    expect(await sh('uat', `docker ps -a --format '{{.Names}}' | grep -c migit-cache || true`)).toBe('0');
    expect(await sh('uat', 'docker volume ls -q | grep migit-cache')).toBe('uat-migit-cache-data');
    await sh('dev', 'docker rm -fv dev-migit-cache >/dev/null');
  });
});

describe('concurrency and faults', () => {
  it('runs two migrations into uat one after the other: the second waits, pending, and says for whom', async () => {
    const statuses = new Map<string, string[]>();
    const stopWatching = app.events.subscribe((event, payload) => {
      if (event !== 'migrations:changed') return;
      const { migration } = payload as { migration: { id: string; status: string } };
      statuses.set(migration.id, [...(statuses.get(migration.id) ?? []), migration.status]);
    });
    try {
      await sh('dev', `docker rm -fv dev-migit-web >/dev/null; ${runWeb(2, { noHealthcheck: true, run: 'concurrency' })} >/dev/null`);
      const [first, second] = await Promise.all([plan([resources.web!]), plan([resources.web!])]);
      expect([first, second].map((planned) => planned.plan.resources[0]?.unchanged)).toEqual([false, false]);
      const a = await call('migrations:start', { planId: first.planId, options: { waitForReady: true, healthTimeoutSec: 60 } });
      const b = await call('migrations:start', { planId: second.planId, options: { waitForReady: true, healthTimeoutSec: 60 } });
      await Promise.all([app.jobs.finished(a.jobId), app.jobs.finished(b.jobId)]);
      const details = await Promise.all([a, b].map(({ migrationId }) => call('migrations:get', { migrationId })));
      for (const detail of details) expect(detail.migration.status, detail.migration.message ?? '').toMatch(/^completed/);
      const [earlier, later] = [...details].sort((x, y) => x.migration.startedAt! - y.migration.startedAt!);
      // They never overlapped: the later one started once the earlier one had ended.
      expect(later!.migration.startedAt!).toBeGreaterThanOrEqual(earlier!.migration.endedAt!);
      expect(later!.log.map((line) => line.message).join('\n')).toMatch(new RegExp(`Waiting its turn: Another migration is already running into uat on mig-uat \\([^)]*\\): ${earlier!.migration.id}`));
      expect(statuses.get(later!.migration.id)?.slice(0, 2)).toEqual(['pending', 'running']);
    } finally {
      stopWatching();
    }
  });

  it('another Gantry installation migrating on uat’s server blocks this one, whatever it calls that environment', async () => {
    // A second installation: its own data folder, its own ids; it knows uat's server as "staging".
    const otherDir = mkdtempSync(join(tmpdir(), 'gantry-migrations-other-'));
    const otherSecrets = createOsKeychain('Gantry-test-migrations-other');
    const other = createApp({ dataDir: otherDir, version: 'test', secretStore: otherSecrets });
    try {
      const saved = await other.router.dispatch(
        'servers:save',
        { server: { name: 'staging-box', host: lab.servers.uat.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } }, pin: { fingerprint: lab.servers.uat.hostKey.fingerprint, algorithm: lab.servers.uat.hostKey.publicKey.split(' ')[0]! } },
        { bridge: 'browser' },
      );
      if (!saved.ok) throw new Error(saved.error.message);
      const planned = await plan([resources.web!]);
      expect(planned.plan.blocking).toBe(false);
      const lock = await acquireTargetLock(other.servers.connections.get((saved.value as ResponseOf<'servers:save'>).server.id), {
        lockKey: TARGET_LOCK_KEY,
        holder: { migrationId: 'other-installation-1', target: 'staging', operator: 'bob', machine: 'bob-laptop', since: '2026-11-26 04:40 UTC' },
      });
      try {
        const warned = (await plan([resources.web!])).plan.prechecks.find((check) => check.check === 'active-migration');
        expect(warned).toMatchObject({ severity: 'warning', message: expect.stringContaining('Another migration is running into staging on mig-uat') });
        expect(warned?.message).toContain('other-installation-1 by bob on bob-laptop');
        // Started anyway, it waits its turn (pending) and is cancelled at once, before touching uat.
        const before = await containerState('uat');
        const { migrationId, jobId } = await call('migrations:start', { planId: planned.planId, options: { waitForReady: true, healthTimeoutSec: 60 } });
        await expect.poll(async () => (await call('migrations:get', { migrationId })).log.map((line) => line.message).join('\n'), { timeout: 30_000 }).toMatch(/Waiting its turn: Another migration is already running into staging on mig-uat \([^)]*\): other-installation-1 by bob on bob-laptop/);
        const pending = await call('migrations:get', { migrationId });
        expect(pending.migration.status).toBe('pending');
        expect(pending.canCancel).toBe(true);
        await call('migrations:cancel', { migrationId });
        await app.jobs.finished(jobId);
        const cancelled = (await call('migrations:get', { migrationId })).migration;
        expect(cancelled.status).toBe('cancelled');
        expect(cancelled.message).toBe('Cancelled before it started: nothing on the target was changed.');
        expect(await containerState('uat')).toEqual(before);
      } finally {
        await lock.release();
      }
      expect((await plan([resources.web!])).plan.prechecks.find((check) => check.check === 'active-migration')?.severity).toBe('ok');
    } finally {
      otherSecrets.delete('inventory:spec-fingerprint-key');
      await other.close();
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('promotes an image uat has never seen: streamed from dev, uat ends up with the very same image id', async () => {
    const devImageId = await commitFreshImage('migit/webapp:stream');
    await sh('dev', runWeb('migit/webapp:stream'));
    expect(await sh('uat', `docker image inspect ${devImageId} >/dev/null 2>&1 && echo present || echo absent`)).toBe('absent');

    const sentMb: number[] = [];
    const { detail } = await runToEnd([resources.web!]).finally(collectSentMb(sentMb));
    expect(detail.migration.status, JSON.stringify(detail.log)).toMatch(/^completed/);
    expect(sentMb.length, JSON.stringify(sentMb)).toBeGreaterThanOrEqual(3);
    expect([...sentMb].sort((a, b) => a - b)).toEqual(sentMb);
    expect(await sh('uat', "docker image inspect --format '{{.Id}}' migit/webapp:stream")).toBe(devImageId);
    expect(await sh('uat', "docker inspect --format '{{.Image}}' uat-migit-web")).toBe(devImageId);
    expect(await sh('uat', 'docker exec uat-migit-web cat /stream-marker')).toBe(await sh('dev', 'docker exec dev-migit-web cat /stream-marker'));
    // The journal says how the image travelled, how much went over the wire, and that only the
    // layers uat lacked were sent (it has webapp:2's; the fresh image adds one small layer).
    const messages = detail.log.map((entry) => entry.message);
    const transferLog = messages.find((message) => message.includes('streamed to'));
    expect(transferLog).toMatch(/migit\/webapp:stream streamed to .* \(\d+\.\d MB, (server to server|through this machine)/);
    expect(messages).toContainEqual(expect.stringMatching(/has \d+ of the image's \d+ layers: sending the other 1 /));
  });

  it('promotes an image that came from a registry uat can reach: uat pulls it, nothing is streamed', async () => {
    const ref = `${lab.registry}/migit/webapp:reg`;
    const devImageId = await commitFreshImage(ref, { push: true });
    await sh('dev', runWeb(ref));
    expect(await sh('uat', `docker image inspect ${devImageId} >/dev/null 2>&1 && echo present || echo absent`)).toBe('absent');

    const { detail } = await runToEnd([resources.web!]);
    expect(detail.migration.status, JSON.stringify(detail.log)).toMatch(/^completed/);
    expect(await sh('uat', "docker inspect --format '{{.Image}}' uat-migit-web")).toBe(devImageId);
    const messages = detail.log.map((entry) => entry.message);
    expect(messages.some((message) => message.includes(`${ref} pulled to`)), JSON.stringify(messages)).toBe(true);
    expect(messages.some((message) => message.includes('streamed to'))).toBe(false);
  });

  it('cutting dev’s network during the image transfer leaves uat exactly as it was, and the journal says why', async () => {
    // dev moves to an image uat has never seen, so the promote must stream it; dev's network is
    // held to ~2.5 MB/s so that the transfer is still under way when the cut lands, on any machine.
    await commitFreshImage('migit/webapp:net');
    await sh('dev', runWeb('migit/webapp:net'));
    const before = await containerState('uat');
    const planned = await plan([resources.web!]);
    const sentMb: number[] = [];
    const stopCollecting = collectSentMb(sentMb);
    let ended: unknown;
    let migrationId: string;
    try {
      await labFault('dev', 'net-slow');
      const started = await call('migrations:start', { planId: planned.planId, options: { waitForReady: true, healthTimeoutSec: 60 } });
      migrationId = started.migrationId;
      for (let i = 0; i < 1200 && sentMb.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(sentMb.length, 'no byte of the image moved').toBeGreaterThan(0);
      await labFault('dev', 'net-cut');
      ended = await Promise.race([app.jobs.finished(started.jobId), new Promise((resolve) => setTimeout(() => resolve(null), 150_000))]);
    } finally {
      stopCollecting();
      await labFault('dev', 'net-restore');
      await labFault('dev', 'net-fast');
    }
    const detail = await call('migrations:get', { migrationId });
    const stats = { uat: app.servers.connections.get(serverIds.uat!).stats(), dev: app.servers.connections.get(serverIds.dev!).stats(), jobs: app.jobs.list().slice(0, 3) };
    expect(ended, JSON.stringify({ log: detail.log, steps: detail.steps, stats }, null, 1)).not.toBeNull();
    expect(detail.migration.status).toBe('failed');
    expect(detail.migration.message).toMatch(/stalled|lost|network|reach/i);
    expect(detail.migration.message).toMatch(/undone/);
    expect(desktopNotices.filter((notice) => notice.migrationId === migrationId).map((notice) => notice.title)).toEqual(['Migration dev → uat failed']);
    expect(await containerState('uat')).toEqual(before);
  });

  it('stopping uat’s dockerd mid-step: the migration fails, is undone once Docker is back, and uat keeps the same containers', async () => {
    // dev back on an image uat already has, with a health check that never reports: the run
    // reaches the health gate quickly and stays there until the fault lands.
    await sh('dev', `docker rm -fv dev-migit-web >/dev/null && ${runWeb(2, { neverHealthy: true })}`);
    const ids = () => sh('uat', "docker ps -a --filter name=migit --format '{{.Names}} {{.ID}} {{.Image}}' | sort; docker volume ls -q --filter name=migit | sort");
    const before = await ids();
    const webBefore = await sh('uat', "docker inspect --format '{{.Id}} {{.Config.Image}} {{json .Config.Env}}' uat-migit-web");
    const planned = await plan([resources.web!]);
    const { migrationId, jobId } = await call('migrations:start', { planId: planned.planId, options: { waitForReady: true, healthTimeoutSec: 120 } });
    const stepStatus = async (prefix: string) => (await call('migrations:get', { migrationId })).steps.find((s) => s.stepId.startsWith(prefix))?.status;
    for (let i = 0; i < 1200 && (await stepStatus('wait-healthy')) !== 'running'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await stepStatus('wait-healthy')).toBe('running');
    try {
      await labFault('uat', 'docker-stop');
      // Docker comes back once the health gate has noticed it is gone (the undo then has to wait for it).
      for (let i = 0; i < 300 && (await stepStatus('wait-healthy')) === 'running'; i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await labFault('uat', 'docker-start');
    }
    await app.jobs.finished(jobId);
    const detail = await call('migrations:get', { migrationId });
    expect(detail.migration.status, JSON.stringify(detail.log)).toBe('failed');
    expect(detail.migration.message).toMatch(/Docker on .* (stopped answering|did not answer)|docker/i);
    expect(detail.migration.message).toMatch(/undone/);
    expect(await ids()).toBe(before);
    expect(await sh('uat', "docker inspect --format '{{.Id}} {{.Config.Image}} {{json .Config.Env}}' uat-migit-web")).toBe(webBefore);
    expect(await sh('uat', "docker inspect --format '{{.State.Running}}' uat-migit-web")).toBe('true');
  });
});
