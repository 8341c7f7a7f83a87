/**
 * Server to server: the source pipes its stream straight into a receiving command on the
 * target over its own SSH connection, authenticated by a one-time key (one-time-key.ts) that
 * lives in an ssh-agent on the source for the length of that one command. This machine only
 * sets it up, watches the byte count and cleans up.
 */
import { GantryError } from '@shared/ipc/result';
import { shellQuote, type RemoteHost } from '../servers/remote-host';
import { addKeyCommand, authorizedKeyLine, expiryCommand, makeOneTimeKey, retireKeyCommand, type OneTimeKey } from './one-time-key';

/** Where the source can reach the target's sshd, as the target's own SSH session says. */
export interface TargetEndpoint {
  host: string;
  port: number;
  user: string;
  /** known_hosts lines for the alias `gantry-target`, read on the target itself. */
  knownHosts: string;
}

/**
 * A direct stream that failed. `receiverStarted` is false only when nothing can have reached the
 * target: the key was never authorized, or its line was still unused afterwards (the forced
 * command deletes it before it reads a byte). Sending again another way is then harmless.
 */
export class DirectStreamError extends GantryError {
  constructor(
    cause: GantryError,
    readonly receiverStarted: boolean,
  ) {
    super(cause.code, cause.message, cause.details);
  }
}

/** Whether the key's line was still unused when the transfer was cleaned up (unknown: the target did not answer). */
export type KeyUse = 'unused' | 'used' | 'unknown';

/** Minutes the one-time key stays valid if it is never used (it is removed at first use). */
const KEY_MINUTES = 10;
const ALIAS = 'gantry-target';

/**
 * Whether the source reaches the target's sshd at the address this machine used (the target
 * reports it in SSH_CONNECTION), and the target's host keys, read over this machine's verified
 * connection to it (`ssh-keyscan` of its own address, run on the target). Null with the reason
 * when the direct path cannot be used.
 */
export async function findDirectRoute(source: RemoteHost, target: RemoteHost, signal: AbortSignal): Promise<{ endpoint: TargetEndpoint } | { reason: string }> {
  const here = await target.exec(
    `set -- $SSH_CONNECTION; echo "$3 $4 $(id -un)"; command -v flock >/dev/null || echo no-flock; ssh-keyscan -T 5 -p "$4" "$3" 2>/dev/null`,
    { signal },
  );
  const [first = '', ...rest] = here.stdout.trim().split('\n');
  const [host = '', portText = '', user = ''] = first.trim().split(' ');
  if (!host || !user) return { reason: `${target.label} did not say which address its SSH session came in on` };
  if (rest.includes('no-flock')) return { reason: `${target.label} has no flock for editing authorized_keys safely` };
  const keys = rest.filter((line) => /^\S+ (ssh-|ecdsa-)\S+ \S+$/.test(line.trim())).map((line) => `${ALIAS} ${line.trim().split(' ').slice(1).join(' ')}`);
  if (keys.length === 0) return { reason: `${target.label} could not read its own host keys (ssh-keyscan)` };
  const port = Number(portText) || 22;
  const reach = await source.exec(
    `command -v ssh-agent >/dev/null && command -v ssh-add >/dev/null || { echo no-agent; exit 0; }; timeout 5 bash -c ${shellQuote(`exec 3<>/dev/tcp/${host}/${port} && head -c 4 <&3`)} 2>/dev/null || echo unreachable`,
    { signal },
  );
  const answer = reach.stdout.trim();
  if (answer === 'no-agent') return { reason: `${source.label} has no ssh-agent/ssh-add to hold a one-time key` };
  if (!answer.startsWith('SSH-')) return { reason: `${source.label} cannot reach ${target.label}'s sshd at ${host}:${port}` };
  return { endpoint: { host, port, user, knownHosts: keys.join('\n') } };
}

/**
 * Streams `producer` on the source into `receiver` on the target directly. `onBytes` gets the
 * running byte count about once a second (for progress and the stall watchdog). The key line
 * is removed from the target afterwards whatever happened (it also removes itself at first use),
 * a receiver still running for it is ended, and the source's temporary folder is removed.
 * Resolves with the source's stderr (the producer's own messages); rejects with a DirectStreamError.
 */
export async function directStream(options: {
  source: RemoteHost;
  target: RemoteHost;
  endpoint: TargetEndpoint;
  producer: string;
  receiver: string;
  signal: AbortSignal;
  onBytes: (bytes: number) => void;
  /** Every byte left the source (dd finished); the target may still be loading. */
  onSent?: () => void;
}): Promise<{ bytes: number; tag: string; stderr: string }> {
  const { source, target, endpoint, signal } = options;
  const key = makeOneTimeKey();
  let authorizing = false;
  let outcome: { bytes: number; stderr: string } | undefined;
  let failure: GantryError | undefined;
  try {
    const expiry = (await target.exec(expiryCommand(KEY_MINUTES), { signal })).stdout.trim();
    if (!/^\d{14}$/.test(expiry)) throw new GantryError('transfer_failed', `${target.label} gave no usable time for the key's expiry.`);
    const line = authorizedKeyLine(key, options.receiver, expiry);
    authorizing = true;
    const added = await target.exec(addKeyCommand(line), { signal });
    if (added.code !== 0) throw new GantryError('transfer_failed', `Could not authorize the one-time key on ${target.label}: ${added.stderr.trim()}`);
    outcome = await runOnSource(source, key, endpoint, options);
  } catch (error) {
    failure = error instanceof GantryError ? error : new GantryError('transfer_failed', `The direct transfer from ${source.label} to ${target.label} broke off: ${(error as Error).message}`);
  }
  const use = await cleanUp(source, target, key.tag);
  if (failure || !outcome) throw new DirectStreamError(failure ?? new GantryError('transfer_failed', 'The direct transfer ended without an outcome.'), authorizing && use !== 'unused');
  return { ...outcome, tag: key.tag };
}

