import { useEffect, useState } from 'react';
import { formatBytes } from '@shared/format-bytes';
import type { CopyEstimate } from '@shared/migration/data-copy';
import type { MigrationPlan } from '@shared/migration/plan';
import { invoke } from '../../lib/api';


type Estimate = { state: 'loading' } | { state: 'failed'; message: string } | { state: 'loaded'; value: CopyEstimate };

/**
 * "Copy test data" in the wizard's options: one checkbox per database of the plan, each ticked
 * one with its estimated size and what it replaces. Never rendered when the target is production
 * (the engine refuses such a copy too).
 */
export function CopyDataFields({ plan, planId, selected, onChange }: { plan: MigrationPlan; planId: string; selected: string[]; onChange: (resourceIds: string[]) => void }) {
  const databases = plan.resources.filter((resource) => resource.kind === 'database');
  if (plan.target.production || databases.length === 0) return null;
  return (
    <fieldset className="copy-data-fields" data-testid="copy-data-fields">
      <legend>Copy test data</legend>
      {databases.map((resource) => {
        const id = `wizard-copy-${resource.resourceId}`;
        const ticked = selected.includes(resource.resourceId);
        return (
          <div key={resource.resourceId} className="copy-data-row">
            <label className="inline-check" htmlFor={id}>
              <input id={id} type="checkbox" checked={ticked} onChange={(event) => onChange(event.target.checked ? [...selected, resource.resourceId] : selected.filter((each) => each !== resource.resourceId))} />
              Copy {plan.source.name}&apos;s data into {plan.target.name}&apos;s {resource.name}
            </label>
            {/* An estimate belongs to one plan: a new plan asks again. */}
            {ticked ? <EstimateLine key={planId} planId={planId} resourceId={resource.resourceId} /> : null}
          </div>
        );
      })}
    </fieldset>
  );
}

/** The estimated size and the destructive warning of one ticked database. */
function EstimateLine({ planId, resourceId }: { planId: string; resourceId: string }) {
  const [estimate, setEstimate] = useState<Estimate>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    void invoke('data:estimate', { planId, resourceId }).then((result) => {
      if (live) setEstimate(result.ok ? { state: 'loaded', value: result.value } : { state: 'failed', message: result.error.message });
    });
    return () => {
      live = false;
    };
  }, [planId, resourceId]);
  if (estimate.state === 'loading') return <span className="field-hint">Estimating the size…</span>;
  if (estimate.state === 'failed') {
    return (
      <span className="field-hint error-text" role="alert">
        {estimate.message}
      </span>
    );
  }
  return (
    <span className="field-hint warning-text" data-testid="copy-data-warning">
      {estimate.value.engineLabel}, about {formatBytes(estimate.value.estimateBytes)}. <strong>{estimate.value.confirmation}</strong>; it is saved on that server first and put back if the copy fails or is cancelled.
    </span>
  );
}
