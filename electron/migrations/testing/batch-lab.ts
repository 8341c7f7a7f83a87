/**
 * A batch of resources on the lab for the batch lab test and bench/batch.ts: a whole Gantry app
 * (createApp, the real keychain) with dev and uat bound to the lab's servers, PostgreSQL
 * databases and web apps started on dev by hand (each app's DATABASE_URL names its database, and
 * it is linked to it), adopted, then migrated dev → uat through the same channels the UI uses.
 * Every container, volume and network carries the `prefix` in its name and is removed by `cleanup`.
 */
import type { RequestChannel, RequestOf, ResponseOf } from '@shared/ipc/contract';
import { isTerminalStatus } from '@shared/migration/status';
import { removeTaggedCommand } from '../../../lab/tagged-cleanup';

/** The lab's connection details (`lab/lab.sh env`, or the integration tests' `inject('lab')`). */
export interface LabDetails {
  keys: { plain: string };
  servers: Record<'dev' | 'uat', { host: string; hostKey: { fingerprint: string; publicKey: string } }>;
}

/** One resource of the batch, as started on dev. */
export interface BatchMember {
  /** Short name: the resource's name, and `dev-<prefix>-<name>` its container. */
  name: string;
  kind: 'database' | 'application';
  /** For an application: the database its DATABASE_URL names (and it links to). */
  database?: string;
  /** Other members it links to (dependencies beyond its database). */
  links?: string[];
  /** A published host port (e.g. to make it collide with something on uat). */
  hostPort?: number;
}

/** How the batch lab reaches an engine: an in-process app (lab tests) or an engine process (bench). */
export interface BatchDriver {
  call<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  /** Runs a command on a lab server; rejects unless it exits 0. */
  sh(server: 'dev' | 'uat', command: string): Promise<string>;
  close(): Promise<void>;
}

