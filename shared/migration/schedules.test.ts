import { describe, expect, it } from 'vitest';
import { cronEntryFor, describeSchedule, scheduleProblem } from './schedules';

const where = { resourceId: 'web', resourceName: 'web', containerName: 'uat-web' };

describe('scheduled tasks as cron entries', () => {
  it('runs the task inside the container, quoted so the shell sees one command', () => {
    expect(cronEntryFor({ name: 'report', schedule: '0  3 * * 1', command: "echo 'done' >> /tmp/log" }, where).line).toBe(
      "0 3 * * 1 docker exec 'uat-web' sh -c 'echo '\\''done'\\'' >> /tmp/log' # gantry:web:report",
    );
    expect(cronEntryFor({ name: 'nightly', schedule: '@daily', command: 'date +%F' }, where).line).toBe("@daily docker exec 'uat-web' sh -c 'date +\\%F' # gantry:web:nightly");
  });

  it('refuses a schedule cron cannot read, naming the task and the resource', () => {
    expect(() => cronEntryFor({ name: 'report', schedule: 'every 5 minutes', command: 'true' }, where)).toThrow(
      'The scheduled task "report" of web has the schedule "every 5 minutes", which cron cannot read: it has 3 fields; cron needs five (minute hour day month weekday, e.g. "*/5 * * * *") or a macro such as @daily.',
    );
  });

  it('refuses values out of range and extensions the servers\' cron does not read, and accepts what it does', () => {
    expect(scheduleProblem('99 99 99 99 99')).toMatch(/got value 99 expected range 0-59/);
    expect(scheduleProblem('0 24 * * *')).toMatch(/0-23/);
    expect(scheduleProblem('0 3 L * *')).toMatch(/characters cron does not read/);
    expect(scheduleProblem('0 3 ? * MON')).toMatch(/characters cron does not read/);
    for (const good of ['*/5 * * * *', '0 3 * * MON-FRI', '15 2 1,15 JAN-JUN 0', '@daily', '@midnight', '@reboot']) expect(scheduleProblem(good)).toBeNull();
  });

  it('says a schedule in words, with its next run', () => {
    const now = new Date(2026, 11, 1, 22, 40);
    expect(describeSchedule('0 3 * * *', now)).toEqual({ words: 'At 03:00', next: new Date(2026, 11, 2, 3, 0) });
    expect(describeSchedule('*/5 * * * *', now)?.words).toBe('Every 5 minutes');
    expect(describeSchedule('@midnight', now)?.next).toEqual(new Date(2026, 11, 2, 0, 0));
    expect(describeSchedule('@reboot', now)).toEqual({ words: 'Once, each time the server starts', next: null });
    expect(describeSchedule('99 * * * *', now)).toBeNull();
  });

  it('refuses a multi-line command, which one crontab line cannot hold', () => {
    expect(() => cronEntryFor({ name: 'two', schedule: '@hourly', command: 'a\nb' }, where)).toThrow(/spans several lines/);
  });
});
