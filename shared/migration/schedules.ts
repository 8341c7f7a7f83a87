/**
 * Scheduled tasks on the target: each becomes one line of the target server's crontab that runs
 * the task inside the resource's container. A marker comment on the line lets the engine find,
 * replace and remove exactly Gantry's own entries.
 */
import { CronExpressionParser } from 'cron-parser';
import cronstrue from 'cronstrue';
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
/** Macros as the five fields they stand for (cron-parser reads some of them, the server's cron all). */
const macroFields: Record<string, string | null> = { '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *', '@reboot': null };
// What the servers' cron (Vixie/cronie) reads in a field: numbers, names, * / , -. Not the
// Quartz extensions (L W # ? H) a general parser accepts.
const cronField = /^[0-9*/,-]+$/;
const cronNames = /\b(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT)\b/gi;

/** Quotes `text` as one POSIX shell word. */
function shellWord(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Why `schedule` is not one cron can read, or null when it is (five fields in range, or a macro). */
export function scheduleProblem(schedule: string): string | null {
  const normalized = schedule.trim().replace(/\s+/g, ' ');
  if (macro.test(normalized)) return null;
  const fields = normalized.split(' ');
  if (fields.length !== 5) return `it has ${fields.length} field${fields.length === 1 ? '' : 's'}; cron needs five (minute hour day month weekday, e.g. "*/5 * * * *") or a macro such as @daily`;
  if (!fields.every((field) => cronField.test(field.replace(cronNames, '0')))) return 'a field holds characters cron does not read (use numbers, names such as MON or JAN, and * / , -)';
  try {
    CronExpressionParser.parse(normalized);
    return null;
  } catch (error) {
    return `${(error instanceof Error ? error.message : String(error)).replace(/^Constraint error, /, '')} (minute 0-59, hour 0-23, day 1-31, month 1-12, weekday 0-7)`;
  }
}

/** Checks a schedule (five cron fields or a macro); throws a `GantryError` naming the task when it is not one. */
export function validateSchedule(task: ScheduledTask, resourceName: string): string {
  const schedule = task.schedule.trim().replace(/\s+/g, ' ');
  const problem = scheduleProblem(schedule);
  if (!problem) return schedule;
  throw new GantryError('invalid_plan', `The scheduled task "${task.name}" of ${resourceName} has the schedule "${task.schedule}", which cron cannot read: ${problem}.`);
}

/** A readable schedule: in words, with its next run after `now` (null for @reboot or an unreadable one). */
export function describeSchedule(schedule: string, now: Date = new Date()): { words: string; next: Date | null } | null {
  const normalized = schedule.trim().replace(/\s+/g, ' ');
  if (scheduleProblem(normalized)) return null;
  const fields = macro.test(normalized) ? macroFields[normalized] : normalized;
  if (!fields) return { words: 'Once, each time the server starts', next: null };
  const words = cronstrue.toString(fields, { use24HourTimeFormat: true, throwExceptionOnParseError: false });
  // In this computer's time zone: the server's cron runs on the server's clock, which may differ.
  const next = CronExpressionParser.parse(fields, { currentDate: now, tz: Intl.DateTimeFormat().resolvedOptions().timeZone }).next().toDate();
  return { words, next };
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
