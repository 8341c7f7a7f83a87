/**
 * Small promise wrappers around ssh2 for the lab's own integration tests: connect with a
 * verified host key, run a command, pipe one server's command output into another's.
 */
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';

/** Result of a command run over SSH. */
export interface ExecResult {
  code: number | null;
  /** Set when the command was ended by a signal (then `code` is null). */
  signal?: string;
  stdout: string;
  stderr: string;
}

/** Opens an SSH connection; rejects on handshake, auth or host-key failure. */
export function sshConnect(config: ConnectConfig): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('ready', () => resolve(client));
    client.once('error', reject);
    client.connect(config);
  });
}

/** Starts a command and returns its channel (for streaming). */
export function sshStream(client: Client, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => (error ? reject(error) : resolve(channel)));
  });
}

/** Runs a command to completion, collecting its output; `input` is written to its stdin. */
export async function sshExec(client: Client, command: string, input?: string | Buffer): Promise<ExecResult> {
  const channel = await sshStream(client, command);
  return collect(channel, input);
}

function collect(channel: ClientChannel, input?: string | Buffer): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let code: number | null = null;
    let signal: string | undefined;
    channel.on('data', (chunk: Buffer) => stdout.push(chunk));
    channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    channel.on('exit', (exitCode: number | null, exitSignal?: string) => {
      code = exitCode;
      signal = exitSignal;
    });
    channel.on('error', reject);
    channel.on('close', () =>
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() }),
    );
    if (input !== undefined) channel.end(input);
  });
}

/** Runs a command that must succeed and returns its trimmed stdout. */
export async function sshRun(client: Client, command: string, input?: string | Buffer): Promise<string> {
  const result = await sshExec(client, command, input);
  if (result.code !== 0) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with ${result.code ?? 'no status'}`;
    throw new Error(`"${command}" ${how}: ${result.stderr.trim()}`);
  }
  return result.stdout.trim();
}

/**
 * Streams the stdout of `fromCommand` on one server into the stdin of `toCommand` on another
 * (e.g. `docker save` into `docker load`), through this process. Resolves with the receiving
 * command's output; rejects if either side fails.
 */
export async function sshPipe(
  from: Client,
  fromCommand: string,
  to: Client,
  toCommand: string,
): Promise<{ bytes: number; output: ExecResult }> {
  const source = await sshStream(from, fromCommand);
  const sink = await sshStream(to, toCommand);
  let bytes = 0;
  let sourceCode: number | null = null;
  let sourceError = '';
  source.on('exit', (code: number | null) => {
    sourceCode = code;
  });
  source.stderr.on('data', (chunk: Buffer) => {
    sourceError += chunk.toString();
  });
  source.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  const sourceClosed = new Promise<void>((resolve) => source.once('close', () => resolve()));
  source.pipe(sink);
  const output = await collect(sink);
  await sourceClosed;
  if (sourceCode !== 0) throw new Error(`"${fromCommand}" exited with ${sourceCode}: ${sourceError.trim()}`);
  if (output.code !== 0) throw new Error(`"${toCommand}" exited with ${output.code}: ${output.stderr.trim()}`);
  return { bytes, output };
}
