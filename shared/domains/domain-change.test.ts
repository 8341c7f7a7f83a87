import { describe, expect, it } from 'vitest';
import { specWith } from '../migration/test-fixtures';
import type { StepOf } from '../migration/steps';
import type { DomainFacts } from './domain-assignment';
import { currentDomainOf, domainChangeSteps, domainChangeUndoSteps, planDomainChange, type DomainChangeSubject } from './domain-change';
import { caddyAdminRoute } from './proxy-routing';

const caddy: DomainFacts = {
  proxy: { kind: 'caddy-admin', detail: 'container lab-caddy', network: null, entrypoint: null, certResolver: null, acmeIssuer: 'https://127.0.0.1:14000/dir', servesHttp: true, servesHttps: true },
  routedDomains: [
    { domain: 'shop.prod.example.com', holder: 'gantry-route-production-web' },
    { domain: 'blog.prod.example.com', holder: 'gantry-route-production-blog' },
  ],
  serverAddresses: ['10.213.47.13'],
  resolved: { 'store.prod.example.com': ['10.213.47.13'], 'blog.prod.example.com': ['10.213.47.13'], 'elsewhere.example.com': ['192.0.2.7'] },
};
const traefik: DomainFacts = {
  ...caddy,
  proxy: { kind: 'traefik', detail: 'container traefik', network: 'proxy', entrypoint: 'websecure', certResolver: 'le', acmeIssuer: null, servesHttp: true, servesHttps: true },
  routedDomains: [{ domain: 'shop.prod.example.com', holder: 'production-web' }],
};
const web = (labels: Record<string, string> = {}): DomainChangeSubject => ({
  resourceId: 'web',
  name: 'web',
  containerName: 'production-web',
  tags: ['front'],
  spec: specWith({ ports: [{ containerPort: 3000, protocol: 'tcp', hostIp: '', hostPort: 8080 }], labels }),
});
const context = { serverName: 'prod', targetName: 'production' };
const severities = (facts: DomainFacts, typed: string) => planDomainChange(web(), typed, facts, context).prechecks.map((check) => [check.id.split(':')[2], check.severity]);

describe('Change domain: pre-checks', () => {
  it('knows the current domain from the Caddy route or the container’s labels', () => {
    expect(currentDomainOf(caddy, 'production-web')).toBe('shop.prod.example.com');
    expect(currentDomainOf(traefik, 'production-web')).toBe('shop.prod.example.com');
    expect(currentDomainOf(caddy, 'production-api')).toBeNull();
  });

  it('refuses an invalid domain with its reason, and the domain it already has', () => {
    const invalid = planDomainChange(web(), 'https://store.prod.example.com/', caddy, context);
    expect(invalid.assignment).toBeNull();
    expect(invalid.prechecks[0]).toMatchObject({ severity: 'blocking', message: expect.stringContaining('Leave out the scheme') });
    const same = planDomainChange(web(), 'SHOP.prod.example.com', caddy, context);
    expect(same.prechecks).toEqual([expect.objectContaining({ severity: 'blocking', message: expect.stringContaining("is already web's domain") })]);
  });

  it('blocks a domain routed to something else; its own route is not "elsewhere"; warns when it does not resolve here', () => {
    expect(severities(caddy, 'blog.prod.example.com')).toContainEqual(['unique', 'blocking']);
    expect(severities(caddy, 'store.prod.example.com')).toEqual([
      ['proxy', 'ok'],
      ['ports', 'ok'],
      ['issuer', 'ok'],
      ['unique', 'ok'],
      ['dns', 'ok'],
    ]);
    expect(severities(caddy, 'nowhere.prod.example.com')).toContainEqual(['dns', 'warning']);
    expect(severities(caddy, 'elsewhere.example.com')).toContainEqual(['dns', 'warning']);
    expect(planDomainChange(web(), 'nowhere.prod.example.com', caddy, context).assignment).not.toBeNull();
  });
});

