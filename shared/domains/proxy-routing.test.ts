import { describe, expect, it } from 'vitest';
import { isDomainLabel } from '../migration/domain';
import { caddyAdminRoute, caddyDockerProxyLabels, domainsInLabels, routerNameFor, routingLabels, traefikLabels, type ProxyFacts } from './proxy-routing';

const traefik: ProxyFacts = { kind: 'traefik', detail: null, network: 'proxy', entrypoint: 'websecure', certResolver: 'le', acmeIssuer: 'https://acme-v02.api.letsencrypt.org/directory' };

describe('Traefik labels (documented Docker-provider form; untested against a live Traefik)', () => {
  it('routes the domain over https with the resolver, port and network', () => {
    expect(traefikLabels({ containerName: 'prod-web', domain: 'shop.example.com', port: 8080, entrypoint: 'websecure', certResolver: 'le', network: 'proxy' })).toEqual({
      'traefik.enable': 'true',
      'traefik.http.routers.prod-web.rule': 'Host(`shop.example.com`)',
      'traefik.http.routers.prod-web.entrypoints': 'websecure',
      'traefik.http.routers.prod-web.tls': 'true',
      'traefik.http.routers.prod-web.tls.certresolver': 'le',
      'traefik.http.routers.prod-web.service': 'prod-web',
      'traefik.http.services.prod-web.loadbalancer.server.port': '8080',
      'traefik.docker.network': 'proxy',
    });
  });

  it('names routers so a dot in the container name cannot nest the label', () => {
    expect(routerNameFor('Prod.Web_1')).toBe('prod-web-1');
    const labels = traefikLabels({ containerName: 'prod.web', domain: 'a.example.com', port: 80, entrypoint: 'websecure', certResolver: 'le', network: null });
    expect(Object.keys(labels).filter((key) => key.startsWith('traefik.http.')).map((key) => key.split('.')[3])).toEqual(Array(6).fill('prod-web'));
    expect(labels['traefik.docker.network']).toBeUndefined();
  });

  it('every routing label it writes is one a promote keeps from the target (domain-owned) or is the service port', () => {
    const labels = routingLabels(traefik, { containerName: 'prod-web', domain: 'shop.example.com', port: 8080 });
    const owned = Object.keys(labels).filter((key) => isDomainLabel(key, { envKeys: [], labelKeys: [] }));
    expect(owned).toEqual(expect.arrayContaining(['traefik.http.routers.prod-web.rule', 'traefik.http.routers.prod-web.tls', 'traefik.http.routers.prod-web.tls.certresolver']));
  });
});

describe('caddy-docker-proxy labels (documented form; untested against a live caddy-docker-proxy)', () => {
  it('names the site and proxies to the container’s port through the upstreams template', () => {
    expect(caddyDockerProxyLabels({ domain: 'shop.example.com', port: 8080 })).toEqual({ caddy: 'shop.example.com', 'caddy.reverse_proxy': '{{upstreams 8080}}' });
    expect(Object.keys(caddyDockerProxyLabels({ domain: 'x.example.com', port: 1 })).every((key) => isDomainLabel(key, { envKeys: [], labelKeys: [] }))).toBe(true);
  });
});

describe('plain Caddy admin-API route', () => {
  it('matches the host and reverse-proxies to the published port, under an @id undo finds again', () => {
    expect(caddyAdminRoute({ containerName: 'prod-web', domain: 'shop.example.com', dial: '127.0.0.1:8080' })).toEqual({
      '@id': 'gantry-route-prod-web',
      match: [{ host: ['shop.example.com'] }],
      handle: [{ handler: 'reverse_proxy', upstreams: [{ dial: '127.0.0.1:8080' }] }],
      terminal: true,
    });
    expect(routingLabels({ ...traefik, kind: 'caddy-admin' }, { containerName: 'w', domain: 'a.example.com', port: 1 })).toEqual({});
  });
});

describe('domainsInLabels', () => {
  it('reads the domains Traefik rules and caddy-docker-proxy sites route', () => {
    expect(
      domainsInLabels({
        'traefik.http.routers.a.rule': 'Host(`shop.example.com`) || Host(`www.shop.example.com`, `Alt.example.com`)',
        caddy: 'https://blog.example.com, api.example.com:443',
        caddy_1: 'docs.example.com',
        'caddy.reverse_proxy': '{{upstreams 80}}',
      }).sort(),
    ).toEqual(['alt.example.com', 'api.example.com', 'blog.example.com', 'docs.example.com', 'shop.example.com', 'www.shop.example.com']);
  });
});
