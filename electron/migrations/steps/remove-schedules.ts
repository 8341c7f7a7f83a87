import { z } from 'zod';
import { GantryError } from '@shared/ipc/result';
import { shellQuote } from '../../servers/remote-host';
import { defineStep } from './step-module';
import { markerPatterns, markersPresent } from './install-schedules';

/** Where removed crontab lines are kept on the target server (they may hold secrets). */
const REMOVED_CRON_DIR = '$HOME/.gantry/rollbacks';

/**
 * Removes the crontab lines an earlier migration installed (found by their markers). The removed
 * lines are kept on the target server, so an undo puts exactly them back and nothing secret travels.
 */
export const removeSchedulesStep = defineStep({
  kind: 'remove-schedules',
  result: z.object({ removed: z.number() }),
  intent: (step) => ({ markers: step.params.markers }),
  async run(step, context, job) {
    const patterns = markerPatterns(step.params.markers);
    const kept = `${REMOVED_CRON_DIR}/${context.migrationId}.cron`;
    // Written once: a repeated run (resumed after a crash) must not overwrite what the first one kept.
    const script = [
      'command -v crontab >/dev/null || exit 0',
      `umask 077 && mkdir -p ${REMOVED_CRON_DIR}`,
      `crontab -l 2>/dev/null > ${kept}.all || true`,
      `[ -s ${kept} ] || grep -F ${patterns} ${kept}.all > ${kept} || true`,
      `grep -vF ${patterns} ${kept}.all | crontab -`,
      `rm -f ${kept}.all`,
      `wc -l < ${kept}`,
    ].join('\n');
    const result = await context.target.exec(`sh -c ${shellQuote(script)}`, { signal: job.signal });
    if (result.code !== 0) throw new GantryError('cron_failed', `Could not remove the scheduled tasks on ${context.target.label}: ${result.stderr.trim() || `exit ${result.code}`}`);
    return { removed: Number(result.stdout.trim() || 0) };
  },
  async verify(step, context, outcome) {
    const present = await markersPresent(context, step.params.markers);
    return outcome === 'done' && present.length > 0 ? [`crontab still has ${present.length} line(s) the rollback should have removed`] : [];
  },
  async undo(step, context) {
    const patterns = markerPatterns(step.params.markers);
    const kept = `${REMOVED_CRON_DIR}/${context.migrationId}.cron`;
    const result = await context.target.exec(`sh -c ${shellQuote(`[ -s ${kept} ] || exit 0; (crontab -l 2>/dev/null | grep -vF ${patterns}; cat ${kept}) | crontab - && rm -f ${kept}`)}`, {});
    if (result.code !== 0) throw new GantryError('cron_failed', `Could not put the scheduled tasks back on ${context.target.label}: ${result.stderr.trim() || `exit ${result.code}`}`);
  },
});
