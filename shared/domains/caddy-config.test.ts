import { describe, expect, it } from 'vitest';
import { acmeIssuerOf, caddyConfig, CADDY_DEFAULT_ACME, httpsServerOf, routedHostsOf, servesHttpPort } from './caddy-config';

// The lab prod Caddy's config as its admin API returns it, with one route Gantry added.
const lab = caddyConfig.parse({
  admin: { listen: 'localhost:2019' },
  apps: {
    http: {
      servers: {
        http: { listen: [':80'], routes: [] },
        https: { listen: [':443'], routes: [{ '@id': 'gantry-route-prod-web', match: [{ host: ['Shop.prod.gantry-lab.test'] }], handle: [{ handler: 'reverse_proxy', upstreams: [{ dial: '127.0.0.1:8080' }] }], terminal: true }] },
      },
    },
    tls: { automation: { policies: [{ issuers: [{ module: 'acme', ca: 'https://127.0.0.1:14000/dir', challenges: { 'tls-alpn': { disabled: true } } }] }] } },
  },
});

describe('reading a plain Caddy’s config', () => {
  it('finds the server on 443, whether 80 is served, and the hosts already routed with their upstreams', () => {
    expect(httpsServerOf(lab)).toBe('https');
    expect(servesHttpPort(lab)).toBe(true);
    expect(routedHostsOf(lab)).toEqual([{ host: 'shop.prod.gantry-lab.test', routeId: 'gantry-route-prod-web', dials: ['127.0.0.1:8080'] }]);
    expect(httpsServerOf(caddyConfig.parse({ apps: { http: { servers: { a: { listen: [':8080'] } } } } }))).toBeNull();
    expect(httpsServerOf(caddyConfig.parse({}))).toBeNull();
  });

  it('names the ACME issuer: the policy’s CA, Caddy’s public default without policies, none for an internal-only policy', () => {
    expect(acmeIssuerOf(lab, 'shop.prod.gantry-lab.test')).toBe('https://127.0.0.1:14000/dir');
    expect(acmeIssuerOf(caddyConfig.parse({ apps: {} }))).toBe(CADDY_DEFAULT_ACME);
    expect(acmeIssuerOf(caddyConfig.parse({ apps: { tls: { automation: { policies: [{ issuers: [{ module: 'internal' }] }] } } } }))).toBeNull();
    const scoped = caddyConfig.parse({ apps: { tls: { automation: { policies: [{ subjects: ['*.internal.example'], issuers: [{ module: 'internal' }] }, { issuers: [{ module: 'acme' }] }] } } } });
    expect(acmeIssuerOf(scoped, 'a.internal.example')).toBeNull();
    expect(acmeIssuerOf(scoped, 'shop.example.com')).toBe(CADDY_DEFAULT_ACME);
  });
});
