/**
 * Opens one authenticated SSH connection to a server, through zero or more jump hosts
 * (ProxyJump), verifying every host's key against its pin. Every failure becomes a GantryError
 * whose code says what went wrong and whose message says what to do; secrets never appear in it.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2, { type Client, type ConnectConfig } from 'ssh2';

// ssh2 is CommonJS: the bundled ESM main process can only take its default export.
const { Client: SshClient, utils } = ssh2;
import { GantryError } from '@shared/ipc/result';
import { algorithmOf, fingerprintOf } from './host-keys';

/** Credentials resolved for one login (read from disk or the keychain just before connecting). */
export type SshCredentials =
  | { method: 'key'; privateKey: Buffer; passphrase?: string; source: string }
  | { method: 'password'; password: string }
  | { method: 'agent'; agentPath: string };

/** Everything needed to reach one server, hops included. */
export interface ConnectTarget {
  /** A name for messages, e.g. `uat (deploy@10.213.47.12:22)`. */
  label: string;
  host: string;
  port: number;
  username: string;
  credentials: SshCredentials;
  /** The pinned `SHA256:` fingerprint; null means no key is trusted yet. */
  pinnedFingerprint: string | null;
  /** Jump hosts, the first one reached directly. */
  via: ConnectTarget[];
}

/** Timings of the connection (tests shorten them). */
export interface SshTuning {
  readyTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
}

/** Defaults: a 15 s handshake budget, a keepalive every 10 s, dead after 3 missed. */
export const defaultSshTuning: SshTuning = { readyTimeoutMs: 15_000, keepaliveIntervalMs: 10_000, keepaliveCountMax: 3 };

/** The host key a server presented during the handshake. */
export interface PresentedHostKey {
  fingerprint: string;
  algorithm: string;
}

/** An open connection: the client of the final server and the hops it runs through. */
export interface SshChain {
  client: Client;
  /** Local TCP port of the first hop (to find this connection in the server's `ss` output). */
  localPort: number | null;
  hostKey: PresentedHostKey;
  /** Closes the final connection and every hop. */
  close(): void;
}

/** Where the ssh-agent listens: SSH_AUTH_SOCK, else the Windows OpenSSH agent pipe, else none. */
export function defaultAgentPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | null {
  if (env.SSH_AUTH_SOCK) return env.SSH_AUTH_SOCK;
  if (platform === 'win32') return env.GANTRY_SSH_AGENT === 'pageant' ? 'pageant' : '\\\\.\\pipe\\openssh-ssh-agent';
  return null;
}

/**
 * Checks that a private key can be used (well-formed, passphrase given and right) before any
 * network traffic, so a wrong passphrase is not reported as a refused login.
 */
export function checkPrivateKey(privateKey: Buffer, passphrase: string | undefined, source: string): void {
  const parsed = utils.parseKey(privateKey, passphrase);
  if (!(parsed instanceof Error)) return;
  const reason = parsed.message;
  if (/no passphrase given/i.test(reason)) {
    throw new GantryError('ssh_key_passphrase_required', `The private key ${source} is protected by a passphrase. Enter the passphrase (Gantry keeps it in the OS keychain).`);
  }
  if (/integrity check failed|bad decrypt|passphrase/i.test(reason)) {
    throw new GantryError('ssh_key_passphrase_wrong', `The passphrase for the private key ${source} is wrong. Enter it again.`);
  }
  throw new GantryError('ssh_key_invalid', `The private key ${source} cannot be read (${reason}). Use an OpenSSH or PEM private key file, not the .pub file.`);
}

