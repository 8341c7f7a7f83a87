/**
 * Spec fidelity against the lab: a container started on dev with every `docker run` option that
 * changes how a workload runs is cloned to uat through the IPC channels the UI uses, and
 * `docker inspect` of both is compared field by field (docker inspect is the authority). Then a
 * promote of five resources uat already runs as dev has them touches none of them, a promote
 * after two changes recreates exactly those two, and a runtime option changed by hand on uat
 * shows as drift. GPU requests cannot start here (no GPU), so that one is checked on created,
 * never started, containers. Throughout, a Go DSN and a libpq string with passwords sit in env
 * vars: neither password may reach SQLite (with its WAL), the log or any IPC response or event.
 * Run inside a real keychain: bash .ci/with-keyring.sh npx vitest run --project integration electron/migrations/fidelity.int.test.ts
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RequestChannel, RequestOf, ResponseOf } from '@shared/ipc/contract';
import type { ContainerInspectInfo } from '@shared/spec/docker-inspect';
import { specFromInspect } from '@shared/spec/spec-from-inspect';
import { createApp, type GantryApp } from '../app/create-app';
import { createOsKeychain } from '../keychain/secret-store';
import { createOptionsFor } from './container-options';

const lab = inject('lab');
const dataDir = mkdtempSync(join(tmpdir(), 'gantry-fidelity-int-'));
const secretStore = createOsKeychain('Gantry-test-fidelity');
let app: GantryApp;
const serverIds: Record<string, string> = {};
let projectId = '';
const env: Record<string, string> = {};
const resources: Record<string, string> = {};

type Server = 'dev' | 'uat';
/** Connection strings of two other shapes than a URL, with passwords that must never show. */
const GO_DSN_PASSWORD = 'go-dsn-Pw-41';
const LIBPQ_PASSWORD = 'libpq-Pw-42';
const GO_DSN = `app:${GO_DSN_PASSWORD}@tcp(10.213.47.11:3306)/shop?parseTime=true`;
const LIBPQ = `host=dev-fidit-a port=5432 dbname=shop user=app password=${LIBPQ_PASSWORD} sslmode=disable`;
/** Every IPC response and event payload the test saw, as the renderer would receive it. */
const seenByRenderer: string[] = [];
const others = ['a', 'b', 'c', 'd'] as const;

async function call<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  const result = await app.router.dispatch(channel, request, { bridge: 'browser' });
  seenByRenderer.push(JSON.stringify(result));
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as ResponseOf<C>;
}

async function sh(server: Server, command: string): Promise<string> {
  const result = await app.servers.connections.get(serverIds[server]!).exec(command);
  if (result.code !== 0) throw new Error(`${server}: ${command} failed: ${result.stderr}`);
  return result.stdout.trim();
}

type Inspect = ContainerInspectInfo & { Config: Record<string, unknown>; HostConfig: Record<string, unknown>; NetworkSettings: { Networks: Record<string, { Aliases: string[] | null }> } };

async function inspect(server: Server, container: string): Promise<Inspect> {
  return (JSON.parse(await sh(server, `docker inspect ${container}`)) as Inspect[])[0]!;
}

/** Container ids by name of this test's containers on uat. */
async function uatIds(): Promise<Record<string, string>> {
  const lines = await sh('uat', `docker ps -a --no-trunc --filter name=fidit --format '{{.Names}} {{.ID}}'`);
  return Object.fromEntries(lines.split('\n').filter(Boolean).map((line) => line.split(' ') as [string, string]));
}

/** Empty lists and maps mean "not set", whichever of the two the client sent (the CLI sends [], dockerode nothing). */
function normalized(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? null : value.map(normalized);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, member]) => [key, normalized(member)] as const);
    return entries.length === 0 ? null : Object.fromEntries(entries);
  }
  return value;
}

function without(record: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key)));
}

