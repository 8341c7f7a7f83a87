/**
 * Reads what domain assignment needs from a target server: its proxy (a label-reading one from
 * its containers, else a plain Caddy through its admin API), the domains already routed there,
 * the server's own addresses, and what the requested domains resolve to, asked from the server.
 */
import type { DomainFacts } from '@shared/domains/domain-assignment';
import { acmeIssuerOf, httpsServerOf, routedHostsOf, servesHttpPort } from '@shared/domains/caddy-config';
import { findLabelProxy, labelRoutedDomains } from '@shared/domains/proxy-detect';
import type { ContainerInspectInfo } from '@shared/spec/docker-inspect';
import { shellQuote, type RemoteHost } from '../servers/remote-host';
import { CaddyAdmin } from './caddy-admin';

const ADDRESSES_MARK = '@@gantry:addresses';
const RESOLVED_MARK = '@@gantry:resolved ';

/** The shell lines that print the server's addresses and, per domain, its IPv4 addresses as the server resolves them. */
export function resolutionCommand(domains: readonly string[]): string {
  return [
    `echo ${ADDRESSES_MARK}; hostname -I 2>/dev/null || true`,
    ...domains.map((domain) => `echo ${shellQuote(`${RESOLVED_MARK}${domain}`)} $(getent ahostsv4 ${shellQuote(domain)} 2>/dev/null | awk '{print $1}' | sort -u)`),
  ].join('; ');
}

/** Reads the domain facts of a server for the requested (already validated or not) domains. */
export async function readDomainFacts(host: RemoteHost, containers: readonly ContainerInspectInfo[], domains: readonly string[], signal?: AbortSignal): Promise<DomainFacts> {
  const labelProxy = findLabelProxy(containers, await traefikStaticConfig(host, containers, signal));
  const routedDomains = labelRoutedDomains(containers);
  let proxy: DomainFacts['proxy'] = { kind: 'none', detail: null, network: null, entrypoint: null, certResolver: null, acmeIssuer: null, servesHttp: false, servesHttps: false };
  if (labelProxy) {
    proxy = { kind: labelProxy.kind, detail: `container ${labelProxy.container} (${labelProxy.image})`, network: labelProxy.network, entrypoint: labelProxy.entrypoint, certResolver: labelProxy.certResolver, acmeIssuer: null, servesHttp: labelProxy.servesHttp, servesHttps: labelProxy.servesHttps };
  } else {
    const config = await new CaddyAdmin(host).config(signal).catch(() => null);
    if (config) {
      const caddy = containers.find((container) => container.State?.Running && /caddy/i.test(container.Config.Image));
      proxy = {
        kind: 'caddy-admin',
        detail: `${caddy ? `container ${caddy.Name.replace(/^\//, '')}` : 'Caddy'}, admin API on localhost:2019`,
        network: null,
        entrypoint: null,
        certResolver: null,
        acmeIssuer: acmeIssuerOf(config, domains[0]),
        servesHttp: servesHttpPort(config),
        servesHttps: httpsServerOf(config) !== null,
      };
      for (const routed of routedHostsOf(config)) routedDomains.push({ domain: routed.host, holder: routed.routeId ?? `a Caddy route to ${routed.dials.join(', ') || 'somewhere'}` });
    }
  }
  const result = await host.exec(resolutionCommand(domains), signal ? { signal } : {});
  const lines = result.stdout.split('\n');
  const at = lines.indexOf(ADDRESSES_MARK);
  const serverAddresses = (at >= 0 ? (lines[at + 1] ?? '') : '').split(/\s+/).filter((address) => /^\d+\.\d+\.\d+\.\d+$/.test(address));
  const resolved: Record<string, string[]> = {};
  for (const line of lines) {
    if (!line.startsWith(RESOLVED_MARK)) continue;
    const [domain, ...addresses] = line.slice(RESOLVED_MARK.length).trim().split(/\s+/);
    if (domain) resolved[domain] = addresses;
  }
  return { proxy, routedDomains, serverAddresses, resolved };
}

/** Traefik's static configuration file, when a Traefik container has one where Traefik looks for it. */
async function traefikStaticConfig(host: RemoteHost, containers: readonly ContainerInspectInfo[], signal?: AbortSignal): Promise<string> {
  const traefik = containers.find((container) => container.State?.Running && /(^|\/)traefik(:|$)/i.test(container.Config.Image));
  if (!traefik) return '';
  const name = shellQuote(traefik.Name.replace(/^\//, ''));
  const result = await host.exec(`docker exec ${name} cat /etc/traefik/traefik.yml /etc/traefik/traefik.yaml /etc/traefik/traefik.toml 2>/dev/null || true`, signal ? { signal } : {});
  return result.stdout;
}
