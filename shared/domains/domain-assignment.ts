/**
 * Assigning a domain to a resource cloned into production: the domain validated, the routing
 * the server's proxy expects (labels on the container for Traefik and caddy-docker-proxy, a route
 * through the admin API for a plain Caddy), and the pre-checks: the proxy exists and serves 80
 * and 443, it has an ACME issuer, the domain is not routed to another container, and it resolves
 * to the server (asked from the server; a warning, since DNS may be set up right after).
 * Pure: the facts come from the engine (`TargetFacts.domains`).
 */
import { z } from 'zod';
import type { Precheck } from '../migration/prechecks';
import type { ResourceSpec } from '../spec/resource-spec';
import { validateDomain } from './domain-name';
import { caddyRouteIdFor, routingLabels, type ProxyFacts, type ProxyKind } from './proxy-routing';

/** What the engine found about the target server's proxy and the requested domains. */
export const domainFacts = z.object({
  proxy: z.object({
    kind: z.enum(['traefik', 'caddy-docker-proxy', 'caddy-admin', 'none']),
    detail: z.string().nullable(),
    network: z.string().nullable(),
    entrypoint: z.string().nullable(),
    certResolver: z.string().nullable(),
    acmeIssuer: z.string().nullable(),
    /** The proxy answers on 80 (HTTP-01 challenges) and 443. */
    servesHttp: z.boolean(),
    servesHttps: z.boolean(),
  }),
  /** Domains the server's proxy routes now, and to what (a container name or a Caddy route id). */
  routedDomains: z.array(z.object({ domain: z.string(), holder: z.string() })).default([]),
  /** The server's own addresses (what a domain must resolve to). */
  serverAddresses: z.array(z.string()).default([]),
  /** Per requested domain, the IPv4 addresses it resolves to from the server (empty: it does not resolve). */
  resolved: z.record(z.string(), z.array(z.string())).default({}),
});
/** Facts about domains on the target server. */
export type DomainFacts = z.output<typeof domainFacts>;

/** A domain the plan assigns to one resource, with the routing it gets. */
export interface DomainAssignment {
  domain: string;
  url: string;
  proxy: ProxyKind;
  /** The plain Caddy route's `@id` (admin-API proxy only). */
  routeId: string | null;
  /** Where the proxy dials the container: `127.0.0.1:<published port>` (admin-API proxy only). */
  dial: string | null;
  acmeIssuer: string | null;
}

/** What one resource brings to domain assignment. */
export interface DomainCandidate {
  resourceId: string;
  name: string;
  mode: 'clone' | 'promote';
  containerName: string;
  spec: ResourceSpec;
}

const isRoutingLabel = (key: string) => key.startsWith('traefik.') || /^caddy(_\d+)?(\.|$)/.test(key);

