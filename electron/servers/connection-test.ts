/**
 * "Test connection": tries a server step by step — TCP, host key, login, a command, Docker — and
 * reports each step's outcome, so the operator sees exactly which part fails. Uses its own
 * short-lived connection, never the pool's.
 */
import { GantryError } from '@shared/ipc/result';
import type { ConnectionTestStep } from '@shared/servers/server-schemas';
import { dockerVersion } from './docker-over-ssh';
import { ServerConnection } from './server-connection';
import { openTcp, type ConnectTarget, type PresentedHostKey, type SshTuning } from './ssh-connect';

/** The outcome of a connection test: the steps, and the host key if the server presented one. */
export interface ConnectionTestResult {
  steps: ConnectionTestStep[];
  hostKey: PresentedHostKey | null;
}

const TITLES: Record<ConnectionTestStep['id'], string> = {
  tcp: 'Reach the SSH port',
  'host-key': 'Verify the host key',
  auth: 'Log in',
  exec: 'Run a command',
  docker: 'Talk to Docker',
};

/** Runs the steps in order; a failed step skips the ones after it. Never throws for server-side failures. */
export async function testConnection(target: ConnectTarget, tuning: SshTuning, signal: AbortSignal): Promise<ConnectionTestResult> {
  const steps: ConnectionTestStep[] = [];
  const record = (id: ConnectionTestStep['id'], status: ConnectionTestStep['status'], message: string, ms: number | null, errorCode: string | null = null) =>
    steps.push({ id, title: TITLES[id], status, message, errorCode, ms });
  const skipRest = () => {
    const waiting = steps.some((step) => step.status === 'needs-confirmation');
    for (const id of Object.keys(TITLES) as ConnectionTestStep['id'][]) {
      if (!steps.some((step) => step.id === id)) record(id, 'skipped', waiting ? 'Waiting for the host key to be confirmed.' : 'Skipped: an earlier step failed.', null);
    }
  };
  const first = target.via[0] ?? target;

  let started = performance.now();
  try {
    const socket = await openTcp(first.host, first.port, tuning.readyTimeoutMs, signal, first.label);
    socket.destroy();
    record('tcp', 'ok', `${first.host}:${first.port} accepts TCP connections${target.via.length ? ` (first jump host of ${target.via.length})` : ''}.`, elapsed(started));
  } catch (error) {
    record('tcp', 'failed', messageOf(error), elapsed(started), codeOf(error));
    skipRest();
    return { steps, hostKey: null };
  }

  const connection = new ServerConnection({
    label: target.label,
    resolveTarget: async () => target,
    tuning,
    maxChannels: 2,
    reconnect: { attempts: 0, baseDelayMs: 0, maxDelayMs: 0 },
    onState: () => {},
  });
  let hostKey: PresentedHostKey | null = null;
  try {
    started = performance.now();
    try {
      await connection.connect(signal);
      hostKey = connection.hostKey();
      record('host-key', 'ok', `${hostKey?.algorithm} ${hostKey?.fingerprint} matches the pinned key.`, null);
      record('auth', 'ok', `Logged in as ${target.username}${target.via.length ? ` through ${target.via.length} jump host(s)` : ''}.`, elapsed(started));
    } catch (error) {
      const code = codeOf(error);
      if (error instanceof GantryError && (code === 'host_key_unknown' || code === 'host_key_changed')) {
        const details = error.details as { fingerprint: string; algorithm: string; host: string; port: number };
        const isTarget = details.host === target.host && details.port === target.port;
        if (isTarget) hostKey = { fingerprint: details.fingerprint, algorithm: details.algorithm };
        record('host-key', code === 'host_key_unknown' && isTarget ? 'needs-confirmation' : 'failed', error.message, null, code);
      } else if (code.startsWith('ssh_auth') || code.startsWith('ssh_key') || code.startsWith('secret') || code === 'ssh_agent_unavailable') {
        record('host-key', 'ok', 'The host key matches the pinned key.', null);
        record('auth', 'failed', messageOf(error), elapsed(started), code);
      } else {
        record('auth', 'failed', messageOf(error), elapsed(started), code);
      }
      skipRest();
      return { steps, hostKey };
    }

    started = performance.now();
    try {
      const result = await connection.exec('echo gantry-ok', { signal });
      if (result.code !== 0 || !result.stdout.includes('gantry-ok')) throw new GantryError('exec_failed', `The test command exited with ${result.code}: ${result.stderr.trim().slice(0, 300)}`);
      record('exec', 'ok', 'Commands run.', elapsed(started));
    } catch (error) {
      record('exec', 'failed', messageOf(error), elapsed(started), codeOf(error));
      skipRest();
      return { steps, hostKey };
    }

    started = performance.now();
    try {
      const version = await dockerVersion(connection.docker(), signal);
      record('docker', 'ok', `Docker ${version.Version} answers over SSH.`, elapsed(started));
    } catch (error) {
      record('docker', 'failed', messageOf(error), elapsed(started), codeOf(error));
    }
    return { steps, hostKey };
  } finally {
    await connection.close();
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

function codeOf(error: unknown): string {
  return error instanceof GantryError ? error.code : 'internal';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