/** Opens the connection, hop by hop; aborting `signal` stops it and closes what was opened. */
export async function openSshChain(target: ConnectTarget, tuning: SshTuning, signal: AbortSignal): Promise<SshChain> {
  const opened: Client[] = [];
  const closeAll = () => opened.reverse().forEach((client) => client.end());
  try {
    let sock: Duplex | null = null;
    let localPort: number | null = null;
    const hops = [...target.via, target];
    let last: { client: Client; hostKey: PresentedHostKey } | null = null;
    for (const [index, hop] of hops.entries()) {
      if (index === 0) {
        const socket = await openTcp(hop.host, hop.port, tuning.readyTimeoutMs, signal, hop.label);
        localPort = socket.localPort ?? null;
        sock = socket;
      } else {
        sock = await forwardTo(last!.client, hop, signal, hops[index - 1]!.label);
      }
      last = await handshake(hop, sock, tuning, signal, index < hops.length - 1 ? `jump host ${hop.label}` : hop.label);
      opened.push(last.client);
    }
    const final = last!;
    return { client: final.client, localPort, hostKey: final.hostKey, close: closeAll };
  } catch (error) {
    closeAll();
    throw error;
  }
}

/** Connects TCP only: the "can we reach it" step of a connection test. */
export function openTcp(host: string, port: number, timeoutMs: number, signal: AbortSignal, label: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(cancelled(signal));
    const socket = tcpConnect({ host, port });
    const timer = setTimeout(() => fail(new GantryError('ssh_unreachable', `${label} did not answer on port ${port} within ${Math.round(timeoutMs / 1000)} s. Check the address, the port and any firewall in between.`)), timeoutMs);
    const onAbort = () => fail(cancelled(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('connect');
      socket.removeListener('error', onError);
    };
    function fail(error: Error) {
      settle();
      socket.destroy();
      reject(error);
    }
    const onError = (error: NodeJS.ErrnoException) => fail(socketError(error, host, port, label));
    socket.once('error', onError);
    socket.once('connect', () => {
      settle();
      resolve(socket);
    });
  });
}

function forwardTo(jump: Client, hop: ConnectTarget, signal: AbortSignal, jumpLabel: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(cancelled(signal));
    jump.forwardOut('127.0.0.1', 0, hop.host, hop.port, (error, stream) => {
      if (error) {
        reject(new GantryError('ssh_unreachable', `Jump host ${jumpLabel} could not reach ${hop.label}: ${error.message}. Check that ${hop.host}:${hop.port} is reachable from the jump host and that it allows TCP forwarding.`));
      } else resolve(stream);
    });
  });
}

function handshake(target: ConnectTarget, sock: Duplex, tuning: SshTuning, signal: AbortSignal, label: string): Promise<{ client: Client; hostKey: PresentedHostKey }> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(cancelled(signal));
    const client = new SshClient();
    let presented: PresentedHostKey | null = null;
    let settled = false;
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (error) {
        client.end();
        reject(error);
      } else resolve({ client, hostKey: presented! });
    };
    const onAbort = () => finish(cancelled(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    client.once('ready', () => finish(null));
    client.on('error', (error: Error & { level?: string; code?: string }) => finish(handshakeError(error, target, presented, label)));
    client.once('close', () => finish(new GantryError('ssh_connection_lost', `${label} closed the connection during the SSH handshake. The server may limit connections (MaxStartups) or be restarting; try again.`)));

    const config: ConnectConfig = {
      sock: sock as ConnectConfig['sock'],
      username: target.username,
      readyTimeout: tuning.readyTimeoutMs,
      keepaliveInterval: tuning.keepaliveIntervalMs,
      keepaliveCountMax: tuning.keepaliveCountMax,
      hostVerifier: (key: Buffer) => {
        presented = { fingerprint: fingerprintOf(key), algorithm: algorithmOf(key) };
        return target.pinnedFingerprint !== null && presented.fingerprint === target.pinnedFingerprint;
      },
    };
    try {
      Object.assign(config, authConfig(target.credentials));
      client.connect(config);
    } catch (error) {
      finish(error instanceof GantryError ? error : new GantryError('ssh_key_invalid', `Could not start the SSH login to ${label}: ${(error as Error).message}`));
    }
  });
}

function authConfig(credentials: SshCredentials): Partial<ConnectConfig> {
  switch (credentials.method) {
    case 'key':
      checkPrivateKey(credentials.privateKey, credentials.passphrase, credentials.source);
      return { privateKey: credentials.privateKey, passphrase: credentials.passphrase };
    case 'password':
      return { password: credentials.password };
    case 'agent':
      return { agent: credentials.agentPath };
  }
}

