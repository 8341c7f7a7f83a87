/**
 * Scheduled tasks on the target: each becomes one line of the target server's crontab that runs
 * the task inside the resource's container. A marker comment on the line lets the engine find,
 * replace and remove exactly Gantry's own entries.
 */
import { GantryError } from '../ipc/result';
import type { ScheduledTask } from './plan-input';

/** One crontab line Gantry installs on the target server. */
export interface CronEntry {
  taskName: string;
  schedule: string;
  /** The command as the task defines it (after rewiring), run inside the container. */
  command: string;
  /** The complete crontab line, marker included. */
  line: string;
  /** `# gantry:<resourceId>:<task name>`: identifies the line on the server. */
  marker: string;
}

const macro = /^@(yearly|annually|monthly|weekly|daily|midnight|hourly|reboot)$/;
const cronField = /^[0-9A-Za-z*/,?-]+$/;

/** Quotes `text` as one POSIX shell word. */
function shellWord(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Checks a schedule (five cron fields or a macro); throws a `GantryError` naming the task when it is not one. */
export function validateSchedule(task: ScheduledTask, resourceName: string): string {
  const schedule = task.schedule.trim().replace(/\s+/g, ' ');
  const fields = schedule.split(' ');
  if (macro.test(schedule) || (fields.length === 5 && fields.every((field) => cronField.test(field)))) return schedule;
  throw new GantryError(
    'invalid_plan',
    `The scheduled task "${task.name}" of ${resourceName} has the schedule "${task.schedule}", which cron cannot read: use five fields (minute hour day month weekday, e.g. "*/5 * * * *") or a macro such as @daily.`,
  );
}

/**
 * The crontab line running `task` inside `containerName`. `%` is escaped because cron turns a
 * bare `%` into a newline; the marker keeps newlines and `#` out of the task name.
 */
export function cronEntryFor(task: ScheduledTask, options: { resourceId: string; resourceName: string; containerName: string }): CronEntry {
  const schedule = validateSchedule(task, options.resourceName);
  if (/[\r\n]/.test(task.command)) {
    throw new GantryError('invalid_plan', `The scheduled task "${task.name}" of ${options.resourceName} spans several lines, which one crontab line cannot hold: put the commands in a script inside the image, or join them with "&&".`);
  }
  const marker = `# gantry:${options.resourceId}:${task.name.replace(/[\r\n#]+/g, ' ')}`;
  const run = `docker exec ${shellWord(options.containerName)} sh -c ${shellWord(task.command)}`.replace(/%/g, '\\%');
  return { taskName: task.name, schedule, command: task.command, line: `${schedule} ${run} ${marker}`, marker };
}