/** Wire bytes per second from source to target directly (its own one-time key; up to 32 MB or 1 s). */
export async function measureDirectLink(source: RemoteHost, target: RemoteHost, endpoint: TargetEndpoint, signal: AbortSignal): Promise<number> {
  const started = performance.now();
  const { bytes } = await directStream({ source, target, endpoint, producer: 'timeout 1 head -c 33554432 /dev/urandom; true', receiver: 'cat >/dev/null', signal, onBytes: () => {} });
  return bytes / ((performance.now() - started) / 1000);
}

/**
 * Removes every trace of one transfer from both servers and ends a receiver still running for it
 * (safe to repeat; errors are ignored). When the target cannot be reached now, it keeps trying in
 * the background every 20 s until the key's expiry has passed (after that sshd refuses the line
 * anyway). Says whether the key's line was still unused.
 */
export async function cleanUp(source: RemoteHost, target: RemoteHost, tag: string): Promise<KeyUse> {
  const tries = async (host: RemoteHost, command: string): Promise<string | null> => {
    try {
      const result = await host.exec(command, { signal: AbortSignal.timeout(15_000) });
      return result.code === 0 ? result.stdout : null;
    } catch {
      return null;
    }
  };
  const retire = () => tries(target, retireKeyCommand(tag));
  const [retired] = await Promise.all([retire(), tries(source, `rm -rf /tmp/${tag}`)]);
  if (retired === null) {
    retryUntil(Date.now() + (KEY_MINUTES + 1) * 60_000, async () => (await retire()) !== null);
    return 'unknown';
  }
  return retired.includes('unused') ? 'unused' : 'used';
}

function retryUntil(deadline: number, attempt: () => Promise<boolean>): void {
  const timer = setTimeout(() => {
    void attempt().then((done) => {
      if (!done && Date.now() < deadline) retryUntil(deadline, attempt);
    });
  }, 20_000);
  timer.unref();
}

async function runOnSource(
  source: RemoteHost,
  key: OneTimeKey,
  endpoint: TargetEndpoint,
  options: { producer: string; signal: AbortSignal; onBytes: (bytes: number) => void; onSent?: () => void },
): Promise<{ bytes: number; stderr: string }> {
  const process = await source.spawn(`ssh-agent -t ${KEY_MINUTES * 60} bash -c ${shellQuote(sourceScript(key, endpoint, options.producer))}`, { signal: options.signal });
  let bytes = 0;
  let tail = '';
  let sent = false;
  process.stdout.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4096);
    // dd reports "<bytes> bytes (…) copied" about once a second, separated by carriage returns.
    for (const match of tail.matchAll(/(\d+) bytes/g)) bytes = Math.max(bytes, Number(match[1]));
    options.onBytes(bytes);
    if (!sent && /records out/.test(tail)) {
      sent = true;
      options.onSent?.();
    }
  });
  process.stdin.end(key.privateKey);
  const abort = () => process.kill();
  options.signal.addEventListener('abort', abort, { once: true });
  try {
    const done = await process.done;
    if (done.code !== 0) {
      throw new GantryError('transfer_failed', `The direct transfer from ${source.label} failed (exit ${done.code}): ${(done.stderr.trim() || tail.replace(/\r/g, '\n').trim()).slice(-600)}`);
    }
    return { bytes, stderr: done.stderr };
  } finally {
    options.signal.removeEventListener('abort', abort);
  }
}

/**
 * The script the source runs as ssh-agent's child (the agent ends with it, or at the latest
 * 10 s after it was killed, when it sees its parent gone): load the key from stdin into the
 * agent, then pipe producer → dd (counts bytes) → ssh to the target's forced command.
 */
export function sourceScript(key: OneTimeKey, endpoint: TargetEndpoint, producer: string): string {
  const ssh = [
    'ssh -F /dev/null -T -o BatchMode=yes -o IdentitiesOnly=yes -o IdentityFile="$d/id.pub"',
    '-o UserKnownHostsFile="$d/known_hosts" -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes',
    `-o HostKeyAlias=${ALIAS} -o ConnectTimeout=10 -o ServerAliveInterval=5 -o ServerAliveCountMax=3`,
    `-p ${endpoint.port} ${shellQuote(`${endpoint.user}@${endpoint.host}`)} receive`,
  ].join(' ');
  return [
    'set -o pipefail',
    `d=/tmp/${key.tag}`,
    'mkdir -m 700 "$d" || exit 90',
    `trap 'rm -rf "$d"; kill "$SSH_AGENT_PID" 2>/dev/null' EXIT`,
    'ssh-add -q - 2>/dev/null || { echo "ssh-add could not load the one-time key" >&2; exit 91; }',
    `printf '%s\\n' ${shellQuote(key.publicLine)} >"$d/id.pub"`,
    `printf '%s\\n' ${shellQuote(endpoint.knownHosts)} >"$d/known_hosts"`,
    `{ { ${producer}; } </dev/null | dd bs=1M status=progress 2>&3 | ${ssh}; } 3>&1`,
  ].join('\n');
}