/** The full-option web app on dev; `change` replaces options for a variant. */
function devWebRun(change: { stopTimeout?: number } = {}): string {
  return [
    'docker run -d --name dev-fidit-web',
    '--init --user 1000:1000 --workdir /usr --entrypoint python3',
    '-e APP_MODE=dev -l app.owner=team-a -p 18380:8080',
    '-v fidit-dev-data:/data --tmpfs /tmp:size=16m,mode=1777',
    '--network fidit-net --network-alias fidit-web',
    '--restart unless-stopped',
    `--health-cmd "python3 -c \\"import urllib.request;urllib.request.urlopen('http://127.0.0.1:8080/')\\"" --health-interval 2s --health-retries 20`,
    `--stop-signal SIGINT --stop-timeout ${change.stopTimeout ?? 7}`,
    '--cap-add NET_ADMIN --cap-add SYS_PTRACE --cap-drop MKNOD --cap-drop NET_RAW',
    '--privileged --device /dev/zero:/dev/gantry-zero:rw',
    '--ulimit nofile=1024:2048 --ulimit nproc=512:1024',
    '--sysctl net.core.somaxconn=1024',
    '--security-opt no-new-privileges --security-opt seccomp=unconfined',
    '--read-only --shm-size 128m --pids-limit 200',
    '--memory 256m --memory-reservation 128m --cpus 0.5 --cpu-shares 512 --cpuset-cpus 0',
    '--log-driver json-file --log-opt max-size=1m --log-opt max-file=2',
    '--add-host fidit-ext.internal:10.213.47.1',
    '--dns 10.213.47.1 --dns-search lab.internal --dns-option ndots:2',
    '--hostname dev-fidit-host --group-add 100',
    'gantry-lab/webapp:1 /app/app.py >/dev/null',
  ].join(' ');
}

const cleanup = [
  `docker rm -fv $(docker ps -aq --filter name=fidit) >/dev/null 2>&1`,
  `docker volume rm $(docker volume ls -q --filter name=fidit) >/dev/null 2>&1`,
  `docker network rm fidit-net gantry-fidelity-test-uat >/dev/null 2>&1`,
  `rm -rf /tmp/gantry-locks`,
  'true',
].join('; ');

async function migrate(resourceIds: string[]) {
  const planned = await call('migrations:plan', { projectId, sourceEnvId: env.dev!, targetEnvId: env.uat!, resourceIds });
  expect(planned.plan.blocking, JSON.stringify(planned.plan.prechecks)).toBe(false);
  const { migrationId, jobId } = await call('migrations:start', { planId: planned.planId, options: { waitForReady: true, healthTimeoutSec: 120 } });
  await app.jobs.finished(jobId);
  return { planned, detail: await call('migrations:get', { migrationId }) };
}

let twoChanged = '';
const all = () => [resources.web!, ...others.map((name) => resources[name]!)];

