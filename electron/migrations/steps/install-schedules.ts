import { z } from 'zod';
import { redactSecrets } from '@shared/redact';
import { shellQuote } from '../../servers/remote-host';
import { run, type ExecutionContext } from './step-context';
import { defineStep } from './step-module';

/** The crontab lines Gantry owns, matched by their markers (grep arguments). */
export function markerPatterns(markers: readonly string[]): string {
  return markers.map((marker) => `-e ${shellQuote(marker)}`).join(' ');
}

/** The markers of `markers` that the target's crontab has. */
export async function markersPresent(context: ExecutionContext, markers: readonly string[]): Promise<string[]> {
  const listed = await context.target.exec(`crontab -l 2>/dev/null || true`, {});
  return markers.filter((marker) => listed.stdout.includes(marker));
}

/** Installs the resource's scheduled tasks as crontab lines on the target; undo removes exactly those lines. */
export const installSchedulesStep = defineStep({
  kind: 'install-schedules',
  result: z.object({ installed: z.number() }),
  intent: (step) => ({ markers: step.params.entries.map((entry) => entry.marker) }),
  async run(step, context, job) {
    const lines = step.params.entries.map((entry) => entry.line).join('\n');
    const markers = step.params.entries.map((entry) => entry.marker);
    const script = `command -v crontab >/dev/null || { echo "crontab is not installed on this server (install cron)" >&2; exit 3; }; (crontab -l 2>/dev/null | grep -vF ${markerPatterns(markers)}; printf '%s\\n' ${shellQuote(lines)}) | crontab -`;
    await run(context.target, `sh -c ${shellQuote(script)}`, 'install the scheduled tasks', job.signal);
    return { installed: markers.length };
  },
  async undo(step, context) {
    const markers = step.params.entries.map((entry) => entry.marker);
    const script = `command -v crontab >/dev/null || exit 0; crontab -l 2>/dev/null | grep -vF ${markerPatterns(markers)} | crontab -`;
    await run(context.target, `sh -c ${shellQuote(script)}`, 'remove the scheduled tasks');
  },
  async verify(step, context, outcome) {
    const present = await markersPresent(context, step.params.entries.map((entry) => entry.marker));
    if (outcome === 'undone' && present.length > 0) return [`crontab still has ${present.length} line(s) this run added`];
    if (outcome === 'done' && present.length < step.params.entries.length) return ['crontab lacks line(s) this run added'];
    return [];
  },
  // A task's command may carry a secret (a connection string): the journal and the UI see it masked.
  mask: (params) => ({ entries: params.entries.map((entry) => ({ ...entry, command: redactSecrets(entry.command), line: redactSecrets(entry.line) })) }),
});
