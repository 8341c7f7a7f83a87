/**
 * A small dev → uat → production project for the planner's tests: a web app that talks to a
 * database (`dev-db`) and a reports database (`dev-db2`), with uat already running the web app
 * and the first database. Values are what a real inventory would hold, secrets included, so the
 * tests can prove the secrets never show.
 */
import { defaultRuntime, type ResourceSpec } from '../spec/resource-spec';
import type { EnvironmentResource, PlanInputDraft, TargetFacts } from './plan-input';

/** The dev database's password: must never appear in anything shown. */
export const DEV_DB_PASSWORD = 's3cret-dev-pw';
/** uat's own database password: must survive a promote untouched. */
export const UAT_DB_PASSWORD = 'uat-only-pw';

/** A spec with harmless defaults; override what a test is about. */
export function specWith(overrides: Partial<ResourceSpec>): ResourceSpec {
  return {
    image: { ref: 'gantry-lab/app:1', id: 'sha256:aaa', digest: null },
    entrypoint: null,
    command: null,
    workingDir: '',
    user: '',
    env: {},
    mounts: [],
    ports: [],
    labels: {},
    healthcheck: null,
    restartPolicy: { name: 'unless-stopped', maximumRetryCount: 0 },
    limits: { memoryBytes: 0, nanoCpus: 0, pidsLimit: null },
    networks: [],
    runtime: structuredClone(defaultRuntime),
    ...overrides,
  };
}

/** A resource instance with defaults; override what a test is about. */
export function resourceWith(overrides: Partial<EnvironmentResource> & Pick<EnvironmentResource, 'resourceId' | 'containerName'>): EnvironmentResource {
  return {
    name: overrides.resourceId,
    kind: 'application',
    uuid: `uuid-${overrides.containerName}`,
    hostnames: [],
    spec: specWith({}),
    links: [],
    scheduledTasks: [],
    tags: [],
    ...overrides,
  };
}

/** dev's web app: refers to dev-db by URL and argument, to dev-db2 by URL, routed by Traefik. */
export function devWeb(): EnvironmentResource {
  return resourceWith({
    resourceId: 'web',
    name: 'web',
    containerName: 'dev-web',
    uuid: 'c0ffee00-0000-4000-8000-000000000001',
    hostnames: ['dev-web'],
    links: ['db'],
    tags: ['frontend'],
    scheduledTasks: [{ name: 'cleanup', schedule: '*/5 * * * *', command: 'node cleanup.js --db-host dev-db --older-than 30%' }],
    spec: specWith({
      image: { ref: 'gantry-lab/webapp:2', id: 'sha256:web2', digest: null },
      command: ['node', 'server.js', '--db-host', 'dev-db'],
      env: {
        DATABASE_URL: `postgres://app:${DEV_DB_PASSWORD}@dev-db:5432/app`,
        REPORTS_URL: 'postgres://reports@dev-db2:5432/reports',
        NODE_ENV: 'development',
        FEATURE_X: '1',
        SENTRY_DSN: '',
      },
      ports: [{ containerPort: 3000, protocol: 'tcp', hostIp: '', hostPort: 8080 }],
      labels: {
        'traefik.enable': 'true',
        'traefik.http.routers.dev-web.rule': 'Host(`dev.example.com`)',
        'traefik.http.services.dev-web.loadbalancer.server.port': '3000',
      },
      healthcheck: { test: ['CMD-SHELL', 'wget -qO- http://localhost:3000/health'], intervalMs: 5000, timeoutMs: 2000, retries: 3, startPeriodMs: 1000 },
      restartPolicy: { name: 'on-failure', maximumRetryCount: 5 },
      limits: { memoryBytes: 268435456, nanoCpus: 500000000, pidsLimit: 200 },
      networks: [{ name: 'dev-net', aliases: ['dev-web'] }],
      mounts: [{ type: 'volume', source: 'dev-web-uploads', target: '/app/uploads', readOnly: false }],
    }),
  });
}

/** dev's main database. */
export function devDb(): EnvironmentResource {
  return resourceWith({
    resourceId: 'db',
    name: 'db',
    kind: 'database',
    containerName: 'dev-db',
    uuid: 'c0ffee00-0000-4000-8000-000000000002',
    hostnames: ['dev-db', 'db'],
    spec: specWith({
      image: { ref: 'gantry-lab/postgres:15', id: 'sha256:pg15', digest: null },
      env: { POSTGRES_PASSWORD: DEV_DB_PASSWORD, POSTGRES_DB: 'app' },
      mounts: [{ type: 'volume', source: 'dev-db-data', target: '/var/lib/postgresql/data', readOnly: false }],
      networks: [{ name: 'dev-net', aliases: ['dev-db', 'db'] }],
    }),
  });
}

