/**
 * Docker over SSH without exposing any Docker socket: each HTTP request of dockerode gets a
 * `docker system dial-stdio` channel on the server's pooled SSH connection, handed to Node's
 * HTTP client as its socket. dockerode's own ssh mode is not used: it opens a new SSH connection
 * per request, which OpenSSH's default MaxStartups throttles.
 */
import { Agent, type ClientRequestArgs } from 'node:http';
import { Duplex } from 'node:stream';
import Dockerode from 'dockerode';
import type { ClientChannel } from 'ssh2';
import { GantryError } from '@shared/ipc/result';

/** The remote command that bridges a channel to the server's Docker daemon. */
export const DIAL_STDIO_COMMAND = 'docker system dial-stdio';

const STDERR_LIMIT = 8192;

/**
 * An SSH exec channel dressed as a socket for Node's HTTP client. When the remote command
 * fails before Docker answers, the socket fails with a specific Docker error (not installed,
 * permission denied, daemon down) instead of a bare "socket hang up".
 */
export class ChannelSocket extends Duplex {
  private stderr = '';
  private exitCode: number | null = null;
  private receivedData = false;

  constructor(
    private readonly channel: ClientChannel,
    private readonly label: string,
    private readonly onClosed: () => void,
  ) {
    super();
    channel.on('data', (chunk: Buffer) => {
      this.receivedData = true;
      if (!this.push(chunk)) channel.pause();
    });
    channel.stderr.on('data', (chunk: Buffer) => {
      if (this.stderr.length < STDERR_LIMIT) this.stderr += chunk.toString('utf8');
    });
    channel.on('exit', (code: number | null) => (this.exitCode = code));
    channel.once('close', () => {
      this.onClosed();
      const failure = this.receivedData ? null : dockerFailure(this.stderr, this.exitCode, label);
      if (failure) this.destroy(failure);
      else this.push(null);
    });
  }

  override _read(): void {
    this.channel.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.channel.write(chunk)) callback();
    else this.channel.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.channel.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.channel.close();
    callback(error);
  }

  // Node's HTTP client tunes real TCP sockets with these; a channel has nothing to tune.
  /** No-op: a channel has no socket timeout of its own. */
  setTimeout(_ms: number, callback?: () => void): this {
    if (callback) this.once('timeout', callback);
    return this;
  }
  /** No-op for a channel. */
  setNoDelay(): this {
    return this;
  }
  /** No-op for a channel. */
  setKeepAlive(): this {
    return this;
  }
  /** No-op for a channel. */
  ref(): this {
    return this;
  }
  /** No-op for a channel. */
  unref(): this {
    return this;
  }
}

/**
 * Turns the stderr and exit code of a failed Docker command into a specific error, or null when
 * it does not look like a failure. Used for dial-stdio channels and for `docker ...` execs.
 */
export function dockerFailure(stderr: string, exitCode: number | null, label: string): GantryError | null {
  const text = stderr.trim();
  if (exitCode === 127 || /docker: (command )?not found|command not found: docker|exec: "docker": executable file not found/i.test(text)) {
    return new GantryError('docker_not_installed', `Docker is not installed on ${label} (the docker command was not found). Install Docker Engine there, or check that the SSH user's PATH includes it.`);
  }
  if (/permission denied/i.test(text) && /docker/i.test(text)) {
    return new GantryError('docker_permission_denied', `The SSH user on ${label} may not use the Docker socket (permission denied). Add the user to the docker group (sudo usermod -aG docker <user>) and reconnect, or log in as a user who can run docker.`);
  }
  if (/Cannot connect to the Docker daemon|Is the docker daemon running|docker\.sock: connect: (no such file or directory|connection refused)/i.test(text)) {
    return new GantryError('docker_daemon_down', `The Docker daemon on ${label} is not running (its socket does not answer). Start it (sudo systemctl start docker) and try again.`);
  }
  if (exitCode !== null && exitCode !== 0) {
    return new GantryError('docker_failed', `Docker on ${label} failed (exit ${exitCode}): ${text.slice(0, 500) || 'no error output'}`);
  }
  if (exitCode === null && text) return new GantryError('docker_failed', `Docker on ${label} failed: ${text.slice(0, 500)}`);
  return null;
}

/** Opens one dial-stdio channel, already wrapped as a socket. */
export type DialStdio = () => Promise<ChannelSocket>;

class DialStdioAgent extends Agent {
  constructor(private readonly dial: DialStdio) {
    // No keep-alive: one request per channel, so a channel never outlives its request and the
    // connection's channel cap counts exactly the requests in flight.
    super({ keepAlive: false, maxSockets: Infinity });
  }

  override createConnection(_options: ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    this.dial().then(
      (socket) => callback?.(null, socket),
      (error: Error) => callback?.(error, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

/** A dockerode client whose every request travels over `dial`'s channels. */
export function createDockerClient(dial: DialStdio): Dockerode {
  // The host name is never resolved: the agent supplies the socket.
  // docker-modem accepts `agent`; @types/dockerode does not declare it.
  const options = { protocol: 'http', host: 'docker.over-ssh.invalid', port: 80, agent: new DialStdioAgent(dial) };
  return new Dockerode(options as Dockerode.DockerOptions);
}

type WithSignal = (options: { abortSignal: AbortSignal }) => Promise<unknown>;

/** `docker version` with cancellation (dockerode supports `abortSignal` here; its types do not say so). */
export async function dockerVersion(docker: Dockerode, signal: AbortSignal): Promise<{ Version: string; ApiVersion: string }> {
  return (await (docker.version.bind(docker) as unknown as WithSignal)({ abortSignal: signal })) as { Version: string; ApiVersion: string };
}

/** `docker info` with cancellation. */
export async function dockerInfo(docker: Dockerode, signal: AbortSignal): Promise<{ DockerRootDir?: string }> {
  return (await (docker.info.bind(docker) as unknown as WithSignal)({ abortSignal: signal })) as { DockerRootDir?: string };
}