beforeAll(async () => {
  app = createApp({ dataDir, version: 'test', secretStore });
  app.events.subscribe((event, payload) => void seenByRenderer.push(`${event} ${JSON.stringify(payload)}`));
  for (const name of ['dev', 'uat'] as const) {
    const server = lab.servers[name];
    const { server: saved } = await call('servers:save', {
      server: { name: `fid-${name}`, host: server.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
      pin: { fingerprint: server.hostKey.fingerprint, algorithm: server.hostKey.publicKey.split(' ')[0]! },
    });
    serverIds[name] = saved.id;
    await sh(name, cleanup);
  }
  await sh('dev', 'docker network create fidit-net >/dev/null');
  await sh('dev', devWebRun());
  for (const name of others) {
    const secrets = name === 'c' ? `-e 'GO_DSN=${GO_DSN}' -e 'PG_CONN=${LIBPQ}'` : '';
    await sh('dev', `docker run -d --name dev-fidit-${name} --init --network fidit-net -e APP_MODE=${name} ${secrets} gantry-lab/webapp:1 >/dev/null`);
  }

  const { project } = await call('projects:create', { name: 'Fidelity test', environments: [{ name: 'dev' }, { name: 'uat' }, { name: 'production', production: true }] });
  projectId = project.id;
  const chain = (await call('inventory:graph', { projectId })).environments;
  await call('environments:bind', { environmentId: chain[0]!.id, serverId: serverIds.dev! });
  await call('environments:bind', { environmentId: chain[1]!.id, serverId: serverIds.uat! });
  for (const environment of chain) env[environment.name] = environment.id;
  resources.web = (await call('resources:adopt', { environmentId: env.dev!, container: 'dev-fidit-web', resource: { name: 'web', kind: 'application' } })).resource.id;
  for (const name of others) resources[name] = (await call('resources:adopt', { environmentId: env.dev!, container: `dev-fidit-${name}`, resource: { name, kind: 'application' } })).resource.id;
}, 120_000);

afterAll(async () => {
  for (const name of Object.keys(serverIds) as Server[]) await sh(name, cleanup).catch(() => undefined);
  secretStore.delete('inventory:spec-fingerprint-key');
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('clone fidelity', () => {
  it('clones a container with every runtime option: docker inspect on uat matches dev field by field', async () => {
    const { detail } = await migrate(all());
    expect(detail.migration.status, detail.migration.message ?? '').toBe('completed');
    const [dev, uat] = [await inspect('dev', 'dev-fidit-web'), await inspect('uat', 'uat-fidit-web')];

    // HostConfig: every field, except the mounts (volumes named for uat) and the network (uat's own).
    const mustDiffer = ['Binds', 'Mounts', 'NetworkMode'];
    expect(normalized(without(uat.HostConfig, mustDiffer))).toEqual(normalized(without(dev.HostConfig, mustDiffer)));
    // Config: every field, except the host name (renamed for uat), Gantry's labels and the env's order.
    const configDiffers = ['Hostname', 'Labels', 'Env'];
    expect(normalized(without(uat.Config, configDiffers))).toEqual(normalized(without(dev.Config, configDiffers)));
    expect(uat.Config.Hostname).toBe('uat-fidit-host');
    expect([...(uat.Config.Env as string[])].sort()).toEqual([...(dev.Config.Env as string[])].sort());
    const ownLabels = (labels: unknown) => Object.fromEntries(Object.entries(labels as Record<string, string>).filter(([key]) => !key.startsWith('gantry.')));
    expect(ownLabels(uat.Config.Labels)).toEqual(ownLabels(dev.Config.Labels));
    // Mounts: the same paths and kinds; the named volume is uat's own, new and empty.
    const mounts = (info: Inspect) => (info.Mounts ?? []).map((mount) => ({ type: mount.Type, name: mount.Name, destination: mount.Destination, rw: mount.RW }));
    expect(mounts(uat)).toEqual(mounts(dev).map((mount) => ({ ...mount, name: 'fidit-uat-data' })));
    // Networks: dev's network (named for no environment) became uat's environment network, aliases kept.
    const aliases = (info: Inspect) => Object.values(info.NetworkSettings.Networks).map((endpoint) => (endpoint.Aliases ?? []).filter((alias) => !info.Id.startsWith(alias)).sort());
    expect(Object.keys(uat.NetworkSettings.Networks)).toEqual(['gantry-fidelity-test-uat']);
    // Docker also answers to the host name there, which is rewired with it.
    expect(aliases(dev)).toEqual([['dev-fidit-host', 'fidit-web']]);
    expect(aliases(uat)).toEqual([['fidit-web', 'uat-fidit-host']]);

    // And Docker applies them: a few of the options as the running process sees them.
    const seen = await sh('uat', `docker exec uat-fidit-web sh -c 'id -u; hostname; cat /proc/1/comm; ulimit -n; grep -c fidit-ext /etc/hosts; grep ^search /etc/resolv.conf; touch /x 2>&1 || true; df -k /dev/shm | tail -1'`);
    expect(seen).toMatch(/^1000\nuat-fidit-host\ndocker-init\n1024\n1\nsearch lab\.internal\n.*Read-only file system\n\S+\s+131072\s/);
  });

  it('carries GPU requests (checked on created containers: no GPU here to start one)', async () => {
    await sh('dev', 'docker create --name dev-fidit-gpu --gpus all gantry-lab/webapp:1 >/dev/null');
    const dev = await inspect('dev', 'dev-fidit-gpu');
    const spec = specFromInspect(dev);
    expect(spec.runtime.deviceRequests).toEqual([{ driver: '', count: -1, deviceIds: [], capabilities: [['gpu']], options: {} }]);
    const { options } = createOptionsFor(spec, 'uat-fidit-gpu', {});
    await app.servers.connections.get(serverIds.uat!).docker().createContainer(options);
    const uat = await inspect('uat', 'uat-fidit-gpu');
    expect(normalized(uat.HostConfig.DeviceRequests)).toEqual(normalized(dev.HostConfig.DeviceRequests));
  });
});

describe('promote only what changed', () => {
  it('promotes five resources uat already runs as dev has them: each "unchanged", no step, no container id changes', async () => {
    const before = await uatIds();
    const { planned, detail } = await migrate(all());
    expect(planned.plan.resources.map((resource) => [resource.name, resource.mode, resource.unchanged])).toEqual(['web', ...others].map((name) => [name, 'promote', true]));
    expect(planned.plan.diff.resources.map((diff) => diff.unchanged)).toEqual([true, true, true, true, true]);
    expect(planned.plan.steps).toEqual([]);
    expect(detail.migration.status, detail.migration.message ?? '').toBe('completed');
    expect(detail.steps).toEqual([]);
    expect(await uatIds()).toEqual(before);
  });

  it('recreates exactly the two that changed on dev: a runtime option on one, the image on another', async () => {
    await sh('dev', `docker rm -fv dev-fidit-web >/dev/null && ${devWebRun({ stopTimeout: 9 })}`);
    await sh('dev', 'docker rm -fv dev-fidit-a >/dev/null && docker run -d --name dev-fidit-a --init --network fidit-net -e APP_MODE=a gantry-lab/webapp:2 >/dev/null');
    const before = await uatIds();
    const { planned, detail } = await migrate(all());
    expect(planned.plan.resources.filter((resource) => !resource.unchanged).map((resource) => resource.name)).toEqual(['web', 'a']);
    expect(planned.plan.diff.resources.find((diff) => diff.name === 'web')?.attributes).toEqual([{ path: 'runtime.stopTimeoutSec', before: '7', after: '9' }]);
    expect(detail.migration.status, detail.migration.message ?? '').toMatch(/^completed/);
    const after = await uatIds();
    const changed = Object.keys(before).filter((name) => after[name] !== before[name]).sort();
    expect(changed).toEqual(['uat-fidit-a', 'uat-fidit-web']);
    expect((await inspect('uat', 'uat-fidit-web')).Config.StopTimeout).toBe(9);
    twoChanged = detail.migration.id;
  });

  it('rolls the two back with progress per step, as a migration reports it, past a later run that found them unchanged', async () => {
    await sh('dev', 'docker rm -fv dev-fidit-b >/dev/null && docker run -d --name dev-fidit-b --init --network fidit-net -e APP_MODE=b -l fidit.run=later gantry-lab/webapp:1 >/dev/null');
    const later = await migrate(all());
    expect(later.planned.plan.resources.filter((resource) => !resource.unchanged).map((resource) => resource.name)).toEqual(['b']);
    expect((await call('migrations:list', {})).migrations.find((migration) => migration.id === later.detail.migration.id)?.resources.map((resource) => resource.mode)).toEqual(['unchanged', 'unchanged', 'promote', 'unchanged', 'unchanged']);
    const progress: { jobId: string; percent: number; message?: string }[] = [];
    const stop = app.events.subscribe((event, payload) => {
      const update = payload as { jobId: string; type?: string; percent?: number; message?: string };
      if (event === 'job:event' && update.type === 'progress' && update.percent !== undefined) progress.push({ jobId: update.jobId, percent: update.percent, ...(update.message ? { message: update.message } : {}) });
    });
    const rollback = await call('migrations:rollback', { migrationId: twoChanged, options: { waitForReady: true, healthTimeoutSec: 60 } });
    await app.jobs.finished(rollback.jobId);
    stop();
    const detail = await call('migrations:get', { migrationId: rollback.migrationId });
    expect(detail.migration.status, detail.migration.message ?? '').toBe('completed');
    // Two resources, three steps each (restore, wait, record): a step's end moves the bar by a sixth.
    expect(detail.steps.map((step) => step.title)).toHaveLength(6);
    const ends = progress.filter((update) => update.jobId === rollback.jobId && detail.steps.some((step) => step.title === update.message));
    expect(ends.map((update) => Math.round(update.percent))).toEqual([17, 33, 50, 67, 83, 100]);
    expect((await inspect('uat', 'uat-fidit-web')).Config.StopTimeout).toBe(7);
  });

  it('shows a runtime option changed by hand on uat (--init dropped) as drift', async () => {
    const discover = async () => app.jobs.finished((await call('inventory:discover', { projectId })).jobId);
    await discover();
    const cell = async () => (await call('inventory:graph', { projectId })).cells.find((each) => each.resourceId === resources.b && each.environmentId === env.uat);
    expect((await cell())?.status).toBe('in_sync');
    const uat = await inspect('uat', 'uat-fidit-b');
    const network = Object.keys(uat.NetworkSettings.Networks)[0]!;
    const labels = Object.entries(uat.Config.Labels as Record<string, string>).map(([key, value]) => `-l '${key}=${value}'`).join(' ');
    await sh('uat', `docker rm -fv uat-fidit-b >/dev/null && docker run -d --name uat-fidit-b --network ${network} -e APP_MODE=b ${labels} gantry-lab/webapp:1 >/dev/null`);
    await discover();
    expect((await cell())?.status).toBe('drifted');
  });
});

describe('snapshot retention', () => {
  it('keeps the newest five snapshots of a resource on uat after seven promotes, and the one its rollback needs', async () => {
    const snapshots = async () => (await sh('uat', `ls -1 ~/.gantry/snapshots | grep -c -- '-${resources.d}.json$' || true`)).trim();
    let last = '';
    for (let run = 1; run <= 7; run++) {
      await sh('dev', `docker rm -fv dev-fidit-d >/dev/null && docker run -d --name dev-fidit-d --init --network fidit-net -e APP_MODE=d -l fidit.run=${run} gantry-lab/webapp:1 >/dev/null`);
      const { detail } = await migrate([resources.d!]);
      expect(detail.migration.status, detail.migration.message ?? '').toMatch(/^completed/);
      last = detail.migration.id;
    }
    expect(await snapshots()).toBe('5');
    expect(await sh('uat', `test -f ~/.gantry/snapshots/${last}-${resources.d}.json && echo kept`)).toBe('kept');
    const rollback = await call('migrations:rollback', { migrationId: last, options: { waitForReady: true, healthTimeoutSec: 60 } });
    await app.jobs.finished(rollback.jobId);
    expect((await call('migrations:get', { migrationId: rollback.migrationId })).migration.status).toBe('completed');
    expect((await inspect('uat', 'uat-fidit-d')).Config.Labels).toMatchObject({ 'fidit.run': '6' });
  });
});

describe('secrets in connection strings', () => {
  it('leaves neither password of a Go DSN or a libpq string in SQLite (with its WAL), the log or anything the renderer received', async () => {
    // What the UI reads about the resource that carries them: plan, runs, graph, history.
    const planned = await call('migrations:plan', { projectId, sourceEnvId: env.dev!, targetEnvId: env.uat!, resourceIds: [resources.c!] });
    for (const migration of (await call('migrations:list', {})).migrations) await call('migrations:get', { migrationId: migration.id });
    await call('inventory:graph', { projectId });
    await call('history:timeline', { resourceId: resources.c!, environmentId: env.uat! });
    expect(await sh('uat', `docker inspect --format '{{json .Config.Env}}' uat-fidit-c`)).toContain(LIBPQ_PASSWORD);

    const files = ['gantry.db', 'gantry.db-wal', ...readdirSync(join(dataDir, 'logs')).map((name) => join('logs', name))].filter((name) => existsSync(join(dataDir, name)));
    expect(files).toEqual(expect.arrayContaining(['gantry.db', join('logs', 'gantry.log')]));
    const stored = files.map((name) => readFileSync(join(dataDir, name)).toString('latin1'));
    // They were stored, masked: the journaled plans and the spec history carry these env vars.
    expect(stored.some((text) => text.includes('@tcp(10.213.47.11:3306)/shop'))).toBe(true);
    for (const text of [...stored, ...seenByRenderer]) {
      expect(text).not.toContain(GO_DSN_PASSWORD);
      expect(text).not.toContain(LIBPQ_PASSWORD);
    }
    // The operator still sees where they point.
    const shown = JSON.stringify(planned.plan.resources[0]?.desiredSpec.env);
    expect(shown).toContain('@tcp(10.213.47.11:3306)/shop');
    // uat's own value (rewired to uat's container by the clone); a promote never changes it.
    expect(shown).toContain('host=uat-fidit-a port=5432 dbname=shop user=app');
  });
});