function handshakeError(error: Error & { level?: string; code?: string }, target: ConnectTarget, presented: PresentedHostKey | null, label: string): GantryError {
  if (error instanceof GantryError) return error;
  const where = `${target.username}@${target.host}:${target.port}`;
  if (presented && presented.fingerprint !== target.pinnedFingerprint) {
    if (target.pinnedFingerprint === null) {
      return new GantryError(
        'host_key_unknown',
        `${label} presented a host key Gantry has not seen before: ${presented.algorithm} ${presented.fingerprint}. Compare it with the server's own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and confirm it to pin it.`,
        { fingerprint: presented.fingerprint, algorithm: presented.algorithm, host: target.host, port: target.port },
      );
    }
    return new GantryError(
      'host_key_changed',
      `HOST KEY CHANGED for ${label}: the server now presents ${presented.algorithm} ${presented.fingerprint}, but ${target.pinnedFingerprint} is pinned. This can mean someone is intercepting the connection. Gantry refused to connect. If the server was rebuilt or its key rotated on purpose, verify the new fingerprint out of band and use "Re-pin host key".`,
      { fingerprint: presented.fingerprint, algorithm: presented.algorithm, pinnedFingerprint: target.pinnedFingerprint, host: target.host, port: target.port },
    );
  }
  if (error.level === 'client-authentication') {
    const how =
      target.credentials.method === 'password'
        ? 'the password was not accepted'
        : target.credentials.method === 'agent'
          ? 'no key in the ssh-agent was accepted'
          : `the key ${target.credentials.source} was not accepted`;
    return new GantryError('ssh_auth_failed', `${label} refused the login as ${where}: ${how}. Check the user name and credentials, and that the key is in the user's ~/.ssh/authorized_keys.`);
  }
  if (error.level === 'client-timeout') {
    return new GantryError('ssh_timeout', `${label} accepted the TCP connection but did not complete the SSH handshake in time. Check that port ${target.port} is an SSH server and not overloaded.`);
  }
  if (/agent/i.test(error.message) && target.credentials.method === 'agent') {
    return new GantryError('ssh_agent_unavailable', `Could not use the ssh-agent at ${target.credentials.agentPath} for ${label}: ${error.message}. Start ssh-agent and add your key with ssh-add.`);
  }
  if (error.code) return socketError(error as NodeJS.ErrnoException, target.host, target.port, label);
  if (/lost before handshake/i.test(error.message)) {
    return new GantryError('ssh_connection_lost', `${label} closed the connection before the SSH handshake. The server may limit new connections (MaxStartups) or be starting up; try again.`);
  }
  return new GantryError('ssh_failed', `SSH to ${label} failed: ${error.message}`);
}

/** A bare word that does not resolve is often a `Host` alias of ~/.ssh/config, which only Import reads. */
export function aliasHint(host: string): string {
  return /^[A-Za-z0-9_-]+$/.test(host) ? ` If ${host} is a Host alias in your ~/.ssh/config, add the server with "Import from ~/.ssh/config" instead: a Host alias typed here is not looked up.` : '';
}

function socketError(error: NodeJS.ErrnoException, host: string, port: number, label: string): GantryError {
  switch (error.code) {
    case 'ECONNREFUSED':
      return new GantryError('ssh_unreachable', `${label} refused the connection on port ${port}: no SSH server is listening there. Is sshd running?`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new GantryError('ssh_unreachable', `The host name ${host} of ${label} could not be resolved. Check the spelling or use an IP address.${aliasHint(host)}`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new GantryError('ssh_unreachable', `${label} (${host}:${port}) cannot be reached from this machine (${error.code}). Check the network, VPN or firewall.`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new GantryError('ssh_connection_lost', `The connection to ${label} was reset. The server may limit new connections (MaxStartups) or be restarting; try again.`);
    default:
      return new GantryError('ssh_unreachable', `Could not connect to ${label} (${host}:${port}): ${error.message}`);
  }
}

/** The cancellation error for an aborted signal. */
export function cancelled(signal: AbortSignal): GantryError {
  const reason = signal.reason;
  if (reason instanceof GantryError) return reason;
  return new GantryError('cancelled', reason instanceof Error ? reason.message : 'Cancelled');
}
