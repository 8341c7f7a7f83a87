/**
 * What belongs to an environment's domain: the reverse proxy's routing labels (Traefik router
 * rules and TLS settings, every Caddy label) and whatever label or env var the environment's
 * domain setting names. A promote never changes them on the target and a clone never copies
 * them, so one environment's address never leaks into another's proxy.
 */

/** Traefik routers' rule and TLS settings: `traefik.http.routers.<name>.rule`, `.tls.certresolver`, … */
const traefikRouting = /^traefik\.(http|tcp|udp)\.routers\.[^.]+\.(rule|tls(\..+)?)$/;
/** caddy-docker-proxy labels: `caddy`, `caddy_1`, `caddy.reverse_proxy`, `caddy_1.tls`, … */
const caddyLabel = /^caddy(_\d+)?(\..+)?$/;

/** Which keys an environment's domain setting owns, as exact keys or `*` patterns. */
export interface DomainOwnership {
  envKeys: readonly string[];
  labelKeys: readonly string[];
}

function matchesPattern(key: string, pattern: string): boolean {
  if (!pattern.includes('*')) return key === pattern;
  const expression = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${expression}$`).test(key);
}

/** True when the label belongs to the environment's domain (proxy routing or named by the domain setting). */
export function isDomainLabel(key: string, ownership: DomainOwnership): boolean {
  return traefikRouting.test(key) || caddyLabel.test(key) || ownership.labelKeys.some((pattern) => matchesPattern(key, pattern));
}

/** True when the env var belongs to the environment's domain setting. */
export function isDomainEnvKey(key: string, ownership: DomainOwnership): boolean {
  return ownership.envKeys.some((pattern) => matchesPattern(key, pattern));
}
