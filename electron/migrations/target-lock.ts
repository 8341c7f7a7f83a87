import { GantryError } from '@shared/ipc/result';
import { shellQuote, type RemoteHost, type RemoteProcess } from '../servers/remote-host';

/** Who holds a target lock, as other operators are told. */
export interface LockHolder {
  migrationId: string;
  /** The environment the holder migrates into, as its operator named it. */
  target?: string;
  operator: string;
  machine: string;
  since: string;
}

/** A held lock; `release` is idempotent. */
export interface TargetLock {
  release(): Promise<void>;
}

/** Where target locks live on a server (world-writable, sticky: any operator's user can take one). */
export const LOCK_DIR = '/tmp/gantry-locks';

/**
 * Takes a migration lock on the target server itself, so two Gantry instances (or two operators)
 * cannot migrate into it at once. The lock is an `flock` held by a
 * remote process that lives exactly as long as its SSH channel: if the holder's connection dies,
 * sshd ends the process and the kernel releases the lock — no stale locks to clean up.
 */
export async function acquireTargetLock(
  host: RemoteHost,
  options: { lockKey: string; holder: LockHolder; signal?: AbortSignal },
): Promise<TargetLock> {
  if (!/^[A-Za-z0-9._-]{1,80}$/.test(options.lockKey)) throw new Error(`Invalid lock name "${options.lockKey}"`);
  const file = `${LOCK_DIR}/${options.lockKey}.lock`;
  const script = [
    'umask 000',
    `mkdir -p ${LOCK_DIR} 2>/dev/null; chmod 1777 ${LOCK_DIR} 2>/dev/null`,
    `[ -e ${file} ] || : > ${file}`,
    `exec 9<${file}`,
    // A migration holds the lock exclusively; a pre-check peeking at it takes a shared lock for
    // an instant. So when the exclusive lock is refused, a refused shared lock means a migration
    // holds it (busy, at once), and a granted one means only peekers do (let go, try again).
    'state=busy; tries=0',
    'while [ $tries -lt 50 ]; do',
    '  if flock -n 9; then state=locked; break; fi',
    '  flock -n -s 9 || break',
    '  flock -u 9; tries=$((tries + 1)); sleep 0.1',
    'done',
    // The holder note is written right after the lock is taken and emptied before it is let go;
    // a reader that finds it empty (a holder between the two) looks once more a moment later.
    `if [ $state = locked ]; then printf '%s' ${shellQuote(JSON.stringify(options.holder))} > ${file}.holder; echo GANTRY_LOCKED; cat >/dev/null; : > ${file}.holder; else echo GANTRY_BUSY; [ -s ${file}.holder ] || sleep 0.3; cat ${file}.holder 2>/dev/null; fi`,
  ].join('\n');
  const process = await host.spawn(`sh -c ${shellQuote(script)}`, options.signal ? { signal: options.signal } : {});
  const firstOutput = await readUntilDecided(process);
  if (firstOutput.startsWith('GANTRY_LOCKED')) {
    let released = false;
    return {
      async release() {
        if (released) return;
        released = true;
        process.stdin.end();
        await Promise.race([process.done, new Promise((resolve) => setTimeout(resolve, 5000))]);
        process.kill();
      },
    };
  }
  await process.done.catch(() => undefined);
  if (firstOutput.startsWith('GANTRY_BUSY')) {
    const holder = parseHolder(firstOutput.slice('GANTRY_BUSY'.length).trim());
    throw new GantryError(
      'target_locked',
      holder
        ? `Another migration is already running${holder.target ? ` into ${holder.target}` : ''} on ${host.label}: ${holder.migrationId} by ${holder.operator} on ${holder.machine}, since ${holder.since}. Wait for it to finish, or cancel it from the machine that started it.`
        : `Another migration is already running on ${host.label}. Wait for it to finish.`,
      holder ? { holder } : undefined,
    );
  }
  throw new GantryError('lock_failed', `Could not take the migration lock on ${host.label}: ${firstOutput.trim() || 'no answer'}. Is flock (util-linux) installed there?`);
}

function readUntilDecided(process: RemoteProcess): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (text.startsWith('GANTRY_LOCKED\n')) {
        process.stdout.off('data', onData);
        process.stdout.resume();
        resolve(text);
      }
    };
    process.stdout.on('data', onData);
    void process.done.then(
      ({ stderr }) => resolve(text || stderr),
      (error: Error) => resolve(text || error.message),
    );
  });
}

function parseHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    return typeof value.migrationId === 'string' ? (value as LockHolder) : null;
  } catch {
    return null;
  }
}
