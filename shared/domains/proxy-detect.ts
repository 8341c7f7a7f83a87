/**
 * Which label-reading proxy a server runs, from its containers as `docker inspect` shows them:
 * Traefik (its entry point for 443, its ACME certificate resolver and Docker network read from its
 * command-line flags or static configuration file) or caddy-docker-proxy (its ingress network), and
 * the domains every container's labels route. A plain Caddy is found through its admin API instead.
 */
import type { ContainerInspectInfo } from '../spec/docker-inspect';
import { domainsInLabels } from './proxy-routing';

/** A label-reading proxy container and what routing through it needs. */
export interface LabelProxy {
  kind: 'traefik' | 'caddy-docker-proxy';
  container: string;
  image: string;
  network: string | null;
  entrypoint: string | null;
  certResolver: string | null;
  servesHttp: boolean;
  servesHttps: boolean;
}

function nameOf(container: ContainerInspectInfo): string {
  return container.Name.replace(/^\//, '');
}

function argsOf(container: ContainerInspectInfo): string[] {
  const entrypoint = container.Config.Entrypoint;
  return [...(Array.isArray(entrypoint) ? entrypoint : entrypoint ? [entrypoint] : []), ...(container.Config.Cmd ?? [])];
}

function publishes(container: ContainerInspectInfo, port: number): boolean {
  if (container.HostConfig.NetworkMode === 'host') return true;
  return Object.entries(container.HostConfig.PortBindings ?? {}).some(([, bindings]) => (bindings ?? []).some((binding) => Number(binding.HostPort) === port));
}

function userNetworks(container: ContainerInspectInfo): string[] {
  return Object.keys(container.NetworkSettings.Networks ?? {}).filter((name) => !['bridge', 'host', 'none'].includes(name));
}

/** Traefik's settings from its flags and, when given, the text of its static configuration file (YAML or TOML). */
export function traefikSettings(args: readonly string[], staticConfig = ''): { entrypoint: string | null; certResolver: string | null; network: string | null } {
  const flag = (pattern: RegExp) => args.map((arg) => pattern.exec(arg)).find(Boolean) ?? null;
  const resolver = flag(/^--certificates[Rr]esolvers\.([^.=]+)\.acme/)?.[1] ?? /certificates[Rr]esolvers[\]:]?\s*\n\s+["']?([\w-]+)["']?\s*:/.exec(staticConfig)?.[1] ?? /\[certificatesResolvers\.([\w-]+)/.exec(staticConfig)?.[1] ?? null;
  const entrypoint = flag(/^--entry[Pp]oints\.([^.=]+)\.address=.*:443$/)?.[1] ?? /entry[Pp]oints:[\s\S]*?\n\s+["']?([\w-]+)["']?\s*:\s*\n\s+address:\s*["']?[^"'\n]*:443["']?/.exec(staticConfig)?.[1] ?? null;
  const network = flag(/^--providers\.docker\.network=(.+)$/)?.[1] ?? /docker:[\s\S]*?\n\s+network:\s*["']?([\w.-]+)/.exec(staticConfig)?.[1] ?? null;
  return { entrypoint, certResolver: resolver, network };
}

/** The first label-reading proxy among the containers (running ones only). */
export function findLabelProxy(containers: readonly ContainerInspectInfo[], traefikStaticConfig = ''): LabelProxy | null {
  for (const container of containers) {
    if (!container.State?.Running) continue;
    const image = container.Config.Image || container.Image;
    const env = container.Config.Env ?? [];
    const args = argsOf(container);
    const base = { container: nameOf(container), image, servesHttp: publishes(container, 80), servesHttps: publishes(container, 443) };
    if (/caddy-docker-proxy/i.test(image) || env.some((entry) => entry.startsWith('CADDY_INGRESS_NETWORKS=')) || args.includes('docker-proxy')) {
      const ingress = env.find((entry) => entry.startsWith('CADDY_INGRESS_NETWORKS='))?.split('=')[1]?.split(',')[0] ?? null;
      return { kind: 'caddy-docker-proxy', ...base, network: ingress || userNetworks(container)[0] || null, entrypoint: null, certResolver: null };
    }
    if (/(^|\/)traefik(:|$)/i.test(image) || args.some((arg) => /(^|\/)traefik$/.test(arg))) {
      const settings = traefikSettings(args, traefikStaticConfig);
      return { kind: 'traefik', ...base, network: settings.network ?? userNetworks(container)[0] ?? null, entrypoint: settings.entrypoint ?? 'websecure', certResolver: settings.certResolver };
    }
  }
  return null;
}

/** Every domain the containers' labels route, with the container that holds it. */
export function labelRoutedDomains(containers: readonly ContainerInspectInfo[]): { domain: string; holder: string }[] {
  return containers.flatMap((container) => domainsInLabels(container.Config.Labels ?? {}).map((domain) => ({ domain, holder: nameOf(container) })));
}
