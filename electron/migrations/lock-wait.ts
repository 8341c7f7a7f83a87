/**
 * A pending run waits its turn: it asks for the target server's migration lock until it gets it,
 * naming each holder it waits behind once, and gives up after LOCK_WAIT_MS or when cancelled.
 */
import { GantryError } from '@shared/ipc/result';
import { abortableDelay, type JobContext } from '../jobs/registry';
import type { RemoteHost } from '../servers/remote-host';
import { TARGET_LOCK_KEY } from './gather';
import { acquireTargetLock, type TargetLock } from './target-lock';

/** How long a pending migration waits for another migration on its server before giving up. */
const LOCK_WAIT_MS = 30 * 60 * 1000;
/** How often a pending migration asks for the server's lock again. */
const LOCK_RETRY_MS = 2000;

/** Who runs this engine, as other operators are told in the lock's holder note. */
export interface Operator {
  operator: string;
  machine: string;
}

/** Takes the target's lock, waiting while another migration (from any Gantry) holds it. */
export async function waitForTargetLock(
  target: RemoteHost,
  run: { migrationId: string; targetName: string; operator: Operator; job: JobContext; log: (level: 'info', message: string) => void },
): Promise<TargetLock> {
  const { job } = run;
  const giveUpAt = Date.now() + LOCK_WAIT_MS;
  let waitingFor = '';
  for (;;) {
    try {
      return await acquireTargetLock(target, {
        lockKey: TARGET_LOCK_KEY,
        holder: { migrationId: run.migrationId, target: run.targetName, ...run.operator, since: new Date().toISOString() },
        signal: job.signal,
      });
    } catch (error) {
      const busy = error instanceof GantryError && error.code === 'target_locked';
      if (!busy || job.signal.aborted) throw error;
      if (Date.now() >= giveUpAt) throw new GantryError('target_locked', `${(error as Error).message} Gave up after waiting ${Math.round(LOCK_WAIT_MS / 60_000)} minutes.`);
      // Told once per holder: a queue behind several migrations names each in turn.
      const holder = (error as Error).message.replace(/ Wait for it to finish.*$/, '');
      if (holder !== waitingFor) run.log('info', `Waiting its turn: ${holder}`);
      waitingFor = holder;
      job.progress(0, `Waiting for another migration on ${target.label} to finish`);
      await abortableDelay(LOCK_RETRY_MS, job.signal).catch(() => undefined);
    }
  }
}

/** Takes the target's lock for a recovery, once (a busy server is retried at the next start). */
export function lockForRecovery(target: RemoteHost, run: { migrationId: string; targetName: string; operator: Operator }): Promise<TargetLock> {
  return acquireTargetLock(target, { lockKey: TARGET_LOCK_KEY, holder: { migrationId: run.migrationId, target: run.targetName, ...run.operator, since: new Date().toISOString() } });
}
