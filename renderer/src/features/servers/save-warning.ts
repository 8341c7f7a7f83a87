import type { ConnectionTestStep } from '@shared/servers/server-schemas';

/** Why saving a server deserves a second look, or null: never tested since the connection was set, or its last test failed. */
export function saveWarning(steps: ConnectionTestStep[] | null, connectionChanged: boolean): string | null {
  if (steps === null) return connectionChanged ? 'This server was not tested. Gantry cannot tell yet whether it reaches it, logs in and finds Docker; until a test or a probe succeeds it stays idle.' : null;
  const failed = steps.filter((step) => step.status === 'failed' || step.status === 'needs-confirmation');
  if (!failed.length) return null;
  const first = failed[0]!;
  return `The last test failed at “${first.title}”: ${first.message.replace(/\.?$/, '.')} Gantry saves it anyway if you ask, but cannot use it until that is fixed.`;
}
