import { describe, expect, it } from 'vitest';
import { planMigration } from '../migration/plan';
import type { PlanInputDraft } from '../migration/plan-input';
import { healthyFacts, sequentialUuids, uatDb, uatWeb } from '../migration/test-fixtures';
import type { DomainFacts } from './domain-assignment';

const caddy: DomainFacts = {
  proxy: { kind: 'caddy-admin', detail: 'container lab-caddy', network: null, entrypoint: null, certResolver: null, acmeIssuer: 'https://127.0.0.1:14000/dir', servesHttp: true, servesHttps: true },
  routedDomains: [{ domain: 'blog.prod.example.com', holder: 'gantry-route-production-blog' }],
  serverAddresses: ['10.213.47.13'],
  resolved: { 'shop.prod.example.com': ['10.213.47.13'], 'elsewhere.example.com': ['192.0.2.7'] },
};

/** uat → production: production has nothing yet (a clone), or web already (a promote). */
function uatToProd(domains: Record<string, string>, facts: DomainFacts | undefined = caddy, prodHasWeb = false): PlanInputDraft {
  const prodWeb = { ...uatWeb(), containerName: 'production-web', uuid: 'cafe0000-0000-4000-8000-000000000001' };
  return {
    chain: [
      { id: 'env-dev', name: 'dev', production: false },
      { id: 'env-uat', name: 'uat', production: false },
      { id: 'env-prod', name: 'production', production: true },
    ],
    sourceEnvId: 'env-uat',
    targetEnvId: 'env-prod',
    sourceResources: [uatWeb(), uatDb()],
    targetResources: prodHasWeb ? [prodWeb, { ...uatDb(), containerName: 'production-db' }] : [{ ...uatDb(), containerName: 'production-db' }],
    resourceIds: ['web'],
    domains,
    target: { server: { id: 'srv-prod', name: 'prod' }, facts: healthyFacts({ publishedPorts: [], containerNames: ['production-db'], specHashes: [], ...(facts ? { domains: facts } : {}) }) },
  };
}

const domainChecks = (draft: PlanInputDraft) => planMigration(draft, { newUuid: sequentialUuids() }).prechecks.filter((check) => check.check === 'domain');

