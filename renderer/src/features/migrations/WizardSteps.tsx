import type { EnvironmentView, ProjectSummary } from '@shared/inventory/model';
import type { MigrationPlan } from '@shared/migration/plan';
import type { Precheck } from '@shared/migration/prechecks';
import { formatTime } from './migration-format';
import { PlanChanges } from './PlanReview';
import { PrecheckList } from './PrecheckList';
import { badgeOfMode, type MovableResource } from './wizard-model';

/** Step 1 when opened from the Migrations page: which project and which environment to migrate from. */
export function SourceStep({ projects, projectId, environments, sourceId, onProject, onSource }: { projects: ProjectSummary[] | null; projectId: string | null; environments: EnvironmentView[]; sourceId: string | null; onProject: (id: string) => void; onSource: (id: string) => void }) {
  if (projects && projects.length === 0) {
    return <p className="muted">There are no projects yet. Create one in Environments (a chain such as dev → uat → production bound to your servers), adopt its containers, then come back here.</p>;
  }
  const sources = environments.slice(0, -1);
  return (
    <div className="form-grid">
      <label htmlFor="wizard-project">Project</label>
      <select id="wizard-project" autoFocus value={projectId ?? ''} onChange={(event) => onProject(event.target.value)}>
        <option value="" disabled>
          {projects ? 'Choose a project' : 'Loading…'}
        </option>
        {(projects ?? []).map((project) => (
          <option key={project.id} value={project.id}>
            {project.name}
          </option>
        ))}
      </select>
      <label htmlFor="wizard-source">Migrate from</label>
      <select id="wizard-source" value={sourceId ?? ''} disabled={!projectId} onChange={(event) => onSource(event.target.value)}>
        <option value="" disabled>
          {projectId && environments.length < 2 ? 'This project needs at least two environments' : 'Choose an environment'}
        </option>
        {sources.map((environment) => (
          <option key={environment.id} value={environment.id}>
            {environment.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The target (only the next environment of the chain is offered) and the resources to move, each marked New or Update. */
export function ResourcesStep(props: {
  sourceName: string | null;
  target: EnvironmentView | null;
  loading: boolean;
  movable: MovableResource[];
  selected: string[];
  onToggle: (resourceId: string) => void;
  includeMissingDependencies: boolean;
  onIncludeMissing: (value: boolean) => void;
}) {
  if (props.loading) return <p className="muted">Loading the environments…</p>;
  if (!props.target) return <p className="muted">{props.sourceName ?? 'This environment'} is the last environment of its chain; there is nowhere to migrate to. Roll back from History instead.</p>;
  return (
    <div className="resources-step">
      <p>
        Target: <strong data-testid="wizard-target">{props.target.name}</strong>
        {props.target.production ? <span className="badge badge-production">production</span> : null}
        <span className="muted"> — the next environment after {props.sourceName}; a migration never skips one. {props.target.serverName ? `Server: ${props.target.serverName}.` : 'Not bound to a server yet.'}</span>
      </p>
      {props.movable.length === 0 ? (
        <p className="muted">Nothing runs in {props.sourceName} yet. Adopt its containers in Environments (or run discovery), then migrate them.</p>
      ) : (
        <fieldset className="resource-choices">
          <legend>Resources to move</legend>
          {props.movable.map((resource, index) => (
            <label key={resource.resourceId} className="resource-choice">
              <input type="checkbox" autoFocus={index === 0} checked={props.selected.includes(resource.resourceId)} onChange={() => props.onToggle(resource.resourceId)} />
              <span className="wizard-resource-name">{resource.name}</span>
              <span className="muted">{resource.kind}</span>
              <span className={`badge badge-${resource.badge.toLowerCase()}`} title={resource.badge === 'New' ? `Cloned: ${props.target!.name} has no instance yet` : `Promoted: replaces the instance in ${props.target!.name}, keeping its env vars and domain`}>
                {resource.badge}
              </span>
            </label>
          ))}
        </fieldset>
      )}
      <label className="inline-check">
        <input type="checkbox" checked={props.includeMissingDependencies} onChange={(event) => props.onIncludeMissing(event.target.checked)} />
        Also clone what these resources depend on when {props.target.name} lacks it
      </label>
    </div>
  );
}

/** The pre-check results of the plan: blocking ones stop the wizard and say what to do. */
export function PrechecksStep({ plan, planning, onReplan, onUsePort }: { plan: MigrationPlan | null; planning: boolean; onReplan: () => void; onUsePort: (check: Precheck) => void }) {
  if (planning || !plan) return <p className="muted" data-testid="planning">{planning ? 'Checking the target server and planning…' : 'No plan yet.'}</p>;
  return (
    <div>
      <div className="row">
        <p className="grow">
          {plan.resources.map((resource) => (
            <span key={resource.resourceId} className="plan-resource">
              {resource.name} <span className={`badge badge-${badgeOfMode(resource.mode, resource.unchanged).toLowerCase()}`}>{badgeOfMode(resource.mode, resource.unchanged)}</span>
            </span>
          ))}
        </p>
        <button type="button" className="secondary" onClick={onReplan}>
          Check again
        </button>
      </div>
      <PrecheckList prechecks={plan.prechecks} onUsePort={onUsePort} />
    </div>
  );
}

/** What changes, colour-coded, with the normalized specs side by side. */
export function ReviewStep({ plan, planId }: { plan: MigrationPlan; planId: string }) {
  return <PlanChanges plan={plan} planId={planId} />;
}

/** How the engine waits for the new containers. */
export function OptionsStep({
  waitForReady,
  onWaitForReady,
  healthTimeoutSec,
  onHealthTimeout,
  httpCheckPath,
  onHttpCheckPath,
  batch,
}: {
  waitForReady: boolean;
  onWaitForReady: (value: boolean) => void;
  healthTimeoutSec: number;
  onHealthTimeout: (value: number) => void;
  httpCheckPath: string;
  onHttpCheckPath: (value: string) => void;
  /** For a plan of several resources (a batch): whether one failure undoes them all. */
  batch?: { allOrNothing: boolean; onAllOrNothing: (value: boolean) => void } | null;
}) {
  return (
    <div className="form-grid">
      <label htmlFor="wizard-wait">Wait for ready</label>
      <label className="inline-check">
        <input id="wizard-wait" type="checkbox" autoFocus checked={waitForReady} onChange={(event) => onWaitForReady(event.target.checked)} />
        Call a resource done only once its container runs and its health check passes
      </label>
      <label htmlFor="wizard-timeout">Health timeout (s)</label>
      <input id="wizard-timeout" type="number" min={5} max={3600} step={1} value={Number.isNaN(healthTimeoutSec) ? '' : healthTimeoutSec} onChange={(event) => onHealthTimeout(event.target.valueAsNumber)} />
      <span className="field-hint">5–3600 seconds per resource. Past it, the migration completes with a warning: the new container keeps running, and you can roll back.</span>
      <label htmlFor="wizard-http">HTTP check path</label>
      <input id="wizard-http" value={httpCheckPath} onChange={(event) => onHttpCheckPath(event.target.value.trim())} placeholder="/health (optional)" />
      <span className="field-hint">For a resource without a Docker health check that publishes a port: Gantry asks http://127.0.0.1:&lt;port&gt;&lt;path&gt; on the server until it answers.</span>
      {batch ? (
        <>
          <label htmlFor="wizard-all-or-nothing">All or nothing</label>
          <label className="inline-check">
            <input id="wizard-all-or-nothing" type="checkbox" checked={batch.allOrNothing} onChange={(event) => batch.onAllOrNothing(event.target.checked)} />
            If any resource fails, undo every resource of this migration
          </label>
          <span className="field-hint">Resources run in parallel by dependency level. Without this, a failed resource and what depends on it are undone and the others complete.</span>
        </>
      ) : null}
    </div>
  );
}

/** The last look before anything is applied; into production the operator types the environment's name. */
export function ConfirmStep({
  plan,
  waitForReady,
  healthTimeoutSec,
  httpCheckPath,
  expiresAt,
  typedName,
  onTypedName,
}: {
  plan: MigrationPlan;
  waitForReady: boolean;
  healthTimeoutSec: number;
  httpCheckPath: string;
  expiresAt: number;
  typedName: string;
  onTypedName: (value: string) => void;
}) {
  const warnings = plan.prechecks.filter((check) => check.severity === 'warning').length;
  return (
    <div className="confirm-step">
      {plan.target.production ? (
        <div className="banner warning production-confirm" data-testid="production-confirm">
          <p>
            <strong>This changes production: {plan.target.name}</strong> on {plan.server.name}. Its users see the new version as soon as each resource is replaced.
          </p>
          <label htmlFor="wizard-confirm-name">
            Type <strong>{plan.target.name}</strong> to confirm
          </label>
          <input id="wizard-confirm-name" autoFocus autoComplete="off" spellCheck={false} value={typedName} onChange={(event) => onTypedName(event.target.value)} />
        </div>
      ) : null}
      <p>
        Gantry will move {plan.resources.map((resource) => `${resource.name} (${badgeOfMode(resource.mode) === 'New' ? 'new' : 'update'})`).join(', ')} from <strong>{plan.source.name}</strong> to <strong>{plan.target.name}</strong> on {plan.server.name}, in {plan.steps.length} steps.
      </p>
      <ul className="plain-list">
        <li>{waitForReady ? `Waits up to ${healthTimeoutSec} s per resource for it to be ready${httpCheckPath ? ` (HTTP check ${httpCheckPath} where there is no Docker health check)` : ''}.` : 'Does not wait for health checks.'}</li>
        <li>If a step fails or you cancel, the steps that ran are undone. A completed migration can be rolled back.</li>
        {warnings > 0 ? <li className="warn-text">{warnings} pre-check warning{warnings > 1 ? 's' : ''}: read them before you start.</li> : null}
        <li className="muted">This plan is valid until {formatTime(expiresAt)}.</li>
      </ul>
      <p className="muted">{plan.target.production ? `Type ${plan.target.name}, then press Enter or “Start migration”.` : 'Press Enter or “Start migration” to begin.'}</p>
    </div>
  );
}
