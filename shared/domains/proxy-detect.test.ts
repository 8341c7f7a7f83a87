import { describe, expect, it } from 'vitest';
import type { ContainerInspectInfo } from '../spec/docker-inspect';
import { findLabelProxy, labelRoutedDomains, traefikSettings } from './proxy-detect';

function container(name: string, image: string, extra: { cmd?: string[]; env?: string[]; labels?: Record<string, string>; ports?: number[]; networks?: string[]; hostNetwork?: boolean } = {}): ContainerInspectInfo {
  return {
    Id: name,
    Name: `/${name}`,
    Image: 'sha256:x',
    State: { Status: 'running', Running: true },
    Config: { Image: image, Cmd: extra.cmd ?? null, Env: extra.env ?? [], Labels: extra.labels ?? {} },
    HostConfig: { NetworkMode: extra.hostNetwork ? 'host' : 'bridge', PortBindings: Object.fromEntries((extra.ports ?? []).map((port) => [`${port}/tcp`, [{ HostPort: String(port) }]])) },
    NetworkSettings: { Networks: Object.fromEntries((extra.networks ?? ['bridge']).map((network) => [network, {}])) },
  };
}

describe('finding a label-reading proxy', () => {
  it('reads Traefik’s resolver, https entry point and network from its flags', () => {
    const traefik = container('traefik', 'traefik:v3.1', { cmd: ['--providers.docker=true', '--entrypoints.web.address=:80', '--entrypoints.websecure.address=:443', '--certificatesresolvers.le.acme.httpchallenge=true', '--providers.docker.network=proxy'], ports: [80, 443], networks: ['proxy'] });
    expect(findLabelProxy([traefik])).toEqual({ kind: 'traefik', container: 'traefik', image: 'traefik:v3.1', network: 'proxy', entrypoint: 'websecure', certResolver: 'le', servesHttp: true, servesHttps: true });
  });

  it('reads them from a YAML static configuration when the flags do not say', () => {
    const yaml = 'entryPoints:\n  web:\n    address: ":80"\n  secure:\n    address: ":443"\ncertificatesResolvers:\n  myresolver:\n    acme:\n      email: ops@example.com\nproviders:\n  docker:\n    network: edge\n';
    expect(traefikSettings([], yaml)).toEqual({ entrypoint: 'secure', certResolver: 'myresolver', network: 'edge' });
    expect(traefikSettings([], '[certificatesResolvers.tomlresolver.acme]\n  email = "a@b.c"\n').certResolver).toBe('tomlresolver');
    expect(traefikSettings(['--providers.docker=true'], '').certResolver).toBeNull();
  });

  it('tells caddy-docker-proxy by its image or ingress network, and reads the routed domains of every container', () => {
    const cdp = container('caddy', 'lucaslorentz/caddy-docker-proxy:2.9', { env: ['CADDY_INGRESS_NETWORKS=caddy'], hostNetwork: true });
    expect(findLabelProxy([cdp])).toMatchObject({ kind: 'caddy-docker-proxy', network: 'caddy', servesHttp: true, servesHttps: true });
    expect(findLabelProxy([container('web', 'gantry-lab/webapp:1')])).toBeNull();
    const web = container('prod-web', 'app', { labels: { caddy: 'shop.example.com', 'caddy.reverse_proxy': '{{upstreams 8080}}' } });
    expect(labelRoutedDomains([cdp, web])).toEqual([{ domain: 'shop.example.com', holder: 'prod-web' }]);
  });
});
