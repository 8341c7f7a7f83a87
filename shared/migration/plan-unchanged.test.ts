/**
 * The planner promotes only what changed, joins clones to the target environment's network and
 * carries runtime settings (init, host name, ...) over. "What uat runs after a clone" is the
 * clone's own desired spec, exactly what the engine creates from it.
 */
import { describe, expect, it } from 'vitest';
import { planMigration, type MigrationPlan } from './plan';
import type { EnvironmentResource } from './plan-input';
import { devToUat, healthyFacts, resourceWith, sequentialUuids, specWith } from './test-fixtures';

const names = ['db', 'cache', 'queue', 'api', 'web'];

/** Five dev resources on a network named for no environment, one of them with runtime settings. */
function devResources(): EnvironmentResource[] {
  return names.map((name) =>
    resourceWith({
      resourceId: name,
      containerName: `dev-${name}`,
      hostnames: [`dev-${name}`],
      spec: specWith({
        image: { ref: `lab/${name}:1`, id: `sha256:${name}1`, digest: null },
        env: { MODE: 'dev', PEER: `http://dev-${names[(names.indexOf(name) + 1) % names.length]}:8080` },
        networks: [{ name: 'shop-net', aliases: [`dev-${name}`] }],
        ...(name === 'web' ? { runtime: { ...specWith({}).runtime, init: true, hostname: 'dev-web', capAdd: ['NET_ADMIN'], shmSizeBytes: 134217728 } } : {}),
      }),
    }),
  );
}

const chain = [
  { id: 'env-dev', name: 'dev', production: false, network: 'gantry-shop-dev' },
  { id: 'env-uat', name: 'uat', production: false, network: 'gantry-shop-uat' },
  { id: 'env-prod', name: 'production', production: true, network: 'gantry-shop-production' },
];

function plan(sourceResources: EnvironmentResource[], targetResources: EnvironmentResource[]): MigrationPlan {
  return planMigration(devToUat({ chain, sourceResources, targetResources, resourceIds: names, target: { server: { id: 'srv-uat', name: 'uat' }, facts: healthyFacts({ publishedPorts: [], specHashes: [] }) } }), { newUuid: sequentialUuids() });
}

/** What uat runs once `cloned` has run: each resource's desired spec, under its planned identity. */
function runningAfter(cloned: MigrationPlan): EnvironmentResource[] {
  return cloned.resources.map((resource) =>
    resourceWith({ resourceId: resource.resourceId, containerName: resource.target.containerName, uuid: resource.target.uuid, hostnames: [...resource.target.hostnames], spec: structuredClone(resource.desiredSpec) }),
  );
}

describe('promote only what changed', () => {
  const cloned = plan(devResources(), []);
  const uat = runningAfter(cloned);

  it('says "unchanged" for each of five resources uat already runs as dev has them, and plans no step', () => {
    const again = plan(devResources(), uat);
    expect(again.resources.map((resource) => [resource.name, resource.mode, resource.unchanged])).toEqual(names.map((name) => [name, 'promote', true]));
    expect(again.diff.resources.every((diff) => diff.unchanged && diff.attributes.length === 0)).toBe(true);
    expect(again.steps).toEqual([]);
  });

  it('recreates only the resources whose spec changed: an image on one, a runtime setting on another', () => {
    const dev = devResources();
    dev[1]!.spec.image = { ref: 'lab/cache:2', id: 'sha256:cache2', digest: null };
    dev[4]!.spec.runtime.init = false;
    const promoted = plan(dev, uat);
    expect(promoted.resources.filter((resource) => !resource.unchanged).map((resource) => resource.name)).toEqual(['cache', 'web']);
    expect([...new Set(promoted.steps.map((step) => step.resourceId))]).toEqual(['cache', 'web']);
    expect(promoted.steps.filter((step) => step.kind === 'replace-container').map((step) => step.resourceId)).toEqual(['cache', 'web']);
    expect(promoted.diff.resources.find((diff) => diff.name === 'web')?.attributes).toEqual([{ path: 'runtime.init', before: 'true', after: 'false' }]);
  });

  it('sees the same image id with and without a registry digest as unchanged', () => {
    const dev = devResources();
    dev[0]!.spec.image.digest = 'lab/db@sha256:feed';
    expect(plan(dev, uat).resources.find((resource) => resource.name === 'db')?.unchanged).toBe(true);
  });
});

describe('clones into the target environment', () => {
  const cloned = plan(devResources(), []);

  it('joins the target environment’s network in place of a network named for no environment', () => {
    expect(cloned.resources.map((resource) => resource.desiredSpec.networks)).toEqual(names.map((name) => [{ name: 'gantry-shop-uat', aliases: [`uat-${name}`] }]));
    expect(cloned.resources.find((resource) => resource.name === 'web')?.desiredSpec.env.PEER).toBe('http://uat-db:8080');
  });

  it('maps the source environment’s network to the target’s, renames one named for the source environment, keeps built-in ones, and merges what lands on one name', () => {
    const dev = devResources().slice(0, 1);
    dev[0]!.spec.networks = [
      { name: 'bridge', aliases: [] },
      { name: 'gantry-shop-dev', aliases: ['dev-db'] },
      { name: 'reports-dev', aliases: ['dev-db'] },
      { name: 'shop-net', aliases: ['db'] },
    ];
    const networks = planMigration(devToUat({ chain, sourceResources: dev, targetResources: [], resourceIds: ['db'] }), { newUuid: sequentialUuids() }).resources[0]!.desiredSpec.networks;
    expect(networks).toEqual([
      { name: 'bridge', aliases: [] },
      { name: 'gantry-shop-uat', aliases: ['db', 'uat-db'] },
      { name: 'reports-uat', aliases: ['uat-db'] },
    ]);
  });

  it('carries runtime settings over and renames a host name named for the source', () => {
    const web = cloned.resources.find((resource) => resource.name === 'web')!;
    expect(web.desiredSpec.runtime).toMatchObject({ init: true, hostname: 'uat-web', capAdd: ['NET_ADMIN'], shmSizeBytes: 134217728 });
  });

  it('keeps a volume the target has where the source mounts a tmpfs, rather than mount both there', () => {
    const uat = runningAfter(cloned);
    uat[0]!.spec.mounts = [{ type: 'volume', source: 'uat-db-tmp', target: '/tmp', readOnly: false }];
    const dev = devResources();
    dev[0]!.spec.runtime.tmpfs = { '/tmp': 'size=16m', '/run': '' };
    const db = plan(dev, uat).resources.find((resource) => resource.name === 'db')!;
    expect(db.desiredSpec.runtime.tmpfs).toEqual({ '/run': '' });
    expect(db.desiredSpec.mounts.map((mount) => mount.target)).toEqual(['/tmp']);
  });

  it('keeps the target’s own host name on a promote', () => {
    const uat = runningAfter(cloned);
    uat[4]!.spec.runtime.hostname = 'uat-frontend';
    const promoted = plan(devResources(), uat);
    expect(promoted.resources.find((resource) => resource.name === 'web')).toMatchObject({ unchanged: true, desiredSpec: { runtime: { hostname: 'uat-frontend' } } });
  });
});
