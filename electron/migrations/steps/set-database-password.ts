import { z } from 'zod';
import { GantryError } from '@shared/ipc/result';
import { MASK } from '@shared/redact';
import type { StepOf } from '@shared/migration/steps';
import { DatabaseAdapterError, type DatabaseAdapter, type PasswordChange } from '../../databases/adapter';
import { adapterFor, detectDatabase } from '../../databases/registry';
import { RotationVault } from '../../databases/rotation';
import { shellQuote, type RemoteHost } from '../../servers/remote-host';
import { resourceOf, type ExecutionContext } from './step-context';
import { defineStep } from './step-module';

/** Runs one of a `PasswordChange`'s commands with its two stdin lines (never on a command line); returns its last output line. */
async function runChange(host: RemoteHost, command: string, first: string, login: string, what: string, signal?: AbortSignal): Promise<string> {
  const process = await host.spawn(command, signal ? { signal } : {});
  let stdout = '';
  process.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  process.stdin.end(`${first}\n${login}\n`);
  const { code, stderr } = await process.done;
  if (code !== 0) throw new GantryError('rotation_failed', `Could not ${what} on ${host.label}: ${stderr.trim().split('\n').slice(-2).join(' ') || `exit code ${code}`}`);
  return stdout.trim().split('\n').pop() ?? '';
}

/** The value of one env variable of a live container, read on its server (memory only). */
async function liveEnv(host: RemoteHost, container: string, variable: string): Promise<string | null> {
  const result = await host.exec(`docker inspect --format '{{json .Config.Env}}' ${shellQuote(container)}`, {});
  if (result.code !== 0) throw new GantryError('docker_unavailable', `Could not read ${container} on ${host.label}: ${result.stderr.trim()}`);
  const line = (JSON.parse(result.stdout) as string[]).find((entry) => entry.startsWith(`${variable}=`));
  return line === undefined ? null : line.slice(variable.length + 1);
}

function adapterOf(step: StepOf<'set-database-password'>, context: ExecutionContext): { adapter: DatabaseAdapter; change: PasswordChange } {
  const resource = resourceOf(context, step);
  const detected = detectDatabase(resource.desiredSpec).best;
  if (!detected) throw new GantryError('rotation_unsupported', `Gantry cannot tell which database engine ${step.params.resourceName} runs.`);
  const adapter = adapterFor(detected.type);
  try {
    return { adapter, change: adapter.passwordChange({ container: step.params.containerName, spec: resource.desiredSpec }, step.params.variable) };
  } catch (error) {
    if (error instanceof DatabaseAdapterError) throw new GantryError('rotation_unsupported', error.message);
    throw error;
  }
}

function vaultOf(context: ExecutionContext): RotationVault {
  if (!context.secrets) throw new GantryError('keychain_unavailable', 'Rotating a password needs the OS keychain (it keeps the old and new password there until the run is over, so a crash can be undone); this Gantry has none.');
  return new RotationVault(context.secrets, context.migrationId);
}

const clear = (value: string | undefined): string | null => (value && !value.includes(MASK) ? value : null);

/**
 * Rotate credentials, in the database: sets the new password the run's desired spec holds, as
 * the engine allows — beside the old one where it keeps two (MySQL 8's RETAIN CURRENT PASSWORD,
 * Redis ACL), so the dependants keep working until they are recreated with the new value; then,
 * once the run completed, the old one is refused (`finalize`; engines that keep a password only
 * in memory refuse it as soon as their container is recreated with the new value). Both
 * passwords are kept in the OS keychain under the run's id before the database is changed, so
 * the undo — after a failure, or after a crash from the journal alone — puts the old password
 * back as the only one; the keychain entry goes when the run is finalized or undone.
 */