describe('a domain for the first clone into production', () => {
  it('through a plain Caddy: a route step to the published port, then the certificate check; uat’s Traefik labels are not carried', () => {
    const plan = planMigration(uatToProd({ web: 'Shop.Prod.Example.com' }), { newUuid: sequentialUuids() });
    expect(plan.blocking).toBe(false);
    const web = plan.resources.find((resource) => resource.resourceId === 'web')!;
    expect(web.domain).toEqual({ domain: 'shop.prod.example.com', url: 'https://shop.prod.example.com', proxy: 'caddy-admin', routeId: 'gantry-route-production-web', dial: '127.0.0.1:8080', acmeIssuer: 'https://127.0.0.1:14000/dir' });
    expect(Object.keys(web.desiredSpec.labels).filter((key) => key.startsWith('traefik.'))).toEqual([]);
    const kinds = plan.steps.filter((step) => step.resourceId === 'web').map((step) => step.kind);
    expect(kinds).toEqual(['transfer-image', 'create-volumes', 'create-container', 'wait-healthy', 'route-domain', 'check-certificate', 'link-resources', 'record-resource']);
    expect(plan.steps.find((step) => step.kind === 'route-domain')).toMatchObject({ params: { containerName: 'production-web', domain: 'shop.prod.example.com', routeId: 'gantry-route-production-web', dial: '127.0.0.1:8080' } });
    expect(domainChecks(uatToProd({ web: 'shop.prod.example.com' })).map((check) => [check.id, check.severity])).toEqual([
      ['domain:web:proxy', 'ok'],
      ['domain:web:ports', 'ok'],
      ['domain:web:issuer', 'ok'],
      ['domain:web:unique', 'ok'],
      ['domain:web:dns', 'ok'],
    ]);
  });

  it('through Traefik: its labels and network on the container, no route step', () => {
    const traefik: DomainFacts = { ...caddy, proxy: { kind: 'traefik', detail: 'container traefik', network: 'proxy', entrypoint: 'websecure', certResolver: 'le', acmeIssuer: null, servesHttp: true, servesHttps: true } };
    const plan = planMigration(uatToProd({ web: 'shop.prod.example.com' }, traefik), { newUuid: sequentialUuids() });
    const web = plan.resources.find((resource) => resource.resourceId === 'web')!;
    expect(web.desiredSpec.labels).toMatchObject({ 'traefik.http.routers.production-web.rule': 'Host(`shop.prod.example.com`)', 'traefik.http.routers.production-web.tls.certresolver': 'le', 'traefik.http.services.production-web.loadbalancer.server.port': '3000', 'traefik.docker.network': 'proxy' });
    expect(web.desiredSpec.labels['traefik.http.services.uat-web.loadbalancer.server.port']).toBeUndefined();
    expect(web.desiredSpec.networks.map((network) => network.name)).toContain('proxy');
    expect(plan.steps.map((step) => step.kind)).not.toContain('route-domain');
    expect(plan.steps.map((step) => step.kind)).toContain('check-certificate');
  });

  it('refuses an invalid domain with its reason, and one routed to another container', () => {
    expect(domainChecks(uatToProd({ web: 'https://shop.prod.example.com/' }))).toEqual([expect.objectContaining({ severity: 'blocking', message: expect.stringMatching(/Leave out the scheme/) })]);
    const taken = domainChecks(uatToProd({ web: 'blog.prod.example.com' }));
    expect(taken.find((check) => check.id === 'domain:web:unique')).toMatchObject({ severity: 'blocking', message: expect.stringMatching(/already routed to gantry-route-production-blog/) });
    expect(planMigration(uatToProd({ web: 'blog.prod.example.com' }), { newUuid: sequentialUuids() }).blocking).toBe(true);
  });

  it('warns, before anything runs, when the domain does not resolve to the server', () => {
    expect(domainChecks(uatToProd({ web: 'nowhere.example.com' })).find((check) => check.id === 'domain:web:dns')).toMatchObject({ severity: 'warning', message: expect.stringMatching(/does not resolve \(asked from prod\)/) });
    expect(domainChecks(uatToProd({ web: 'elsewhere.example.com' })).find((check) => check.id === 'domain:web:dns')).toMatchObject({ severity: 'warning', message: expect.stringMatching(/resolves to 192\.0\.2\.7, not to prod/) });
    expect(planMigration(uatToProd({ web: 'nowhere.example.com' }), { newUuid: sequentialUuids() }).blocking).toBe(false);
  });

  it('blocks without a proxy, without 80/443, or with a Caddy that has only its internal CA', () => {
    expect(domainChecks(uatToProd({ web: 'shop.prod.example.com' }, { ...caddy, proxy: { ...caddy.proxy, kind: 'none' } }))[0]).toMatchObject({ severity: 'blocking', message: expect.stringMatching(/runs no reverse proxy/) });
    expect(domainChecks(uatToProd({ web: 'shop.prod.example.com' }, { ...caddy, proxy: { ...caddy.proxy, servesHttp: false } })).find((check) => check.id === 'domain:web:ports')).toMatchObject({ severity: 'blocking', message: expect.stringMatching(/does not serve port 80/) });
    expect(domainChecks(uatToProd({ web: 'shop.prod.example.com' }, { ...caddy, proxy: { ...caddy.proxy, acmeIssuer: null } })).find((check) => check.id === 'domain:web:issuer')).toMatchObject({ severity: 'blocking' });
  });

  it('a promote keeps the target’s domain: no routing step, no label change', () => {
    const plan = planMigration(uatToProd({ web: 'shop.prod.example.com' }, caddy, true), { newUuid: sequentialUuids() });
    expect(plan.resources[0]!.domain).toBeUndefined();
    expect(plan.steps.map((step) => step.kind)).not.toContain('route-domain');
    expect(plan.steps.map((step) => step.kind)).not.toContain('check-certificate');
    expect(plan.prechecks.find((check) => check.check === 'domain')).toMatchObject({ severity: 'ok', message: expect.stringMatching(/keeps its domain/) });
  });
});
