import { describe, expect, it } from 'vitest';
import { cronEntryFor } from './schedules';

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
      'The scheduled task "report" of web has the schedule "every 5 minutes", which cron cannot read: use five fields (minute hour day month weekday, e.g. "*/5 * * * *") or a macro such as @daily.',
    );
  });

  it('refuses a multi-line command, which one crontab line cannot hold', () => {
    expect(() => cronEntryFor({ name: 'two', schedule: '@hourly', command: 'a\nb' }, where)).toThrow(/spans several lines/);
  });
});
