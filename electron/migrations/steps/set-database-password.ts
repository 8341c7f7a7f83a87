import { z } from 'zod';
import { GantryError } from '@shared/ipc/result';
import { MASK } from '@shared/redact';
import type { StepOf } from '@shared/migration/steps';
import { adapterFor, detectDatabase } from '../../databases/registry';
import { shellQuote, type RemoteHost } from '../../servers/remote-host';
import { resourceOf, type ExecutionContext } from './step-context';
import { defineStep } from './step-module';

/** Runs the adapter's `setPassword` with `password` on its stdin (never on a command line). */
async function setPassword(host: RemoteHost, command: string, password: string, what: string, signal?: AbortSignal): Promise<void> {
  const process = await host.spawn(command, signal ? { signal } : {});
  process.stdout.resume();
  process.stdin.end(`${password}\n`);
  const { code, stderr } = await process.done;
  if (code !== 0) throw new GantryError('rotation_failed', `Could not ${what} on ${host.label}: ${stderr.trim().split('\n').slice(-2).join(' ') || `exit code ${code}`}`);
}

/** The value of one env variable of a live container, read on its server (memory only). */
async function liveEnv(host: RemoteHost, container: string, variable: string): Promise<string | null> {
  const result = await host.exec(`docker inspect --format '{{json .Config.Env}}' ${shellQuote(container)}`, {});
  if (result.code !== 0) throw new GantryError('docker_unavailable', `Could not read ${container} on ${host.label}: ${result.stderr.trim()}`);
  const line = (JSON.parse(result.stdout) as string[]).find((entry) => entry.startsWith(`${variable}=`));
  return line === undefined ? null : line.slice(variable.length + 1);
}

function commandOf(step: StepOf<'set-database-password'>, context: ExecutionContext): string {
  const resource = resourceOf(context, step);
  const detected = detectDatabase(resource.desiredSpec).best;
  const command = detected ? adapterFor(detected.type).commands({ container: step.params.containerName, spec: resource.desiredSpec }).setPassword : undefined;
  if (!command) throw new GantryError('rotation_unsupported', `Gantry cannot change the password of ${step.params.resourceName}'s engine in the database itself yet.`);
  return command;
}

/**
 * Rotate credentials, in the database: sets the password the run's desired spec holds. Existing
 * sessions stay connected (PostgreSQL checks a password only at login), so the dependants keep
 * working until they are recreated with the new value by the steps after this one. Undo sets the
 * password the live container's env still holds (the earlier steps' undo has put it back).
 */
export const setDatabasePasswordStep = defineStep({
  kind: 'set-database-password',
  result: z.object({ changed: z.boolean() }),
  async run(step, context, job) {
    const next = resourceOf(context, step).desiredSpec.env[step.params.variable];
    // A run resumed from the journal has only masked values: never set a password from one.
    if (!next || next.includes(MASK)) throw new GantryError('invalid_plan', `The run has no new ${step.params.variable} for ${step.params.resourceName} (a resumed run cannot know it): start the rotation again.`);
    await setPassword(context.target, commandOf(step, context), next, `change the password of ${step.params.resourceName}`, job.signal);
    job.log('info', `${step.params.containerName}: the database now takes the new ${step.params.variable} (not shown)`);
    return { changed: true };
  },
  async undo(step, context) {
    const old = await liveEnv(context.target, step.params.containerName, step.params.variable);
    if (old === null) throw new GantryError('rotation_failed', `${step.params.containerName} has no ${step.params.variable} to put back.`);
    await setPassword(context.target, commandOf(step, context), old, `put the previous password of ${step.params.resourceName} back`);
  },
});
