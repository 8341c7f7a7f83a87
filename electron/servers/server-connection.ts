/**
 * One server's single SSH connection: commands, streams and Docker all run as channels over it,
 * at most `maxChannels` at a time. It connects on first use, reconnects with backoff after a
 * drop, and every operation takes an AbortSignal that closes its channel when it fires.
 */
import type { Client, ClientChannel } from 'ssh2';
import type Dockerode from 'dockerode';
import { GantryError } from '@shared/ipc/result';
import type { ConnectionState } from '@shared/servers/server-schemas';
import type { ExecResult, RemoteHost, RemoteProcess } from './remote-host';
import { abortableDelay } from '../jobs/registry';
import { untilAborted } from './abortable';
import { ChannelLimiter } from './channel-limiter';
import { ChannelSocket, createDockerClient, DIAL_STDIO_COMMAND } from './docker-over-ssh';
import { cancelled, openSshChain, type ConnectTarget, type PresentedHostKey, type SshChain, type SshTuning } from './ssh-connect';

/** How hard to try when the connection drops. */
export interface ReconnectPolicy {
  /** Retries after the first attempt. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Everything a connection needs; `resolveTarget` reads credentials fresh on every (re)connect. */
export interface ServerConnectionOptions {
  label: string;
  resolveTarget(signal: AbortSignal): Promise<ConnectTarget>;
  tuning: SshTuning;
  maxChannels: number;
  reconnect: ReconnectPolicy;
  onState(state: ConnectionState, message: string | null): void;
}

/** Options of `exec`. */
export interface ExecOptions {
  signal?: AbortSignal;
  /** Written to the command's stdin, which is then closed. */
  stdin?: string | Buffer;
  /** Output beyond this fails the call (default 32 MiB): stream big output with `spawn`. */
  maxOutputBytes?: number;
}

/** What a connection is doing, for status displays and tests. */
export interface ConnectionStats {
  state: ConnectionState;
  message: string | null;
  /** Successful connects so far (1 means it never had to reconnect). */
  connects: number;
  /** Local TCP port of the live connection's first hop, or null when not connected. */
  localPort: number | null;
  channels: { active: number; waiting: number };
}

const RETRYABLE = new Set(['ssh_unreachable', 'ssh_timeout', 'ssh_connection_lost']);
const DEFAULT_MAX_OUTPUT = 32 * 1024 * 1024;
const STDERR_LIMIT = 64 * 1024;
const OPEN_RETRIES = 6;

/** A pooled connection to one server; get it from `ServerConnections.get(serverId)`. */
export class ServerConnection implements RemoteHost {
  readonly label: string;
  private readonly limiter: ChannelLimiter;
  private readonly lifetime = new AbortController();
  private chain: SshChain | null = null;
  private connecting: Promise<SshChain> | null = null;
  private dockerClient: Dockerode | null = null;
  private state: ConnectionState = 'idle';
  private message: string | null = null;
  private connects = 0;

  constructor(private readonly options: ServerConnectionOptions) {
    this.label = options.label;
    this.limiter = new ChannelLimiter(options.maxChannels);
  }

