import { describeSchedule, scheduleProblem } from '@shared/migration/schedules';

/** A cron schedule read back to the operator: in words with its next run, or why cron cannot read it. */
export function ScheduleWords({ schedule, testId }: { schedule: string; testId?: string }) {
  if (!schedule.trim()) return null;
  const problem = scheduleProblem(schedule);
  if (problem) {
    return (
      <span className="schedule-words bad-text" data-testid={testId} data-valid="false">
        Cron cannot read this: {problem}.
      </span>
    );
  }
  const described = describeSchedule(schedule);
  return (
    <span className="schedule-words" data-testid={testId} data-valid="true">
      {described?.words}
      {described?.next ? ` · next run ${described.next.toLocaleString(undefined, { weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })} (this computer's time zone)` : ''}
    </span>
  );
}