describe('Change domain: the run and its undo', () => {
  it('through a plain Caddy: the same route id pointed at the new domain, then the certificate and the record', () => {
    const planned = planDomainChange(web(), 'store.prod.example.com', caddy, context);
    const steps = domainChangeSteps(web(), planned.assignment!, planned.current, { backupFirst: false, healthTimeoutMs: 60_000 });
    expect(steps.map((step) => step.kind)).toEqual(['route-domain', 'check-certificate', 'record-resource']);
    expect(steps[0]).toMatchObject({ params: { containerName: 'production-web', domain: 'store.prod.example.com', routeId: 'gantry-route-production-web', dial: '127.0.0.1:8080' }, undo: 'Route shop.prod.example.com again' });
    expect(steps[1]).toMatchObject({ params: { domain: 'store.prod.example.com', acmeIssuer: 'https://127.0.0.1:14000/dir' } });
  });

  it('a production database is backed up first', () => {
    const planned = planDomainChange(web(), 'store.prod.example.com', caddy, context);
    expect(domainChangeSteps(web(), planned.assignment!, planned.current, { backupFirst: true, healthTimeoutMs: 60_000 })[0]!.kind).toBe('backup-database');
  });

  it('through Traefik: the container recreated with the new Host rule (the old one gone) and the proxy network', () => {
    const subject = web({ 'traefik.enable': 'true', 'traefik.http.routers.production-web.rule': 'Host(`shop.prod.example.com`)', 'com.example.team': 'shop' });
    const planned = planDomainChange(subject, 'store.prod.example.com', traefik, context);
    expect(planned.spec.labels).toMatchObject({ 'traefik.http.routers.production-web.rule': 'Host(`store.prod.example.com`)', 'traefik.http.routers.production-web.tls.certresolver': 'le', 'traefik.docker.network': 'proxy', 'com.example.team': 'shop' });
    expect(planned.spec.networks.map((network) => network.name)).toContain('proxy');
    expect(domainChangeSteps(subject, planned.assignment!, planned.current, { backupFirst: false, healthTimeoutMs: 60_000 }).map((step) => step.kind)).toEqual(['replace-container', 'wait-healthy', 'check-certificate', 'record-resource']);
  });

  it('undo through Caddy puts the previous route back, or removes the new one when there was none', () => {
    const previous = caddyAdminRoute({ containerName: 'production-web', domain: 'shop.prod.example.com', dial: '127.0.0.1:8080' });
    const routed = { routeId: 'gantry-route-production-web', dial: '127.0.0.1:8080', domain: 'store.prod.example.com' };
    const base = { containerName: 'production-web', tags: [], acmeIssuer: 'https://127.0.0.1:14000/dir', healthTimeoutMs: 60_000, routed };
    const back = domainChangeUndoSteps({ ...base, change: { resourceId: 'web', from: 'shop.prod.example.com', to: 'store.prod.example.com' }, previousRoute: previous });
    expect(back.map((step) => step.kind)).toEqual(['route-domain', 'check-certificate', 'record-resource']);
    expect((back[0] as StepOf<'route-domain'>).params).toEqual({ containerName: 'production-web', domain: 'shop.prod.example.com', routeId: 'gantry-route-production-web', dial: '127.0.0.1:8080' });
    expect((back[1] as StepOf<'check-certificate'>).params.domain).toBe('shop.prod.example.com');
    const away = domainChangeUndoSteps({ ...base, change: { resourceId: 'web', from: null, to: 'store.prod.example.com' }, previousRoute: null });
    expect(away.map((step) => step.kind)).toEqual(['route-domain', 'record-resource']);
    expect((away[0] as StepOf<'route-domain'>).params).toMatchObject({ domain: 'store.prod.example.com', remove: true });
  });

  it('undo through labels restores the container from the snapshot the change kept', () => {
    const snapshot = { path: '/var/lib/gantry/snapshots/x.json', containerName: 'production-web', imageId: 'sha256:1' };
    const undo = domainChangeUndoSteps({ containerName: 'production-web', tags: [], acmeIssuer: null, healthTimeoutMs: 60_000, snapshot, change: { resourceId: 'web', from: 'shop.prod.example.com', to: 'store.prod.example.com' } });
    expect(undo.map((step) => step.kind)).toEqual(['restore-container', 'wait-healthy', 'check-certificate', 'record-resource']);
    expect((undo[0] as StepOf<'restore-container'>).params.snapshot).toEqual(snapshot);
  });
});
