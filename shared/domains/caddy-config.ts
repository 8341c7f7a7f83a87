/**
 * Reading a plain Caddy's JSON config (as its admin API returns it): which HTTP server serves
 * 443, which hosts its routes already route and where to, and which ACME issuer its automation
 * policies use. Parsed through zod, loosely (Caddy's config has far more than Gantry reads).
 */
import { z } from 'zod';

const route = z.looseObject({
  '@id': z.string().optional(),
  match: z.array(z.looseObject({ host: z.array(z.string()).optional() })).optional(),
  handle: z.array(z.looseObject({ handler: z.string().optional(), upstreams: z.array(z.looseObject({ dial: z.string().optional() })).optional() })).optional(),
});

const issuer = z.looseObject({ module: z.string(), ca: z.string().optional() });

/** The parts of Caddy's config Gantry reads. */
export const caddyConfig = z.looseObject({
  apps: z
    .looseObject({
      http: z.looseObject({ servers: z.record(z.string(), z.looseObject({ listen: z.array(z.string()).default([]), routes: z.array(route).nullish() })).default({}) }).optional(),
      tls: z.looseObject({ automation: z.looseObject({ policies: z.array(z.looseObject({ subjects: z.array(z.string()).optional(), issuers: z.array(issuer).optional() })).optional() }).optional() }).optional(),
    })
    .optional(),
});
/** Caddy's config as Gantry reads it. */
export type CaddyConfig = z.output<typeof caddyConfig>;

/** Caddy's own default ACME directory when no policy names an issuer (Let's Encrypt; ZeroSSL as fallback). */
export const CADDY_DEFAULT_ACME = 'https://acme-v02.api.letsencrypt.org/directory';

/** The name of the HTTP server that listens on 443, or null when none does. */
export function httpsServerOf(config: CaddyConfig): string | null {
  const servers = config.apps?.http?.servers ?? {};
  return Object.entries(servers).find(([, server]) => server.listen.some((address) => /(^|:)443$/.test(address)))?.[0] ?? null;
}

/** True when some HTTP server listens on 80 (where HTTP-01 challenges arrive). */
export function servesHttpPort(config: CaddyConfig): boolean {
  return Object.values(config.apps?.http?.servers ?? {}).some((server) => server.listen.some((address) => /(^|:)80$/.test(address)));
}

/** One host a Caddy route matches, with the route's @id and where it proxies to. */
export interface CaddyRoutedHost {
  host: string;
  routeId: string | null;
  dials: string[];
}

/** Every host the config's routes match. */
export function routedHostsOf(config: CaddyConfig): CaddyRoutedHost[] {
  return Object.values(config.apps?.http?.servers ?? {}).flatMap((server) =>
    (server.routes ?? []).flatMap((each) => {
      const dials = (each.handle ?? []).flatMap((handler) => (handler.upstreams ?? []).flatMap((upstream) => (upstream.dial ? [upstream.dial] : [])));
      return (each.match ?? []).flatMap((match) => (match.host ?? []).map((host) => ({ host: host.toLowerCase(), routeId: each['@id'] ?? null, dials })));
    }),
  );
}

/**
 * The ACME issuer that would get a certificate for `domain`: the first policy whose subjects
 * cover it (or that has none) decides; no policy at all means Caddy's defaults (public ACME).
 * Null when the deciding policy has no ACME issuer (e.g. only Caddy's internal CA).
 */
export function acmeIssuerOf(config: CaddyConfig, domain?: string): string | null {
  const policies = config.apps?.tls?.automation?.policies ?? [];
  const covers = (subjects: string[] | undefined) => !subjects || subjects.length === 0 || !domain || subjects.some((subject) => subject === domain || (subject.startsWith('*.') && domain.endsWith(subject.slice(1))));
  const policy = policies.find((each) => covers(each.subjects));
  if (!policy || !policy.issuers || policy.issuers.length === 0) return CADDY_DEFAULT_ACME;
  const acme = policy.issuers.find((each) => each.module === 'acme' || each.module === 'zerossl');
  if (!acme) return null;
  return acme.ca ?? (acme.module === 'zerossl' ? 'https://acme.zerossl.com/v2/DV90' : CADDY_DEFAULT_ACME);
}