/** Plans the domain of one resource: the assignment (null when blocked or not asked) and its pre-checks. */
export function planDomain(candidate: DomainCandidate, typed: string | undefined, facts: DomainFacts | undefined, context: { serverName: string; targetName: string; production: boolean; otherDomains: readonly string[] }): { assignment: DomainAssignment | null; spec: ResourceSpec; prechecks: Precheck[] } {
  const { spec } = candidate;
  if (typed === undefined || typed.trim() === '') return { assignment: null, spec, prechecks: [] };
  const id = (what: string) => `domain:${candidate.resourceId}:${what}`;
  const check = (what: string, severity: Precheck['severity'], message: string): Precheck => ({ id: id(what), check: 'domain', severity, message, resourceId: candidate.resourceId });
  const valid = validateDomain(typed);
  if (!valid.ok) return { assignment: null, spec, prechecks: [check('valid', 'blocking', `"${typed}" cannot be ${candidate.name}'s domain: ${valid.reason}`)] };
  const { domain } = valid;
  if (candidate.mode === 'promote') return { assignment: null, spec, prechecks: [check('kept', 'ok', `${candidate.name} already runs in ${context.targetName}: a promote keeps its domain and certificate as they are.`)] };
  if (!context.production) return { assignment: null, spec, prechecks: [check('production', 'blocking', `Domains are assigned on the first clone into production; ${context.targetName} is not production.`)] };
  if (!facts) return { assignment: null, spec, prechecks: [check('proxy', 'blocking', `What proxy ${context.serverName} runs could not be read, so ${domain} cannot be routed.`)] };

  const prechecks: Precheck[] = [];
  const { proxy } = facts;
  if (proxy.kind === 'none') return { assignment: null, spec, prechecks: [check('proxy', 'blocking', `${context.serverName} runs no reverse proxy Gantry knows (Traefik, caddy-docker-proxy, or Caddy with its admin API on localhost:2019); start one before routing ${domain}.`)] };
  prechecks.push(check('proxy', 'ok', `${context.serverName} routes through ${proxyName(proxy.kind)}${proxy.detail ? ` (${proxy.detail})` : ''}.`));

  const ports = [proxy.servesHttp ? null : '80', proxy.servesHttps ? null : '443'].filter(Boolean);
  prechecks.push(ports.length > 0 ? check('ports', 'blocking', `${proxyName(proxy.kind)} on ${context.serverName} does not serve port ${ports.join(' and ')}; certificates over HTTP-01 need 80 and https needs 443.`) : check('ports', 'ok', `${proxyName(proxy.kind)} serves ports 80 and 443 on ${context.serverName}.`));

  if (proxy.kind === 'traefik' && !proxy.certResolver) prechecks.push(check('issuer', 'blocking', `Traefik's configuration on ${context.serverName} names no ACME certificate resolver (certificatesResolvers); without one it serves its default certificate.`));
  else if (proxy.kind === 'caddy-admin' && !proxy.acmeIssuer) prechecks.push(check('issuer', 'blocking', `Caddy on ${context.serverName} has no ACME issuer for ${domain} (only its internal CA): browsers would not trust the certificate.`));
  else prechecks.push(check('issuer', 'ok', `Certificates come from ${proxy.kind === 'traefik' ? `Traefik's resolver "${proxy.certResolver}"` : `the ACME issuer ${proxy.acmeIssuer ?? "Caddy's default (Let's Encrypt)"}`}.`));

  const holder = facts.routedDomains.find((each) => each.domain === domain && each.holder !== candidate.containerName && each.holder !== caddyRouteIdFor(candidate.containerName));
  if (holder) prechecks.push(check('unique', 'blocking', `${domain} is already routed to ${holder.holder} on ${context.serverName}; choose another domain, or remove that route first.`));
  else if (context.otherDomains.includes(domain)) prechecks.push(check('unique', 'blocking', `${domain} is chosen for two resources of this migration; each needs its own.`));
  else prechecks.push(check('unique', 'ok', `${domain} is not routed to anything else on ${context.serverName}.`));

  const addresses = facts.resolved[domain] ?? [];
  if (addresses.length === 0) prechecks.push(check('dns', 'warning', `${domain} does not resolve (asked from ${context.serverName}): the certificate cannot be issued until its DNS points at ${facts.serverAddresses[0] ?? context.serverName}. The migration can go ahead; it completes with a warning.`));
  else if (!addresses.some((address) => facts.serverAddresses.includes(address))) prechecks.push(check('dns', 'warning', `${domain} resolves to ${addresses.join(', ')}, not to ${context.serverName} (${facts.serverAddresses.join(', ') || 'its addresses are unknown'}): the certificate cannot be issued until DNS points here.`));
  else prechecks.push(check('dns', 'ok', `${domain} resolves to ${context.serverName} (${addresses.join(', ')}).`));

  const published = spec.ports.find((port) => port.protocol === 'tcp' && port.hostPort > 0);
  const exposed = published ?? spec.ports.find((port) => port.protocol === 'tcp');
  if (proxy.kind === 'caddy-admin' && !published) prechecks.push(check('upstream', 'blocking', `${candidate.name} publishes no TCP port on ${context.serverName}, so Caddy (on the server) cannot reach it; publish its web port.`));
  if (proxy.kind !== 'caddy-admin' && !exposed) prechecks.push(check('upstream', 'blocking', `${candidate.name} has no TCP port for ${proxyName(proxy.kind)} to send ${domain} to.`));
  if (prechecks.some((each) => each.severity === 'blocking')) return { assignment: null, spec, prechecks };

  const labels = routingLabels(proxy as ProxyFacts, { containerName: candidate.containerName, domain, port: exposed!.containerPort });
  const routed: ResourceSpec = {
    ...spec,
    labels: { ...Object.fromEntries(Object.entries(spec.labels).filter(([key]) => !isRoutingLabel(key))), ...labels },
    networks: proxy.kind !== 'caddy-admin' && proxy.network && !spec.networks.some((network) => network.name === proxy.network) ? [...spec.networks, { name: proxy.network, aliases: [] }] : spec.networks,
  };
  return {
    assignment: {
      domain,
      url: valid.url,
      proxy: proxy.kind,
      routeId: proxy.kind === 'caddy-admin' ? caddyRouteIdFor(candidate.containerName) : null,
      dial: proxy.kind === 'caddy-admin' ? `127.0.0.1:${published!.hostPort}` : null,
      acmeIssuer: proxy.acmeIssuer,
    },
    spec: routed,
    prechecks,
  };
}

function proxyName(kind: ProxyKind): string {
  return kind === 'caddy-admin' ? 'Caddy' : kind === 'caddy-docker-proxy' ? 'caddy-docker-proxy' : kind === 'traefik' ? 'Traefik' : 'no proxy';
}
