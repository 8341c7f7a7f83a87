import { useCallback } from 'react';
import type { MigrationPlan } from '@shared/migration/plan';
import type { RevealField } from '@shared/migration/reveal';
import { invoke } from '../../lib/api';
import { PrecheckList } from './PrecheckList';
import { SpecDiff } from './SpecDiff';
import type { RevealValue } from './SecretValue';
import { StructuredChanges } from './StructuredChanges';
import { badgeOfMode } from './wizard-model';

/** The note shown wherever spec values appear; `revealable` where a plan can show one value on demand. */
export function SecretsNote({ revealable = false }: { revealable?: boolean }) {
  return (
    <p className="muted secrets-note">
      Secret values (passwords, tokens, keys) are masked as ••••••
      {revealable ? '. “Reveal” shows one of them in the list of changes for 30 seconds; the side-by-side diff always stays masked.' : ' and are never shown here.'}
    </p>
  );
}

/** Reveals values of the plan `planId` through the engine, one at a time. */
function usePlanReveal(planId: string | undefined): ((resourceId: string, ...args: Parameters<RevealValue>) => ReturnType<RevealValue>) | undefined {
  const reveal = useCallback(
    async (resourceId: string, side: 'before' | 'after', field: RevealField) => {
      if (!planId) return { ok: false as const, message: 'This plan cannot reveal values.' };
      const result = await invoke('migrations:reveal', { planId, resourceId, side, field });
      return result.ok ? { ok: true as const, value: result.value.value } : { ok: false as const, message: result.error.message };
    },
    [planId],
  );
  return planId ? reveal : undefined;
}

/** The changes of a plan: per resource, the structured changes and the side-by-side spec diff. With `planId`, masked values can be revealed. */
export function PlanChanges({ plan, planId }: { plan: MigrationPlan; planId?: string }) {
  const reveal = usePlanReveal(planId);
  return (
    <div className="plan-changes">
      <SecretsNote revealable={planId !== undefined} />
      {plan.diff.resources.map((diff) => (
        <div key={diff.resourceId} className="plan-resource-diff">
          <StructuredChanges diff={diff} reveal={reveal ? (side, field) => reveal(diff.resourceId, side, field) : undefined} />
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
export function PlanReview({ plan, planId }: { plan: MigrationPlan; planId?: string }) {
  return (
    <div className="plan-review" data-testid="dry-run">
      <p>
        Dry run of moving {plan.resources.length} resource{plan.resources.length === 1 ? '' : 's'} from <strong>{plan.source.name}</strong> to <strong>{plan.target.name}</strong> on {plan.server.name}. Nothing has been applied.
      </p>
      <h3>Resources</h3>
      <ul className="plain-list">
        {plan.resources.map((resource) => (
          <li key={resource.resourceId}>
            <span className={`badge badge-${badgeOfMode(resource.mode, resource.unchanged).toLowerCase()}`}>{badgeOfMode(resource.mode, resource.unchanged)}</span> {resource.name} → <code>{resource.target.containerName}</code>
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
      <PlanChanges plan={plan} planId={planId} />
    </div>
  );
}
