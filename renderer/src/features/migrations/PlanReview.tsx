import type { MigrationPlan } from '@shared/migration/plan';
import { PrecheckList } from './PrecheckList';
import { SpecDiff } from './SpecDiff';
import { StructuredChanges } from './StructuredChanges';
import { badgeOfMode } from './wizard-model';

/** The note shown wherever spec values appear: the engine offers no way to reveal a secret, so none is offered here. */
export function SecretsNote() {
  return <p className="muted secrets-note">Secret values (passwords, tokens, keys) are masked as •••• — secret values are never shown.</p>;
}

/** The changes of a plan: per resource, the structured changes and the side-by-side spec diff. */
export function PlanChanges({ plan }: { plan: MigrationPlan }) {
  return (
    <div className="plan-changes">
      <SecretsNote />
      {plan.diff.resources.map((diff) => (
        <div key={diff.resourceId} className="plan-resource-diff">
          <StructuredChanges diff={diff} />
          <details open>
            <summary>Normalized spec, side by side</summary>
            <SpecDiff unified={diff.unified} label={`Spec diff of ${diff.name}`} />
          </details>
        </div>
      ))}
    </div>
  );
}

/** The whole plan of a dry run: what moves, the steps in order, the pre-checks and every change. Applies nothing. */
export function PlanReview({ plan }: { plan: MigrationPlan }) {
  return (
    <div className="plan-review" data-testid="dry-run">
      <p>
        Dry run of moving {plan.resources.length} resource{plan.resources.length === 1 ? '' : 's'} from <strong>{plan.source.name}</strong> to <strong>{plan.target.name}</strong> on {plan.server.name}. Nothing has been applied.
      </p>
      <h3>Resources</h3>
      <ul className="plain-list">
        {plan.resources.map((resource) => (
          <li key={resource.resourceId}>
            <span className={`badge badge-${badgeOfMode(resource.mode).toLowerCase()}`}>{badgeOfMode(resource.mode)}</span> {resource.name} → <code>{resource.target.containerName}</code>
            {resource.addedAsDependency ? <span className="muted"> (added: a selected resource depends on it)</span> : null}
          </li>
        ))}
      </ul>
      <h3>Steps</h3>
      <ol className="plan-steps">
        {plan.steps.map((step) => (
          <li key={step.id}>
            {step.title}
            {step.undo ? <span className="muted"> — undo: {step.undo}</span> : null}
          </li>
        ))}
      </ol>
      <h3>Pre-checks</h3>
      <PrecheckList prechecks={plan.prechecks} />
      <h3>Changes</h3>
      <PlanChanges plan={plan} />
    </div>
  );
}
