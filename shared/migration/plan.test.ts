import { describe, expect, it } from 'vitest';
import { GantryError } from '../ipc/result';
import { MASK } from '../spec/secrets';
import { migrationStep } from './steps';
import { maskPlan, planMigration, type MigrationPlan, type PlannedResource } from './plan';
import { DEV_DB_PASSWORD, UAT_DB_PASSWORD, devToUat, devWeb, healthyFacts, sequentialUuids, uatDb } from './test-fixtures';

function resource(plan: MigrationPlan, resourceId: string): PlannedResource {
  const found = plan.resources.find((entry) => entry.resourceId === resourceId);
  if (!found) throw new Error(`${resourceId} is not in the plan`);
  return found;
}

/** uat without the web app: web is cloned, db already exists there. */
function cloneWebInput() {
  return devToUat({ targetResources: [uatDb()], target: { server: { id: 'srv-uat', name: 'uat-server' }, facts: healthyFacts({ publishedPorts: [], specHashes: [] }) } });
}

describe('planMigration: mode per resource', () => {
  it('clones what the target lacks and promotes what it has', () => {
    expect(resource(planMigration(cloneWebInput(), { newUuid: sequentialUuids() }), 'web').mode).toBe('clone');
    expect(resource(planMigration(devToUat(), { newUuid: sequentialUuids() }), 'web').mode).toBe('promote');
  });

  it('rejects dev → production at plan time, naming uat', () => {
    expect(() => planMigration(devToUat({ targetEnvId: 'env-prod' }))).toThrow(/migrate dev → uat first/);
  });

  it('rejects a request naming a resource dev does not have, and says what to do', () => {
    expect(() => planMigration(devToUat({ resourceIds: ['ghost'] }))).toThrow(/dev has no resource ghost: refresh the inventory/);
  });

  it('rejects malformed input with the field at fault', () => {
    let error: unknown;
    try {
      planMigration({ ...devToUat(), resourceIds: [] });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(GantryError);
    expect((error as GantryError).code).toBe('invalid_plan');
    expect((error as GantryError).message).toContain('resourceIds');
  });

  it('touches nothing: the input is left exactly as it was', () => {
    const input = devToUat({ includeMissingDependencies: true });
    const before = structuredClone(input);
    planMigration(input, { newUuid: sequentialUuids() });
    expect(input).toEqual(before);
  });
});

describe('planMigration: promote', () => {
  const plan = planMigration(devToUat({ includeMissingDependencies: true }), { newUuid: sequentialUuids() });
  const web = resource(plan, 'web');

  it('keeps a target-only var and the target value of a shared var', () => {
    expect(web.desiredSpec.env.UAT_ONLY).toBe('keep-me');
    expect(web.desiredSpec.env.DATABASE_URL).toBe(`postgres://app:${UAT_DB_PASSWORD}@uat-db:5432/app`);
    expect(web.desiredSpec.env.NODE_ENV).toBe('production');
  });

  it('adds the source vars uat lacks, with references rewired', () => {
    expect(web.desiredSpec.env.FEATURE_X).toBe('1');
    expect(web.desiredSpec.env.REPORTS_URL).toBe('postgres://reports@uat-db2:5432/reports');
    const diff = plan.diff.resources.find((entry) => entry.resourceId === 'web');
    expect(diff?.envAdded.map((entry) => entry.key)).toEqual(['FEATURE_X', 'REPORTS_URL', 'SENTRY_DSN']);
    expect(diff?.envKeptFromTarget).toEqual(['UAT_ONLY']);
  });

  it("leaves the target's traefik rule label alone and takes the other labels from dev, router renamed", () => {
    expect(web.desiredSpec.labels['traefik.http.routers.uat-web.rule']).toBe('Host(`uat.example.com`)');
    expect(Object.keys(web.desiredSpec.labels).some((key) => key.includes('dev-web'))).toBe(false);
    expect(Object.values(web.desiredSpec.labels)).not.toContain('Host(`dev.example.com`)');
  });

  it('takes the image and runtime settings from dev', () => {
    expect(web.desiredSpec.image.ref).toBe('gantry-lab/webapp:2');
    expect(web.desiredSpec.command).toEqual(['node', 'server.js', '--db-host', 'uat-db']);
    expect(web.desiredSpec.restartPolicy).toEqual({ name: 'on-failure', maximumRetryCount: 5 });
    expect(web.desiredSpec.limits.memoryBytes).toBe(268435456);
    expect(web.desiredSpec.healthcheck?.intervalMs).toBe(5000);
  });

  it("keeps uat's own volume and network, so its data and address stay put", () => {
    expect(web.desiredSpec.mounts).toEqual([{ type: 'volume', source: 'uat-web-uploads', target: '/app/uploads', readOnly: false }]);
    expect(web.volumesToCreate).toEqual([]);
    expect(web.desiredSpec.networks).toEqual([{ name: 'uat-net', aliases: ['uat-web'] }]);
  });

  it('replaces the running container instead of creating one, and keeps the port it already holds', () => {
    expect(plan.steps.filter((step) => step.resourceId === 'web').map((step) => step.kind)).toEqual(['transfer-image', 'replace-container', 'wait-healthy', 'install-schedules', 'record-resource']);
    expect(plan.prechecks.filter((check) => check.check === 'ports').map((check) => check.severity)).toEqual(['ok']);
  });
});

describe('planMigration: clone', () => {
  const plan = planMigration(cloneWebInput(), { newUuid: sequentialUuids() });
  const web = resource(plan, 'web');

  it('points a DATABASE_URL at dev-db to uat-db, and the command argument too', () => {
    expect(web.desiredSpec.env.DATABASE_URL).toBe(`postgres://app:${DEV_DB_PASSWORD}@uat-db:5432/app`);
    expect(web.desiredSpec.command).toEqual(['node', 'server.js', '--db-host', 'uat-db']);
  });

  it('names the new container, network and volumes after uat, and creates the volumes empty', () => {
    expect(web.target.containerName).toBe('uat-web');
    expect(web.target.uuid).toBe('00000000-0000-4000-8000-000000000001');
    expect(web.desiredSpec.networks).toEqual([{ name: 'uat-net', aliases: ['uat-web'] }]);
    expect(web.desiredSpec.mounts[0]?.source).toBe('uat-web-uploads');
    expect(web.volumesToCreate).toEqual(['uat-web-uploads']);
    expect(plan.steps.map((step) => step.kind)).toContain('create-volumes');
  });

  it("copies ports, health check, restart policy, limits and tags, but not dev's domain", () => {
    expect(web.desiredSpec.ports).toEqual([{ containerPort: 3000, protocol: 'tcp', hostIp: '', hostPort: 8080 }]);
    expect(web.desiredSpec.healthcheck?.test).toEqual(['CMD-SHELL', 'wget -qO- http://localhost:3000/health']);
    expect(web.desiredSpec.restartPolicy.name).toBe('on-failure');
    expect(web.desiredSpec.limits.pidsLimit).toBe(200);
    expect(web.tags).toEqual(['frontend']);
    expect(web.desiredSpec.labels).toEqual({ 'traefik.enable': 'true', 'traefik.http.services.uat-web.loadbalancer.server.port': '3000' });
    expect(plan.diff.resources[0]?.domainLeftBehind).toEqual(['label traefik.http.routers.dev-web.rule']);
  });

  it('schedules the cleanup task as a cron line running inside uat-web, with % escaped for cron', () => {
    expect(web.scheduledTasks).toHaveLength(1);
    expect(web.scheduledTasks[0]?.line).toBe("*/5 * * * * docker exec 'uat-web' sh -c 'node cleanup.js --db-host uat-db --older-than 30\\%' # gantry:web:cleanup");
  });

  it('links web to the existing uat-db', () => {
    expect(web.linksToCreate).toEqual([{ toResourceId: 'db', toContainerName: 'uat-db' }]);
    expect(plan.diff.resources[0]?.linksCreated).toEqual([{ toResourceId: 'db', toName: 'db', toContainerName: 'uat-db' }]);
  });
});

describe('planMigration: steps', () => {
  it('gives the engine valid steps with unique ids, each resource after what it depends on', () => {
    const plan = planMigration(devToUat({ includeMissingDependencies: true }), { newUuid: sequentialUuids() });
    const steps = migrationStep.array().parse(plan.steps);
    expect(new Set(steps.map((step) => step.id)).size).toBe(steps.length);
    expect(steps.findIndex((step) => step.id === 'wait-healthy:db2')).toBeLessThan(steps.findIndex((step) => step.id === 'transfer-image:web'));
  });

  it('rewires a resource that names itself (APP_URL) to its own new name', () => {
    const input = cloneWebInput();
    const web = devWeb();
    web.spec.env = { APP_URL: 'http://dev-web:3000' };
    input.sourceResources = [web, ...input.sourceResources.filter((entry) => entry.resourceId !== 'web')];
    expect(resource(planMigration(input, { newUuid: sequentialUuids() }), 'web').desiredSpec.env.APP_URL).toBe('http://uat-web:3000');
  });
});

describe('planMigration: dependencies', () => {
  it('reports the reports database uat lacks, with who refers to it, and blocks', () => {
    const plan = planMigration(devToUat(), { newUuid: sequentialUuids() });
    expect(plan.missingDependencies).toEqual([{ resourceId: 'db2', name: 'db2', kind: 'database', referencedBy: [{ resourceId: 'web', name: 'web', via: 'env REPORTS_URL' }] }]);
    expect(plan.blocking).toBe(true);
    const check = plan.prechecks.find((entry) => entry.check === 'dependencies');
    expect(check?.message).toBe('web (env REPORTS_URL) refers to db2, which uat does not have. Include db2 in this migration (it is then cloned first), or migrate it on its own first.');
  });

  it('when asked, clones the missing database first and rewires to it without touching dev-db', () => {
    const plan = planMigration(devToUat({ includeMissingDependencies: true }), { newUuid: sequentialUuids() });
    expect(plan.missingDependencies).toEqual([]);
    expect(plan.resources.map((entry) => [entry.resourceId, entry.mode, entry.addedAsDependency])).toEqual([
      ['db2', 'clone', true],
      ['web', 'promote', false],
    ]);
    expect(resource(plan, 'db2').volumesToCreate).toEqual(['uat-db2-data']);
    expect(plan.steps[0]?.id).toBe('transfer-image:db2');
    expect(plan.blocking).toBe(false);
  });

  it('puts databases ahead of the apps that use them when both are cloned', () => {
    const plan = planMigration(devToUat({ targetResources: [], resourceIds: ['web', 'db'], includeMissingDependencies: true, target: { server: { id: 's', name: 'uat-server' }, facts: healthyFacts({ publishedPorts: [], volumes: [], specHashes: [] }) } }), {
      newUuid: sequentialUuids(),
    });
    expect(plan.resources.map((entry) => entry.resourceId)).toEqual(['db', 'db2', 'web']);
    expect(resource(plan, 'web').desiredSpec.env.DATABASE_URL).toContain('@uat-db:5432');
    expect(resource(plan, 'db').desiredSpec.networks).toEqual([{ name: 'uat-net', aliases: ['db', 'uat-db'] }]);
  });
});

describe('planMigration: what is shown', () => {
  const plan = planMigration(cloneWebInput(), { newUuid: sequentialUuids() });

  it('never shows a secret, in the structured or the unified diff', () => {
    const shown = JSON.stringify(plan.diff);
    expect(shown).not.toContain(DEV_DB_PASSWORD);
    expect(shown).toContain(MASK);
  });

  it('shows the rewired DATABASE_URL with its password masked', () => {
    const rewired = plan.diff.resources[0]?.rewired.find((entry) => entry.key === 'DATABASE_URL');
    expect(rewired).toEqual({ site: 'env', key: 'DATABASE_URL', before: `postgres://app:${MASK}@dev-db:5432/app`, after: `postgres://app:${MASK}@uat-db:5432/app`, references: [{ from: 'dev-db', to: 'uat-db' }] });
  });

  it('gives diff2html a plain change of one file, not a rename', () => {
    const lines = plan.diff.unified.split('\n');
    expect(lines).toContain('--- uat/web');
    expect(lines).toContain('+++ uat/web');
    expect(lines).toContain('-      "source": "dev-web-uploads",');
    expect(lines).toContain('+      "source": "uat-web-uploads",');
  });

  it('lists changed attributes against the source for a clone', () => {
    expect(plan.diff.resources[0]?.attributes).toContainEqual({ path: 'mounts[/app/uploads]', before: 'volume dev-web-uploads', after: 'volume uat-web-uploads' });
  });

  it('keeps secrets in the desired spec for the engine, and maskPlan hides them in specs and cron lines (steps are masked by their kinds modules, tested there)', () => {
    const input = cloneWebInput();
    const web = input.sourceResources.find((entry) => entry.resourceId === 'web')!;
    web.scheduledTasks = [{ name: 'dump', schedule: '@daily', command: `pg_dump postgres://app:${DEV_DB_PASSWORD}@dev-db/app > /backup/app.sql` }];
    const withTask = planMigration(input, { newUuid: sequentialUuids() });
    expect(resource(withTask, 'web').desiredSpec.env.DATABASE_URL).toContain(DEV_DB_PASSWORD);
    expect(resource(withTask, 'web').scheduledTasks[0]?.line).toContain(`@uat-db/app`);
    const masked = JSON.stringify(maskPlan(withTask, () => []));
    expect(masked).not.toContain(DEV_DB_PASSWORD);
    expect(masked).toContain('@uat-db:5432');
    expect(JSON.stringify(withTask.diff)).not.toContain(DEV_DB_PASSWORD);
  });
});
