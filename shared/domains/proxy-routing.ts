/**
 * The routing each reverse proxy expects for one domain, as plain data: Traefik's Docker labels,
 * caddy-docker-proxy's labels, or the route Gantry adds through a plain Caddy's admin API. Pure
 * builders: the step that owns the undo applies them. The label forms follow each proxy's
 * documented Docker labels; Traefik and caddy-docker-proxy are not tested against a live proxy.
 */

/** The reverse proxies Gantry can route for; `none` when the server runs none it knows. */
export type ProxyKind = 'traefik' | 'caddy-docker-proxy' | 'caddy-admin' | 'none';

/** The proxy found on a server and what routing needs of it. */
export interface ProxyFacts {
  kind: ProxyKind;
  /** For messages: "container lab-caddy (gantry-lab/caddy:2)". */
  detail: string | null;
  /** The Docker network the proxy reaches containers on (label proxies), when known. */
  network: string | null;
  /** Traefik's entry point for https (`websecure` when it cannot be read). */
  entrypoint: string | null;
  /** Traefik's ACME certificate resolver, read from its configuration when it can be. */
  certResolver: string | null;
  /** The ACME issuer the proxy uses, e.g. `https://127.0.0.1:14000/dir`; null when none is configured. */
  acmeIssuer: string | null;
}

/** A Traefik router name for a container: letters, digits and hyphens (a dot would nest the label). */
export function routerNameFor(containerName: string): string {
  return containerName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'gantry';
}

/** The `@id` of the route Gantry adds to a plain Caddy for a container (found again by it for undo). */
export function caddyRouteIdFor(containerName: string): string {
  return `gantry-route-${routerNameFor(containerName)}`;
}

/** Traefik's Docker labels that route `domain` over https to the container's `port`. */
export function traefikLabels(input: { containerName: string; domain: string; port: number; entrypoint: string; certResolver: string; network: string | null }): Record<string, string> {
  const router = routerNameFor(input.containerName);
  const prefix = `traefik.http.routers.${router}`;
  return {
    'traefik.enable': 'true',
    [`${prefix}.rule`]: `Host(\`${input.domain}\`)`,
    [`${prefix}.entrypoints`]: input.entrypoint,
    [`${prefix}.tls`]: 'true',
    [`${prefix}.tls.certresolver`]: input.certResolver,
    [`${prefix}.service`]: router,
    [`traefik.http.services.${router}.loadbalancer.server.port`]: String(input.port),
    ...(input.network ? { 'traefik.docker.network': input.network } : {}),
  };
}

/** caddy-docker-proxy's labels that route `domain` to the container's `port` (Caddy gets the certificate). */
export function caddyDockerProxyLabels(input: { domain: string; port: number }): Record<string, string> {
  return { caddy: input.domain, 'caddy.reverse_proxy': `{{upstreams ${input.port}}}` };
}

/** The labels a label-reading proxy needs for one domain; none for the admin-API Caddy (its route lives in Caddy). */
export function routingLabels(proxy: ProxyFacts, input: { containerName: string; domain: string; port: number }): Record<string, string> {
  if (proxy.kind === 'traefik') return traefikLabels({ ...input, entrypoint: proxy.entrypoint ?? 'websecure', certResolver: proxy.certResolver ?? 'letsencrypt', network: proxy.network });
  if (proxy.kind === 'caddy-docker-proxy') return caddyDockerProxyLabels(input);
  return {};
}

/** One route of a plain Caddy's JSON config, as Gantry writes it through the admin API. */
export interface CaddyRoute {
  '@id': string;
  match: { host: string[] }[];
  handle: { handler: 'reverse_proxy'; upstreams: { dial: string }[] }[];
  terminal: true;
}

/** The admin-API route that sends `domain` to `dial` (`127.0.0.1:<published port>` on the server). */
export function caddyAdminRoute(input: { containerName: string; domain: string; dial: string }): CaddyRoute {
  return {
    '@id': caddyRouteIdFor(input.containerName),
    match: [{ host: [input.domain] }],
    handle: [{ handler: 'reverse_proxy', upstreams: [{ dial: input.dial }] }],
    terminal: true,
  };
}

/** The domains a container's labels route (Traefik `Host(...)` rules and caddy-docker-proxy site addresses). */
export function domainsInLabels(labels: Readonly<Record<string, string>>): string[] {
  const found = new Set<string>();
  for (const [key, value] of Object.entries(labels)) {
    if (/^traefik\.http\.routers\.[^.]+\.rule$/.test(key)) {
      for (const match of value.matchAll(/Host\(([^)]*)\)/g)) for (const host of match[1]!.matchAll(/`([^`]+)`/g)) found.add(host[1]!.toLowerCase());
    }
    if (/^caddy(_\d+)?$/.test(key)) {
      for (const address of value.split(/[\s,]+/)) {
        const host = address.replace(/^https?:\/\//, '').replace(/[:/].*$/, '').toLowerCase();
        if (host) found.add(host);
      }
    }
  }
  return [...found];
}