/** dev's reports database (its name extends dev-db's: the substring trap). */
export function devDb2(): EnvironmentResource {
  return resourceWith({
    resourceId: 'db2',
    name: 'db2',
    kind: 'database',
    containerName: 'dev-db2',
    uuid: 'c0ffee00-0000-4000-8000-000000000003',
    hostnames: ['dev-db2'],
    spec: specWith({
      image: { ref: 'gantry-lab/postgres:15', id: 'sha256:pg15', digest: null },
      env: { POSTGRES_DB: 'reports' },
      mounts: [{ type: 'volume', source: 'dev-db2-data', target: '/var/lib/postgresql/data', readOnly: false }],
      networks: [{ name: 'dev-net', aliases: ['dev-db2'] }],
    }),
  });
}

/** uat's web app as it runs today: its own database URL, a uat-only var, its own domain. */
export function uatWeb(): EnvironmentResource {
  return resourceWith({
    resourceId: 'web',
    name: 'web',
    containerName: 'uat-web',
    uuid: 'beef0000-0000-4000-8000-000000000001',
    hostnames: ['uat-web'],
    links: ['db'],
    spec: specWith({
      image: { ref: 'gantry-lab/webapp:1', id: 'sha256:web1', digest: null },
      env: { DATABASE_URL: `postgres://app:${UAT_DB_PASSWORD}@uat-db:5432/app`, NODE_ENV: 'production', UAT_ONLY: 'keep-me' },
      ports: [{ containerPort: 3000, protocol: 'tcp', hostIp: '', hostPort: 8080 }],
      labels: { 'traefik.enable': 'true', 'traefik.http.routers.uat-web.rule': 'Host(`uat.example.com`)', 'traefik.http.services.uat-web.loadbalancer.server.port': '3000' },
      networks: [{ name: 'uat-net', aliases: ['uat-web'] }],
      mounts: [{ type: 'volume', source: 'uat-web-uploads', target: '/app/uploads', readOnly: false }],
    }),
  });
}

/** uat's main database. */
export function uatDb(): EnvironmentResource {
  return resourceWith({
    resourceId: 'db',
    name: 'db',
    kind: 'database',
    containerName: 'uat-db',
    uuid: 'beef0000-0000-4000-8000-000000000002',
    hostnames: ['uat-db', 'db'],
    spec: specWith({ image: { ref: 'gantry-lab/postgres:15', id: 'sha256:pg15', digest: null }, env: { POSTGRES_PASSWORD: UAT_DB_PASSWORD } }),
  });
}

/** A healthy target server: reachable, half its disk free, uat-web on 8080. */
export function healthyFacts(overrides: Partial<TargetFacts> = {}): TargetFacts {
  return {
    reachable: true,
    dockerOk: true,
    disk: { totalBytes: 50 * 1024 ** 3, freeBytes: 25 * 1024 ** 3 },
    publishedPorts: [{ hostPort: 8080, protocol: 'tcp', hostIp: '', holder: 'uat-web' }],
    volumes: ['uat-web-uploads', 'uat-db-data'],
    containerNames: ['uat-web', 'uat-db'],
    specHashes: [
      { resourceId: 'web', liveSpecHash: 'h-web', recordedSpecHash: 'h-web' },
      { resourceId: 'db', liveSpecHash: 'h-db', recordedSpecHash: 'h-db' },
    ],
    activeMigration: null,
    ...overrides,
  };
}

/** A dev → uat plan request for `resourceIds`, with uat holding web and db. */
export function devToUat(overrides: Partial<PlanInputDraft> = {}): PlanInputDraft {
  return {
    chain: [
      { id: 'env-dev', name: 'dev', production: false },
      { id: 'env-uat', name: 'uat', production: false },
      { id: 'env-prod', name: 'production', production: true },
    ],
    sourceEnvId: 'env-dev',
    targetEnvId: 'env-uat',
    sourceResources: [devWeb(), devDb(), devDb2()],
    targetResources: [uatWeb(), uatDb()],
    resourceIds: ['web'],
    target: { server: { id: 'srv-uat', name: 'uat-server' }, facts: healthyFacts() },
    ...overrides,
  };
}

/** A counter-based UUID source so plans are reproducible. */
export function sequentialUuids(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
}
