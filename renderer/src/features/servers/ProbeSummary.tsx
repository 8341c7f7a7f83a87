import type { ServerProbe } from '@shared/servers/server-schemas';

function bytes(value: number | null): string {
  if (value === null) return 'unknown';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let size = value;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${size.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** What the last probe found on a server. */
export function ProbeSummary({ probe }: { probe: ServerProbe }) {
  return (
    <div data-testid="probe">
      <dl className="facts probe-facts">
        <dt>OS</dt>
        <dd data-testid="probe-os">
          {probe.os} · {probe.kernel}
        </dd>
        <dt>Docker</dt>
        <dd data-testid="probe-docker">{probe.dockerVersion ?? 'not available'}</dd>
        <dt>Free for Docker</dt>
        <dd data-testid="probe-disk">
          {bytes(probe.dockerFreeBytes)} of {bytes(probe.dockerTotalBytes)}
          {probe.dockerRootDir ? ` in ${probe.dockerRootDir}` : ''}
        </dd>
        <dt>Reverse proxy</dt>
        <dd data-testid="probe-proxy">{probe.reverseProxy === 'none' ? 'none detected' : `${probe.reverseProxy} (${probe.reverseProxyDetail})`}</dd>
        <dt>Published ports</dt>
        <dd data-testid="probe-ports">{probe.publishedPorts.length ? probe.publishedPorts.map((p) => `${p.port}/${p.protocol} (${p.container})`).join(', ') : 'none'}</dd>
        <dt>Round trip</dt>
        <dd data-testid="probe-latency">{probe.latencyMs} ms</dd>
        <dt>Probed</dt>
        <dd>{new Date(probe.probedAt).toLocaleString()}</dd>
      </dl>
      {probe.problems.map((problem) => (
        <p key={problem.code} className="banner warning">
          {problem.message}
        </p>
      ))}
    </div>
  );
}
