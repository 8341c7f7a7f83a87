import { GantryError } from '@shared/ipc/result';
import { abortableDelay } from '../jobs/registry';
import { shellQuote, type RemoteHost } from '../servers/remote-host';

/** How `waitForReady` ended. */
export type Readiness =
  | { ready: true; how: 'healthcheck' | 'running' | 'http' | 'database query'; afterMs: number }
  | { ready: false; reason: string; afterMs: number };

/** Options of the health gate. */
export interface HealthGateOptions {
  timeoutMs: number;
  /** Optional HTTP check run on the server against a published port, e.g. { port: 8080, path: '/health' }. */
  http?: { port: number; path: string };
  /**
   * For a database without a Docker health check: its engine's readiness query (a host shell line,
   * `docker exec …`, exit 0 once the database answers a real query). Comes before the HTTP check.
   */
  query?: { command: string; engine: string };
  /** Without a health check, database query or HTTP check, how long the container must stay running. */
  stableMs?: number;
  pollMs?: number;
  signal: AbortSignal;
  onWait?: (message: string) => void;
}

interface ContainerState {
  Status: string;
  Running: boolean;
  Restarting: boolean;
  ExitCode: number;
  Health?: { Status: string; Log?: { Output: string }[] };
}

/**
 * The health gate (`wait_for_ready`): waits for Docker's health status when the container has a
 * health check, else (a database) for its engine's readiness query, else for an HTTP check run on
 * the server, else for the container to stay running.
 * A container that exits fails at once with its exit code and last log lines; running out of time
 * is not a failure but a warning for the operator (`ready: false`).
 */
export async function waitForReady(host: RemoteHost, container: string, options: HealthGateOptions): Promise<Readiness> {
  const started = Date.now();
  const pollMs = options.pollMs ?? 1000;
  const stableMs = options.stableMs ?? 5000;
  let runningSince: number | null = null;
  let lastReason = 'not checked yet';
  while (Date.now() - started < options.timeoutMs) {
    const inspected = await host.exec(`docker inspect --format '{{json .State}}' ${shellQuote(container)}`, { signal: options.signal });
    if (inspected.code !== 0) {
      if (/no such/i.test(inspected.stderr)) throw new GantryError('container_missing', `The new container ${container} disappeared from ${host.label}.`);
      throw new GantryError('docker_unavailable', `Docker on ${host.label} stopped answering while Gantry waited for ${container}: ${inspected.stderr.trim()}`);
    }
    const state = JSON.parse(inspected.stdout) as ContainerState;
    const elapsed = Date.now() - started;
    if (!state.Running && !state.Restarting && state.Status !== 'created') {
      const logs = await host.exec(`docker logs --tail 20 ${shellQuote(container)} 2>&1`, { signal: options.signal });
      throw new GantryError('container_exited', `The new container ${container} on ${host.label} stopped (${state.Status}, exit code ${state.ExitCode}). Last log lines:\n${logs.stdout.trim()}`);
    }
    if (state.Health) {
      if (state.Health.Status === 'healthy') return { ready: true, how: 'healthcheck', afterMs: elapsed };
      lastReason = `health status is ${state.Health.Status}${state.Health.Log?.at(-1)?.Output ? `: ${state.Health.Log.at(-1)!.Output.trim().slice(0, 200)}` : ''}`;
    } else if (options.query && state.Running && !state.Restarting) {
      const answered = await host.exec(options.query.command, { signal: options.signal });
      if (answered.code === 0) return { ready: true, how: 'database query', afterMs: elapsed };
      lastReason = `${options.query.engine} does not answer a query yet${answered.stderr.trim() ? `: ${answered.stderr.trim().split('\n').at(-1)!.slice(0, 200)}` : ''}`;
    } else if (options.http) {
      const url = `http://127.0.0.1:${options.http.port}${options.http.path}`;
      const probe = await host.exec(
        `if command -v curl >/dev/null; then curl -fsS -o /dev/null -m 5 ${shellQuote(url)}; elif command -v wget >/dev/null; then wget -q -O /dev/null -T 5 ${shellQuote(url)}; else exit 127; fi`,
        { signal: options.signal },
      );
      if (probe.code === 0) return { ready: true, how: 'http', afterMs: elapsed };
      lastReason = probe.code === 127 ? 'the server has neither curl nor wget for the HTTP check' : `GET ${url} failed`;
    } else if (state.Running && !state.Restarting) {
      runningSince ??= Date.now();
      if (Date.now() - runningSince >= stableMs) return { ready: true, how: 'running', afterMs: elapsed };
      lastReason = 'waiting for the container to stay up';
    } else {
      runningSince = null;
      lastReason = state.Restarting ? 'the container is restarting' : 'the container has not started';
    }
    options.onWait?.(lastReason);
    await abortableDelay(pollMs, options.signal);
  }
  return { ready: false, reason: `Not ready after ${Math.round(options.timeoutMs / 1000)} s: ${lastReason}`, afterMs: Date.now() - started };
}