/** Saves one lab server (its host key pinned); returns its id. */
export async function saveServer(call: BatchDriver['call'], lab: LabDetails, prefix: string, name: 'dev' | 'uat'): Promise<string> {
  const server = lab.servers[name];
  const { server: saved } = await call('servers:save', {
    server: { name: `${prefix}-${name}`, host: server.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
    pin: { fingerprint: server.hostKey.fingerprint, algorithm: server.hostKey.publicKey.split(' ')[0]! },
  });
  return saved.id;
}

/** A started batch lab. */
export interface BatchLab {
  call: BatchDriver['call'];
  sh: BatchDriver['sh'];
  projectId: string;
  env: Record<'dev' | 'uat', string>;
  /** Resource ids by member name. */
  ids: Record<string, string>;
  containerOf(server: 'dev' | 'uat', name: string): string;
  /** Plans the members dev → uat and starts it; resolves with the finished migration's detail. */
  migrate(names: string[], options?: Partial<RequestOf<'migrations:start'>['options']>): Promise<ResponseOf<'migrations:get'>>;
  /** Waits until a migration has ended; returns its detail. */
  settled(migrationId: string): Promise<ResponseOf<'migrations:get'>>;
  /** Rolls a migration back and waits for it. */
  rollBack(migrationId: string): Promise<ResponseOf<'migrations:get'>>;
  /** Removes this batch's containers, volumes and networks on both servers. */
  cleanup(): Promise<void>;
  close(): Promise<void>;
}

const PASSWORD = 'batch-pw';

/**
 * Starts the members on dev and adopts them into a fresh project with dev → uat. `healthIntervalSec` is their Docker
 * health checks' interval (1 s keeps the lab test short; every check is a process in the container).
 */
export async function startBatchLab(driver: BatchDriver, prefix: string, members: BatchMember[], options: { healthIntervalSec?: number } = {}): Promise<BatchLab> {
  const interval = `${options.healthIntervalSec ?? 1}s`;
  const { call, sh } = driver;
  const cleanupCommand = removeTaggedCommand(prefix);
  const cleanup = async () => {
    for (const server of ['dev', 'uat'] as const) await sh(server, cleanupCommand);
  };
  await cleanup();
  const containerOf = (server: 'dev' | 'uat', name: string) => `${server}-${prefix}-${name}`;
  const network = `${prefix}-dev`;
  await sh('dev', `docker network create ${network} >/dev/null`);
  // A few at a time (dev's own start is not what is measured; sshd refuses many new connections at once).
  const startOne = (member: BatchMember) => {
      const container = containerOf('dev', member.name);
      if (member.kind === 'database') {
        return sh(
          'dev',
          `docker run -d --name ${container} --init --network ${network} -e POSTGRES_USER=app -e POSTGRES_PASSWORD=${PASSWORD} -e POSTGRES_DB=app --health-cmd 'pg_isready -U app -d app' --health-interval ${interval} --health-retries 60 gantry-lab/postgres:15 >/dev/null`,
        );
      }
      const url = `postgres://app:${PASSWORD}@${containerOf('dev', member.database!)}:5432/app`;
      return sh(
        'dev',
        [
          `docker run -d --name ${container} --init --network ${network} --restart unless-stopped -e DATABASE_URL=${url} -e APP_MODE=dev`,
          member.hostPort ? `-p ${member.hostPort}:8080` : '',
          `--health-cmd "python3 -c \\"import urllib.request;urllib.request.urlopen('http://127.0.0.1:8080/health')\\"" --health-interval ${interval} --health-retries 30`,
          'gantry-lab/webapp:1 >/dev/null',
        ].join(' '),
      );
  };
  for (let i = 0; i < members.length; i += 4) await Promise.all(members.slice(i, i + 4).map(startOne));
  const serverIds = Object.fromEntries((await call('servers:list', {})).servers.filter((server) => server.name.startsWith(`${prefix}-`)).map((server) => [server.name.slice(prefix.length + 1), server.id]));
  const { project } = await call('projects:create', { name: `Batch ${prefix}`, environments: [{ name: 'dev' }, { name: 'uat' }] });
  const chain = (await call('inventory:graph', { projectId: project.id })).environments;
  const env = {} as Record<'dev' | 'uat', string>;
  for (const [index, environment] of chain.entries()) {
    const server = (['dev', 'uat'] as const)[index]!;
    await call('environments:bind', { environmentId: environment.id, serverId: serverIds[server]! });
    env[server] = environment.id;
  }
  const ids: Record<string, string> = {};
  // Databases first: an application's links name them by id.
  for (const member of [...members].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'database' ? -1 : 1))) {
    const links = [...(member.database ? [member.database] : []), ...(member.links ?? [])].map((name) => {
      const id = ids[name];
      if (!id) throw new Error(`${member.name} links to ${name}, which is not adopted before it: list it first.`);
      return id;
    });
    const adopted = await call('resources:adopt', {
      environmentId: env.dev,
      container: containerOf('dev', member.name),
      resource: member.kind === 'database' ? { name: member.name, kind: 'database', databaseType: 'postgresql' } : { name: member.name, kind: 'application', links },
    });
    ids[member.name] = adopted.resource.id;
  }
  const settled: BatchLab['settled'] = async (migrationId) => {
    for (;;) {
      const detail = await call('migrations:get', { migrationId });
      if (isTerminalStatus(detail.migration.status)) return detail;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const migrate: BatchLab['migrate'] = async (names, options = {}) => {
    const planned = await call('migrations:plan', { projectId: project.id, sourceEnvId: env.dev, targetEnvId: env.uat, resourceIds: names.map((name) => ids[name]!) });
    if (planned.plan.blocking) throw new Error(`The plan is blocked: ${JSON.stringify(planned.plan.prechecks.filter((check) => check.severity === 'blocking'))}`);
    const { migrationId } = await call('migrations:start', { planId: planned.planId, options: { waitForReady: true, healthTimeoutSec: 120, ...options } });
    return settled(migrationId);
  };
  const rollBack: BatchLab['rollBack'] = async (migrationId) => {
    const started = await call('migrations:rollback', { migrationId, options: { waitForReady: false, healthTimeoutSec: 60 } });
    return settled(started.migrationId);
  };
  return {
    call,
    sh,
    projectId: project.id,
    env,
    ids,
    containerOf,
    migrate,
    settled,
    rollBack,
    cleanup,
    async close() {
      await cleanup().catch(() => undefined);
      await driver.close();
    },
  };
}

/** For each resource: when its first step started and when its wait-healthy step ended, from the journal's rows. */
export function journalTimes(detail: ResponseOf<'migrations:get'>): Map<string, { firstStart: number; healthyEnd: number | null; statuses: string[] }> {
  const resourceOf = new Map((detail.plan?.steps ?? []).map((step) => [step.id, step.resourceId ?? '']));
  const times = new Map<string, { firstStart: number; healthyEnd: number | null; statuses: string[] }>();
  for (const row of detail.steps) {
    const resourceId = resourceOf.get(row.stepId);
    if (!resourceId || row.startedAt === null) continue;
    const entry = times.get(resourceId) ?? { firstStart: row.startedAt, healthyEnd: null, statuses: [] };
    entry.firstStart = Math.min(entry.firstStart, row.startedAt);
    if (row.stepId.startsWith('wait-healthy:')) entry.healthyEnd = row.endedAt;
    entry.statuses.push(row.status);
    times.set(resourceId, entry);
  }
  return times;
}

/** Dependency order violations in a finished batch: a resource that started before what it depends on was healthy. */
export function orderViolations(detail: ResponseOf<'migrations:get'>): string[] {
  const times = journalTimes(detail);
  const problems: string[] = [];
  for (const resource of detail.plan?.resources ?? []) {
    const mine = times.get(resource.resourceId);
    if (!mine) continue;
    for (const dependency of resource.dependsOn ?? []) {
      const theirs = times.get(dependency);
      if (!theirs) continue;
      if (theirs.healthyEnd === null || mine.firstStart < theirs.healthyEnd) problems.push(`${resource.name} started at ${mine.firstStart}, before ${dependency} was healthy (${theirs.healthyEnd ?? 'never'})`);
    }
  }
  return problems;
}
