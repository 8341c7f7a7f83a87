import { describe, expect, it } from 'vitest';
import { isDomainEnvKey, isDomainLabel } from './domain';
import { planMigration } from './plan';
import { devToUat, devWeb, sequentialUuids, uatWeb, uatDb } from './test-fixtures';

const none = { envKeys: [], labelKeys: [] };

describe('what belongs to an environment’s domain', () => {
  it('counts Traefik router rules and TLS settings and every Caddy label, not other routing labels', () => {
    expect(isDomainLabel('traefik.http.routers.web.rule', none)).toBe(true);
    expect(isDomainLabel('traefik.http.routers.web.tls.certresolver', none)).toBe(true);
    expect(isDomainLabel('caddy', none)).toBe(true);
    expect(isDomainLabel('caddy_1.reverse_proxy', none)).toBe(true);
    expect(isDomainLabel('traefik.http.services.web.loadbalancer.server.port', none)).toBe(false);
    expect(isDomainLabel('caddyfile.note', none)).toBe(false);
  });

  it('adds the keys the environment’s domain setting names, with * patterns', () => {
    const owned = { envKeys: ['COOLIFY_FQDN', 'SERVICE_FQDN_*'], labelKeys: ['coolify.fqdn'] };
    expect(isDomainEnvKey('SERVICE_FQDN_WEB', owned)).toBe(true);
    expect(isDomainEnvKey('COOLIFY_FQDN', owned)).toBe(true);
    expect(isDomainEnvKey('COOLIFY_FQDNX', owned)).toBe(false);
    expect(isDomainLabel('coolify.fqdn', owned)).toBe(true);
  });

  it('a promote keeps uat’s Caddy address and never adds dev’s domain env var', () => {
    const dev = devWeb();
    dev.spec.labels = { caddy: 'dev.example.com', 'caddy.reverse_proxy': '{{upstreams 3000}}', 'app.tier': 'web' };
    dev.spec.env = { ...dev.spec.env, SERVICE_FQDN_WEB: 'https://dev.example.com' };
    const uat = uatWeb();
    uat.spec.labels = { caddy: 'uat.example.com', 'caddy.reverse_proxy': '{{upstreams 3000}}' };
    const plan = planMigration(
      devToUat({
        sourceResources: [dev],
        targetResources: [uat, uatDb()],
        target: { server: { id: 's', name: 'uat-server' }, facts: devToUat().target.facts, domain: { envKeys: ['SERVICE_FQDN_*'] } },
      }),
      { newUuid: sequentialUuids() },
    );
    const web = plan.resources[0]!;
    expect(web.desiredSpec.labels).toEqual({ caddy: 'uat.example.com', 'caddy.reverse_proxy': '{{upstreams 3000}}', 'app.tier': 'web' });
    expect(web.desiredSpec.env).not.toHaveProperty('SERVICE_FQDN_WEB');
  });
});
