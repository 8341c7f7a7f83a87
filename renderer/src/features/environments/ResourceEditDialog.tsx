import { useState } from 'react';
import { databaseType, type DatabaseType } from '@shared/spec/resource-spec';
import type { InventoryGraph } from '@shared/inventory/model';
import { validateSchedule } from '@shared/migration/schedules';
import { ScheduleWords } from './ScheduleWords';
import { Dialog, DialogFooter } from '../../components/Dialog';
import { invoke } from '../../lib/api';
import { useEnvironments } from './store';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useDialogs } from '../shell/dialogs';

interface TaskDraft {
  key: number;
  name: string;
  schedule: string;
  command: string;
}

/**
 * Edits what a resource carries besides its container: tags, the resources it uses (links, which
 * order and rewire migrations) and its scheduled tasks (cron entries on each target server).
 * The engine checks everything (no link cycles, schedules cron reads) and writes all or nothing.
 */
export function ResourceEditDialog({ graph, resourceId, environmentId }: { graph: InventoryGraph; resourceId: string; environmentId: string }) {
  const open = useDialogs((state) => state.open);
  const change = useEnvironments((state) => state.change);
  const resource = graph.resources.find((item) => item.id === resourceId);
  const [tags, setTags] = useState(() => resource?.tags.join(', ') ?? '');
  const [engine, setEngine] = useState<DatabaseType | null>(() => resource?.databaseType ?? null);
  const [links, setLinks] = useState(() => new Set(resource?.links ?? []));
  const [tasks, setTasks] = useState<TaskDraft[]>(() => (resource?.scheduledTasks ?? []).map((task, key) => ({ key, name: task.name, schedule: task.schedule, command: task.command })));
  const [nextKey, setNextKey] = useState(() => (resource?.scheduledTasks.length ?? 0) + 1);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!resource) return null;
  const others = graph.resources.filter((item) => item.id !== resourceId);
  const backToDetail = () => open({ kind: 'detail', resourceId, environmentId });

  const updateTask = (key: number, patch: Partial<TaskDraft>) => setTasks((current) => current.map((task) => (task.key === key ? { ...task, ...patch } : task)));
  const toggleLink = (id: string, on: boolean) =>
    setLinks((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  async function save() {
    if (!resource) return;
    const scheduledTasks = tasks.map((task) => ({ name: task.name.trim(), schedule: task.schedule.trim(), command: task.command.trim(), enabled: true }));
    // The same check the engine makes, so the operator reads which task is wrong and why.
    const unnamed = scheduledTasks.findIndex((task) => !task.name || !task.command);
    if (unnamed >= 0) return setError(`Task ${unnamed + 1} needs a name and a command.`);
    try {
      for (const task of scheduledTasks) validateSchedule(task, resource.name);
    } catch (problem) {
      return setError((problem as Error).message);
    }
    setBusy(true);
    setError(null);
    const failure = await change(() => invoke('resources:update', { resourceId, tags: tags.split(',').map((tag) => tag.trim()).filter(Boolean), links: [...links], scheduledTasks, ...(engine ? { databaseType: engine } : {}) }));
    setBusy(false);
    if (failure) return setError(failure);
    backToDetail();
  }

  return (
    <Dialog open onClose={backToDetail} wide title={`Edit ${resource.name}`} description="Tags, the resources it uses, its scheduled tasks (migrations carry all three to the next environment) and, for a database, its engine.">
      <form
        className="resource-edit"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <div className="form-grid">
          <label htmlFor="edit-tags">Tags</label>
          <input id="edit-tags" value={tags} onChange={(event) => setTags(event.target.value)} placeholder="frontend, critical" />
          {engine ? (
            <>
              <label htmlFor="edit-database">Database engine</label>
              <select id="edit-database" value={engine} onChange={(event) => setEngine(event.target.value as DatabaseType)}>
                {databaseType.options.map((option) => (
                  <option key={option}>{option}</option>
                ))}
              </select>
              <span className="field-hint">What data copies, backups and the readiness check speak to it as; choose it when the image does not say (e.g. MySQL variables on a MariaDB image).</span>
            </>
          ) : null}
        </div>
        <fieldset>
          <legend>Uses</legend>
          {others.length === 0 ? <p className="muted">No other resource in this project to link to yet.</p> : null}
          {others.map((other) => (
            <label key={other.id} className="inline-check">
              <input type="checkbox" checked={links.has(other.id)} onChange={(event) => toggleLink(other.id, event.target.checked)} />
              {other.name} <span className="muted">({other.kind})</span>
            </label>
          ))}
          <p className="field-hint">A migration moves what a resource uses first, and rewires references to it (e.g. in DATABASE_URL).</p>
        </fieldset>
        <fieldset>
          <legend>Scheduled tasks</legend>
          {tasks.length === 0 ? <p className="muted">No scheduled tasks.</p> : null}
          {tasks.map((task, index) => (
            <div key={task.key} className="task-row" data-testid="task-row">
              <input aria-label={`Name of task ${index + 1}`} value={task.name} onChange={(event) => updateTask(task.key, { name: event.target.value })} placeholder="cleanup" required />
              <input aria-label={`Schedule of task ${index + 1}`} value={task.schedule} onChange={(event) => updateTask(task.key, { schedule: event.target.value })} placeholder="*/5 * * * *" required />
              <input aria-label={`Command of task ${index + 1}`} className="grow" value={task.command} onChange={(event) => updateTask(task.key, { command: event.target.value })} placeholder="command run inside the container" required />
              <button type="button" className="secondary small" aria-label={`Remove task ${index + 1}`} onClick={() => setTasks((current) => current.filter((each) => each.key !== task.key))}>
                Remove
              </button>
              <ScheduleWords schedule={task.schedule} testId="schedule-words" />
            </div>
          ))}
          <button
            type="button"
            className="secondary small"
            onClick={() => {
              setTasks((current) => [...current, { key: nextKey, name: '', schedule: '', command: '' }]);
              setNextKey(nextKey + 1);
            }}
          >
            Add a task
          </button>
          <p className="field-hint">Five cron fields (minute hour day month weekday) or a macro such as @daily. Each runs inside the resource&apos;s container on its server.</p>
        </fieldset>
        <button type="submit" hidden />
      </form>
      <DialogFooter status={<ErrorBanner message={error} inline />}>
        <button type="button" className="secondary" onClick={backToDetail}>
          Cancel
        </button>
        <button type="button" onClick={() => void save()} disabled={busy}>
          Save
        </button>
      </DialogFooter>
    </Dialog>
  );
}
