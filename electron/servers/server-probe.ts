/**
 * The server probe: what an operator wants to know before moving workloads onto a machine —
 * OS, Docker version, free space where Docker keeps its data, published ports, a running reverse
 * proxy (Traefik or Caddy), and the round-trip time over the pooled connection.
 */
import { GantryError } from '@shared/ipc/result';
import type { ServerProbe } from '@shared/servers/server-schemas';
import { shellQuote } from './remote-host';
import { dockerInfo, dockerVersion } from './docker-over-ssh';
import type { ServerConnection } from './server-connection';

const OS_SCRIPT = `. /etc/os-release 2>/dev/null; printf 'os=%s\\nkernel=%s\\n' "\${PRETTY_NAME:-unknown}" "$(uname -sr)"; for p in traefik caddy; do pgrep -x "$p" >/dev/null 2>&1 && echo "process=$p"; done; true`;

/** Probes a server over its pooled connection; Docker problems are reported in `problems`, not thrown. */
export async function probeServer(connection: ServerConnection, signal: AbortSignal, report: (step: string) => void = () => {}): Promise<ServerProbe> {
  const problems: ServerProbe['problems'] = [];

  report('Round-trip time');
  const latencyMs = await measureLatency(connection, signal);

  report('Operating system');
  const osOutput = await connection.exec(OS_SCRIPT, { signal });
  const facts = keyValues(osOutput.stdout);
  const proxyProcesses = osOutput.stdout.match(/^process=(\w+)$/gm)?.map((line) => line.slice('process='.length)) ?? [];

  report('Docker');
  const docker = connection.docker();
  let dockerVersionText: string | null = null;
  let dockerRootDir: string | null = null;
  let dockerFreeBytes: number | null = null;
  let dockerTotalBytes: number | null = null;
  const publishedPorts: ServerProbe['publishedPorts'] = [];
  let proxyContainer: { kind: 'traefik' | 'caddy'; name: string; image: string } | null = null;
  try {
    const version = await dockerVersion(docker, signal);
    dockerVersionText = `${version.Version} (API ${version.ApiVersion})`;
    const info = await dockerInfo(docker, signal);
    dockerRootDir = info.DockerRootDir ?? '/var/lib/docker';
    const containers = await docker.listContainers({ abortSignal: signal });
    for (const container of containers) {
      const name = (container.Names[0] ?? container.Id.slice(0, 12)).replace(/^\//, '');
      for (const port of container.Ports) {
        if (port.PublicPort && !publishedPorts.some((p) => p.port === port.PublicPort && p.protocol === port.Type)) {
          publishedPorts.push({ port: port.PublicPort, protocol: port.Type, container: name });
        }
      }
      const kind = /traefik/i.test(container.Image) ? 'traefik' : /caddy/i.test(container.Image) ? 'caddy' : null;
      if (kind && !proxyContainer) proxyContainer = { kind, name, image: container.Image };
    }
    publishedPorts.sort((a, b) => a.port - b.port);
  } catch (error) {
    if (signal.aborted) throw error;
    problems.push(problemOf(error));
  }

  if (dockerRootDir) {
    report('Disk space');
    const df = await connection.exec(`df -PB1 ${shellQuote(dockerRootDir)} | tail -1`, { signal });
    const fields = df.stdout.trim().split(/\s+/);
    if (df.code === 0 && fields.length >= 4) {
      dockerTotalBytes = Number(fields[1]);
      dockerFreeBytes = Number(fields[3]);
    } else problems.push({ code: 'disk_unknown', message: `Could not read free space of ${dockerRootDir}: ${df.stderr.trim() || 'df printed nothing'}` });
  }

  const processProxy = proxyProcesses.find((p): p is 'traefik' | 'caddy' => p === 'traefik' || p === 'caddy');
  // How Gantry would route a domain through it: caddy-docker-proxy reads labels, a plain Caddy takes routes on its admin API.
  let routing = '';
  if (proxyContainer?.kind === 'caddy' && /caddy-docker-proxy/i.test(proxyContainer.image)) routing = ' — caddy-docker-proxy: domains as container labels';
  else if (proxyContainer?.kind === 'caddy' || processProxy === 'caddy') {
    const admin = await connection.exec(`curl -s -m 3 -o /dev/null -w '%{http_code}' http://localhost:2019/config/ 2>/dev/null || true`, { signal });
    routing = admin.stdout.trim() === '200' ? ' — admin API on localhost:2019: domains as Caddy routes' : ' — no admin API on localhost:2019';
  } else if (proxyContainer?.kind === 'traefik' || processProxy === 'traefik') routing = ' — domains as Traefik labels';
  return {
    os: facts.get('os') ?? 'unknown',
    kernel: facts.get('kernel') ?? 'unknown',
    dockerVersion: dockerVersionText,
    dockerRootDir,
    dockerFreeBytes,
    dockerTotalBytes,
    publishedPorts,
    reverseProxy: proxyContainer?.kind ?? processProxy ?? 'none',
    reverseProxyDetail: proxyContainer ? `container ${proxyContainer.name} (${proxyContainer.image})${routing}` : processProxy ? `${processProxy} process on the host${routing}` : null,
    latencyMs,
    problems,
    probedAt: Date.now(),
  };
}

/** The best of three round trips of a trivial command over the pooled connection, in ms. */
export async function measureLatency(connection: ServerConnection, signal: AbortSignal): Promise<number> {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    await connection.exec('true', { signal });
    best = Math.min(best, performance.now() - started);
  }
  return Math.round(best * 10) / 10;
}

function problemOf(error: unknown): { code: string; message: string } {
  if (error instanceof GantryError) return { code: error.code, message: error.message };
  return { code: 'docker_failed', message: `Docker did not answer: ${error instanceof Error ? error.message : String(error)}` };
}

function keyValues(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0 && !map.has(line.slice(0, at))) map.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return map;
}