export const setDatabasePasswordStep = defineStep({
  kind: 'set-database-password',
  result: z.object({ changed: z.boolean(), retained: z.boolean().optional() }),
  async run(step, context, job) {
    const { variable, containerName, resourceName } = step.params;
    const vault = vaultOf(context);
    const saved = vault.get(variable);
    const next = clear(resourceOf(context, step).desiredSpec.env[variable]) ?? saved?.next ?? null;
    // A run resumed from the journal has only masked values: never set a password from one.
    if (!next) throw new GantryError('invalid_plan', `The run has no new ${variable} for ${resourceName} (a resumed run cannot know it): start the rotation again.`);
    const { change } = adapterOf(step, context);
    const old = saved?.old ?? (await liveEnv(context.target, containerName, variable));
    if (old === null) throw new GantryError('rotation_failed', `${containerName} has no ${variable} to rotate.`);
    const login = change.loginVariable === null ? '' : change.loginVariable === variable ? old : (vault.get(change.loginVariable)?.old ?? (await liveEnv(context.target, containerName, change.loginVariable)) ?? '');
    vault.put(variable, { old, next });
    const outcome = await runChange(context.target, change.set, next, login, `change ${variable} of ${resourceName}`, job.signal);
    const retained = outcome === 'retained';
    job.log('info', `${containerName}: the database now takes the new ${variable} (not shown), by ${change.describe}; ${retained ? 'the old one stays valid until the dependants run with the new one' : 'the old one is refused from now on'}`);
    return { changed: true, retained };
  },
  async undo(step, context) {
    const { variable, containerName, resourceName } = step.params;
    const vault = vaultOf(context);
    const saved = vault.get(variable);
    const { change } = adapterOf(step, context);
    // The previous containers are back (their undo ran first): their env holds the old password.
    const old = saved?.old ?? (await liveEnv(context.target, containerName, variable));
    if (old === null) throw new GantryError('rotation_failed', `${containerName} has no ${variable} to put back, and the keychain has no record of it.`);
    const next = saved?.next ?? clear(resourceOf(context, step).desiredSpec.env[variable]);
    // Log in with what the database takes now: the new password, or the old one when a restarted container already forgot the change.
    const logins = change.loginVariable === null ? [''] : change.loginVariable === variable ? [...new Set([next, old].filter((each): each is string => each !== null))] : [vault.get(change.loginVariable)?.old ?? (await liveEnv(context.target, containerName, change.loginVariable)) ?? ''];
    let failure: unknown = null;
    for (const login of logins) {
      try {
        await runChange(context.target, change.restore, old, login, `put the previous ${variable} of ${resourceName} back`);
        vault.forget(variable);
        return;
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  },
  /** Once the dependants run with the new password: the old one is refused (where `run` kept it valid), and the keychain forgets both. */
  async finalize(step, context, log) {
    const { variable, containerName } = step.params;
    const vault = vaultOf(context);
    try {
      const { change } = adapterOf(step, context);
      if (change.retire && vault.get(variable)) {
        const login = change.loginVariable === null ? '' : ((await liveEnv(context.target, containerName, change.loginVariable)) ?? '');
        await runChange(context.target, change.retire, '', login, `make ${containerName} refuse the old ${variable}`);
        log('info', `${containerName} refuses the old ${variable} from now on (its dependants run with the new one)`);
      }
    } finally {
      vault.forget(variable);
    }
  },
  async verify(step, context, outcome) {
    if (outcome !== 'undone') return [];
    const { adapter } = adapterOf(step, context);
    const live = await context.target.exec(`docker inspect --format '{{.State.Running}}' ${shellQuote(step.params.containerName)}`, {});
    if (live.stdout.trim() !== 'true') return [];
    // The database's own client with the restored container's env: it must take the previous password again.
    const readiness = adapter.commands({ container: step.params.containerName, spec: resourceOf(context, step).desiredSpec }).readiness;
    const result = await context.target.exec(readiness, {});
    return result.code === 0 ? [] : [`${step.params.containerName} does not take its previous password (${result.stderr.trim().split('\n').pop() ?? `exit ${result.code}`})`];
  },
});