  /** Runs a command to completion and returns its exit code and output. */
  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const { signal } = options;
    const limit = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let exit: { code: number | null; signal?: string } | null = null;
    let failure: GantryError | null = null;
    let closed: Promise<void> = Promise.resolve();
    const { channel, release } = await this.openChannel(command, signal, (opened) => {
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit && !failure) {
          failure = new GantryError('output_too_large', `A command on ${this.label} printed more than ${Math.round(limit / 1048576)} MiB; Gantry stopped it.`);
          opened.close();
        } else into.push(chunk);
      };
      opened.on('data', collect(stdout));
      opened.stderr.on('data', collect(stderr));
      opened.on('exit', (code: number | null, exitSignal?: string) => (exit = { code, signal: exitSignal }));
      closed = new Promise((resolve) => opened.once('close', () => resolve()));
    });
    return new Promise<ExecResult>((resolve, reject) => {
      const onAbort = () => {
        failure = cancelled(signal!);
        stop(channel);
        // Settle now: the channel (and its slot) is released when the server confirms the close.
        reject(failure);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      void closed.then(() => {
        release();
        signal?.removeEventListener('abort', onAbort);
        if (failure) return reject(failure);
        if (!exit) return reject(this.lostError());
        resolve({ code: exit.code ?? 128, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
      });
      if (options.stdin !== undefined) channel.end(options.stdin);
      else channel.end();
    });
  }

  /** Starts a command whose stdin and stdout are streams (transfers, long-held locks). The caller
   * must read stdout to its end (or `resume()` it): the channel, and so `done`, closes only then. */
  async spawn(command: string, options: { signal?: AbortSignal } = {}): Promise<RemoteProcess> {
    const { signal } = options;
    let stderr = '';
    let exit: number | null | undefined;
    let closed: Promise<void> = Promise.resolve();
    const { channel, release } = await this.openChannel(command, signal, (opened) => {
      opened.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < STDERR_LIMIT) stderr += chunk.toString('utf8');
      });
      opened.on('exit', (code: number | null) => (exit = code));
      closed = new Promise((resolve) => opened.once('close', () => resolve()));
    });
    const done = new Promise<{ code: number; stderr: string }>((resolve, reject) => {
      const onAbort = () => {
        stop(channel);
        reject(cancelled(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      void closed.then(() => {
        release();
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) reject(cancelled(signal));
        else if (exit === undefined) reject(this.lostError());
        else resolve({ code: exit ?? 128, stderr });
      });
    });
    // Callers that only care about the streams must not crash the process with an unhandled rejection.
    done.catch(() => {});
    return { stdin: channel, stdout: channel, done, kill: () => stop(channel) };
  }

  /** A dockerode client driven over this connection (pass `abortSignal` in each call's options). */
  docker(): Dockerode {
    this.dockerClient ??= createDockerClient(async () => {
      const { channel, release } = await this.openChannel(DIAL_STDIO_COMMAND);
      return new ChannelSocket(channel, this.label, release);
    });
    return this.dockerClient;
  }

  /** Connects now (instead of on first use); resolves once logged in. */
  async connect(signal?: AbortSignal): Promise<void> {
    await this.client(signal);
  }

  /** The host key the live connection's server presented (null when not connected). */
  hostKey(): PresentedHostKey | null {
    return this.chain?.hostKey ?? null;
  }

  /** State, connect count and channel usage. */
  stats(): ConnectionStats {
    return { state: this.state, message: this.message, connects: this.connects, localPort: this.chain?.localPort ?? null, channels: this.limiter.usage };
  }

  /** Closes the connection for good: open channels end, later calls fail with `connection_closed`. */
  async close(): Promise<void> {
    if (this.lifetime.signal.aborted) return;
    this.lifetime.abort(new GantryError('connection_closed', `The connection to ${this.label} was closed.`));
    const chain = this.chain;
    this.chain = null;
    if (chain) {
      const closed = new Promise<void>((resolve) => {
        chain.client.once('close', () => resolve());
        setTimeout(resolve, 2000).unref();
      });
      chain.close();
      await closed;
    }
    this.setState('closed', null);
  }

  /**
   * Opens a channel running `command`. `listen` is called with the channel the moment it opens,
   * before any later packet is handled: a fast command's output, exit status and close can come
   * in the same read as the channel's confirmation (through a jump host they often do), and
   * listeners added after an `await` would miss them.
   */
  private async openChannel(command: string, signal?: AbortSignal, listen?: (channel: ClientChannel) => void): Promise<{ channel: ClientChannel; release: () => void }> {
    const release = await this.limiter.acquire(signal);
    try {
      for (let attempt = 0; ; attempt++) {
        const client = await this.client(signal);
        try {
          const channel = await execOn(client, command, listen);
          return { channel, release };
        } catch (error) {
          // The connection died between the check and the request: reconnect once and retry.
          if (attempt === 0 && this.chain?.client !== client) continue;
          // sshd frees a session only once it has reaped the session's process, a moment after
          // the channel closed; under churn a new channel can briefly meet MaxSessions. Retry.
          if (/open failed/i.test((error as Error).message) && attempt < OPEN_RETRIES) {
            await abortableDelay(25 * 2 ** attempt, signal ?? this.lifetime.signal);
            continue;
          }
          throw new GantryError('ssh_channel_refused', `${this.label} refused to open a channel: ${(error as Error).message}. The server may limit sessions per connection (MaxSessions).`);
        }
      }
    } catch (error) {
      release();
      throw error;
    }
  }

  private async client(signal?: AbortSignal): Promise<Client> {
    if (this.lifetime.signal.aborted) throw cancelled(this.lifetime.signal);
    if (this.chain) return this.chain.client;
    this.connecting ??= this.connectWithBackoff().finally(() => (this.connecting = null));
    const chain = await untilAborted(this.connecting, signal);
    return chain.client;
  }

  private async connectWithBackoff(): Promise<SshChain> {
    const { attempts, baseDelayMs, maxDelayMs } = this.options.reconnect;
    const signal = this.lifetime.signal;
    for (let attempt = 0; ; attempt++) {
      this.setState(this.connects > 0 || attempt > 0 ? 'reconnecting' : 'connecting', attempt > 0 ? `attempt ${attempt + 1} of ${attempts + 1}` : null);
      try {
        const target = await this.options.resolveTarget(signal);
        const chain = await openSshChain(target, this.options.tuning, signal);
        this.adopt(chain);
        return chain;
      } catch (error) {
        const failure = error instanceof GantryError ? error : new GantryError('ssh_failed', `SSH to ${this.label} failed: ${(error as Error).message}`);
        if (signal.aborted) throw cancelled(signal);
        if (!RETRYABLE.has(failure.code) || attempt >= attempts) {
          this.setState('failed', failure.message);
          throw failure;
        }
        await abortableDelay(Math.min(maxDelayMs, baseDelayMs * 2 ** attempt), signal);
      }
    }
  }

  private adopt(chain: SshChain): void {
    this.chain = chain;
    this.connects++;
    this.setState('connected', null);
    chain.client.on('error', (error: Error) => {
      if (this.chain === chain) this.message = `Connection error: ${error.message}`;
    });
    chain.client.once('close', () => {
      if (this.chain !== chain) return;
      this.chain = null;
      chain.close();
      this.setState('idle', `The connection to ${this.label} dropped; Gantry reconnects on the next operation.`);
    });
  }

  private lostError(): GantryError {
    if (this.lifetime.signal.aborted) return cancelled(this.lifetime.signal);
    return new GantryError('ssh_connection_lost', `The SSH connection to ${this.label} was lost while a command was running. The command may or may not have finished on the server. Gantry reconnects on the next operation.`);
  }

  private setState(state: ConnectionState, message: string | null): void {
    if (this.state === state && this.message === message) return;
    this.state = state;
    this.message = message;
    this.options.onState(state, message);
  }
}

/**
 * Ends a remote command: closing the channel alone lets it run on until it next touches its
 * output, so it is also sent SIGKILL (OpenSSH delivers `signal` requests to the session's
 * process group — except for root logins, which run without privilege separation and ignore
 * them). ssh2's `channel.signal()` stays silent once stdin is closed, which `exec` does at
 * once, so the request goes through ssh2's protocol object while the channel is open.
 */
function stop(channel: ClientChannel): void {
  const internal = channel as unknown as { outgoing?: { id: number; state: string }; _client?: { _protocol?: { signal(id: number, name: string): void } } };
  try {
    if (internal.outgoing && (internal.outgoing.state === 'open' || internal.outgoing.state === 'eof')) internal._client?._protocol?.signal(internal.outgoing.id, 'KILL');
  } catch {
    // The channel may already be closing.
  }
  channel.close();
}

function execOn(client: Client, command: string, listen?: (channel: ClientChannel) => void): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.exec(command, (error, channel) => {
        if (error) return reject(error);
        listen?.(channel);
        resolve(channel);
      });
    } catch (error) {
      reject(error as Error);
    }
  });
}
