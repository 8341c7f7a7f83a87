import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { batchLayout } from '@shared/migration/batch-levels';
import type { Precheck } from '@shared/migration/prechecks';
import type { RequestOf, ResponseOf } from '@shared/ipc/contract';
import type { RunDefaults } from '@shared/settings/settings-view';
import { Dialog, DialogFooter } from '../../components/Dialog';
import { invoke } from '../../lib/api';
import { useDialogs, type MigrateWizardStart } from '../shell/dialogs';
import { useMigrations } from './store';
import { useWizardData } from './use-wizard-data';
import { canContinue, movableResources, nextEnvironment, stepsFor, wizardStepTitles } from './wizard-model';
import { OptionsStep, PrechecksStep, ResourcesStep, ReviewStep, SourceStep, ConfirmStep } from './WizardSteps';
import { PlanReview } from './PlanReview';
import { CopyDataFields } from './CopyDataFields';
import { DomainFields, domainsToPlan } from './DomainFields';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useProtectedTarget } from '../approvals/use-protected-target';
import { useNavigation } from '../shell/navigation';

type PlanView = ResponseOf<'migrations:plan'>;

/**
 * The migrate wizard: source (when not given), target and resources, pre-checks, review, options,
 * confirm. Enter moves on (and starts, on Confirm), Alt+Left goes back, Escape closes (asking first once past the
 * first step); into production Confirm asks for the environment's name. A blocking pre-check stops it and says why. "Dry run"
 * shows the whole plan without applying anything.
 */
export function MigrateWizard({ start, defaults }: { start: MigrateWizardStart; defaults: RunDefaults }) {
  const close = useDialogs((state) => state.close);
  const openMigration = useMigrations((state) => state.openMigration);
  const sourcePreset = Boolean(start.projectId && start.sourceEnvironmentId);
  const steps = stepsFor(sourcePreset);

  const [projectId, setProjectId] = useState<string | null>(start.projectId ?? null);
  const [sourceId, setSourceId] = useState<string | null>(start.sourceEnvironmentId ?? null);
  const { projects, graph, error: dataError } = useWizardData(projectId);
  const [selected, setSelected] = useState<string[]>(start.resourceIds ?? []);
  const [includeMissingDependencies, setIncludeMissing] = useState(false);
  const [portOverrides, setPortOverrides] = useState<Record<string, Record<string, number>>>({});
  const [domains, setDomains] = useState<Record<string, string>>({});
  const [planView, setPlanView] = useState<PlanView | null>(null);
  const [planning, setPlanning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [waitForReady, setWaitForReady] = useState(true);
  const [allOrNothing, setAllOrNothing] = useState(false);
  const [healthTimeoutSec, setHealthTimeout] = useState(defaults.healthTimeoutSec);
  const [httpCheckPath, setHttpCheckPath] = useState(defaults.httpCheckPath ?? '');
  const [copyData, setCopyData] = useState<string[]>([]);
  const [stepIndex, setStepIndex] = useState(0);
  const [dryRun, setDryRun] = useState(false);
  const [starting, setStarting] = useState(false);
  const [typedName, setTypedName] = useState('');
  const [askingToClose, setAskingToClose] = useState(false);
  const bodyRef = useRef<HTMLDivElement>(null);

  const step = steps[stepIndex]!;
  const environments = useMemo(() => (graph ? [...graph.environments].sort((a, b) => a.position - b.position) : []), [graph]);
  const target = sourceId ? nextEnvironment(environments, sourceId) : null;
  const movable = useMemo(() => (graph && sourceId && target ? movableResources(graph.resources, graph.cells, sourceId, target.id) : []), [graph, sourceId, target]);
  const chosen = selected.filter((id) => movable.some((resource) => resource.resourceId === id));
  const plan = planView?.plan ?? null;
  const protectedTarget = useProtectedTarget(plan);
  const goTo = useNavigation((state) => state.go);
  const gate = canContinue(step, { projectId, sourceId, targetId: target?.id ?? null, selected: chosen, plan, planning, healthTimeoutSec, httpCheckPath, typedName });

  /** Any change to what is planned throws the old plan away: the engine runs exactly the plan shown. */
  function invalidate() {
    setPlanView(null);
    setDryRun(false);
    setTypedName('');
  }

  // After each step change focus goes to the new step (its own field when it has one, else its
  // body), never stays on Continue: a second Enter must not skip the step just shown.
  useEffect(() => {
    const body = bodyRef.current;
    if (!body || askingToClose) return;
    // A field with autoFocus has taken focus while mounting; leave it there.
    if (!body.contains(document.activeElement)) body.focus();
  }, [stepIndex, dryRun, askingToClose]);

  /** Escape or a click outside: closes at the first step, asks first once the operator has gone further. */
  function beforeDismiss(): boolean {
    if (stepIndex === 0 && !dryRun) return true;
    setAskingToClose(true);
    return false;
  }

  async function makePlan(overrides = portOverrides): Promise<PlanView | null> {
    if (!projectId || !sourceId || !target) return null;
    setPlanning(true);
    setError(null);
    const request: RequestOf<'migrations:plan'> = { projectId, sourceEnvId: sourceId, targetEnvId: target.id, resourceIds: chosen, includeMissingDependencies, portOverrides: overrides, domains: domainsToPlan(domains, chosen) };
    const result = await invoke('migrations:plan', request);
    setPlanning(false);
    if (!result.ok) {
      setError(result.error.message);
      return null;
    }
    setPlanView(result.value);
    return result.value;
  }

  async function next() {
    if (!gate.ok || starting) return;
    if (step === 'confirm') return void startMigration();
    const following = steps[stepIndex + 1]!;
    if (following === 'prechecks' && !plan) {
      setStepIndex(stepIndex + 1);
      await makePlan();
      return;
    }
    setStepIndex(stepIndex + 1);
  }

  async function showDryRun() {
    if (!plan && !(await makePlan())) return;
    setDryRun(true);
  }

  async function applyPortSuggestion(check: Precheck) {
    if (!check.suggestion || !check.resourceId) return;
    const overrides = { ...portOverrides, [check.resourceId]: { ...portOverrides[check.resourceId], [check.suggestion.portKey]: check.suggestion.hostPort } };
    setPortOverrides(overrides);
    invalidate();
    await makePlan(overrides);
  }

  async function startMigration() {
    if (!planView) return;
    setStarting(true);
    setError(null);
    if (protectedTarget) return requestApproval(planView.planId);
    const copies = plan?.target.production ? [] : copyData.filter((id) => plan?.resources.some((resource) => resource.resourceId === id && resource.kind === 'database'));
    const result = await invoke('migrations:start', { planId: planView.planId, options: { waitForReady, healthTimeoutSec, httpCheckPath: httpCheckPath || null, ...(copies.length ? { copyData: copies } : {}), ...(allOrNothing ? { allOrNothing } : {}) } });
    setStarting(false);
    if (!result.ok) {
      setError(`${result.error.message}${result.error.code === 'plan_expired' || result.error.code === 'not_found' ? ' Go back to the pre-checks to plan again.' : ''}`);
      return;
    }
    close();
    openMigration(result.value.migrationId);
  }

  /** A protected target is not started: the plan goes to the target server as a signed request for approval. */
  async function requestApproval(planId: string) {
    const result = await invoke('approvals:request', { planId, options: { waitForReady, healthTimeoutSec, httpCheckPath: httpCheckPath || null, ...(allOrNothing ? { allOrNothing } : {}) } });
    setStarting(false);
    if (!result.ok) return setError(result.error.message);
    close();
    goTo('approvals');
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (askingToClose) return;
    if (event.altKey && event.key === 'ArrowLeft' && stepIndex > 0 && !dryRun) {
      event.preventDefault();
      setStepIndex(stepIndex - 1);
      return;
    }
    const element = event.target as HTMLElement;
    if (event.key !== 'Enter' || event.shiftKey || event.repeat || ['BUTTON', 'TEXTAREA', 'SELECT', 'A', 'SUMMARY'].includes(element.tagName)) return;
    event.preventDefault();
    if (dryRun) return;
    void next();
  }

  const body = dryRun && plan ? <PlanReview plan={plan} planId={planView?.planId} /> : renderStep();

  function renderStep() {
    switch (step) {
      case 'source':
        return <SourceStep projects={projects} projectId={projectId} environments={environments} sourceId={sourceId} onProject={(id) => (setProjectId(id), setSourceId(null), setSelected([]), invalidate())} onSource={(id) => (setSourceId(id), setSelected([]), invalidate())} />;
      case 'resources':
        return (
          <>
            <ResourcesStep
              sourceName={environments.find((environment) => environment.id === sourceId)?.name ?? null}
              target={target}
              loading={!graph}
              movable={movable}
              selected={chosen}
              onToggle={(id) => (setSelected(chosen.includes(id) ? chosen.filter((each) => each !== id) : [...chosen, id]), invalidate())}
              includeMissingDependencies={includeMissingDependencies}
              onIncludeMissing={(value) => (setIncludeMissing(value), invalidate())}
            />
            {target ? <DomainFields target={target} resources={movable.filter((resource) => chosen.includes(resource.resourceId))} domains={domains} onChange={(id, domain) => (setDomains({ ...domains, [id]: domain }), invalidate())} /> : null}
          </>
        );
      case 'prechecks':
        return <PrechecksStep plan={plan} planning={planning} onReplan={() => void makePlan()} onUsePort={(check) => void applyPortSuggestion(check)} />;
      case 'review':
        return plan && planView ? <ReviewStep plan={plan} planId={planView.planId} /> : null;
      case 'options':
        return (
          <>
            <OptionsStep waitForReady={waitForReady} onWaitForReady={setWaitForReady} healthTimeoutSec={healthTimeoutSec} onHealthTimeout={setHealthTimeout} httpCheckPath={httpCheckPath} onHttpCheckPath={setHttpCheckPath} batch={plan && batchLayout(plan.steps, plan.resources).branches.length > 1 ? { allOrNothing, onAllOrNothing: setAllOrNothing } : null} />
            {plan && planView ? <CopyDataFields plan={plan} planId={planView.planId} selected={copyData} onChange={setCopyData} /> : null}
          </>
        );
      case 'confirm':
        return plan ? <ConfirmStep plan={plan} waitForReady={waitForReady} healthTimeoutSec={healthTimeoutSec} httpCheckPath={httpCheckPath} expiresAt={planView!.expiresAt} typedName={typedName} onTypedName={setTypedName} /> : null;
    }
  }

  return (
    <Dialog open onClose={close} onKeyDown={onKeyDown} beforeDismiss={beforeDismiss} wide title={dryRun ? 'Dry run: the full plan' : `Migrate — ${wizardStepTitles[step]}`} description={target && sourceId ? `${environments.find((e) => e.id === sourceId)?.name ?? ''} → ${target.name}` : 'Move resources to the next environment of their chain.'}>
      <div className="wizard" data-testid="migrate-wizard" data-step={dryRun ? 'dry-run' : step} tabIndex={-1}>
        <ol className="wizard-steps" aria-label="Wizard steps">
          {steps.map((each, index) => (
            <li key={each} className={index === stepIndex ? 'current' : index < stepIndex ? 'done' : ''} aria-current={index === stepIndex ? 'step' : undefined}>
              {index < stepIndex && !dryRun ? (
                <button type="button" className="link" onClick={() => setStepIndex(index)}>
                  {index + 1}. {wizardStepTitles[each]}
                </button>
              ) : (
                <span>
                  {index + 1}. {wizardStepTitles[each]}
                </span>
              )}
            </li>
          ))}
        </ol>
        <ErrorBanner message={dataError} />
        <div className="wizard-body" ref={bodyRef} tabIndex={-1} role="region" aria-label={dryRun ? 'Dry run' : wizardStepTitles[step]}>
          {body}
        </div>
        <ErrorBanner message={error} />
      </div>
      <DialogFooter status={!dryRun && !gate.ok ? <span data-testid="wizard-blocked">{gate.reason}</span> : null}>
        {askingToClose ? (
          <div className="row" role="group" aria-label="Close the wizard?" data-testid="confirm-close">
            <span>Close the wizard? What you chose and the plan are discarded.</span>
            <button type="button" autoFocus onClick={() => setAskingToClose(false)}>
              Keep going
            </button>
            <button type="button" className="secondary" onClick={close}>
              Close the wizard
            </button>
          </div>
        ) : dryRun ? (
          <button type="button" className="secondary" onClick={() => setDryRun(false)}>
            Back to the wizard
          </button>
        ) : (
          <>
            <button type="button" className="secondary" onClick={close}>
              Cancel
            </button>
            {step !== 'source' ? (
              <button type="button" className="secondary" disabled={planning || chosen.length === 0 || !target} onClick={() => void showDryRun()}>
                Dry run
              </button>
            ) : null}
            {stepIndex > 0 ? (
              <button type="button" className="secondary" onClick={() => setStepIndex(stepIndex - 1)}>
                Back
              </button>
            ) : null}
            <button type="button" disabled={!gate.ok || starting} onClick={() => void next()}>
              {step === 'confirm' ? (protectedTarget ? (starting ? 'Requesting…' : 'Request approval') : starting ? 'Starting…' : 'Start migration') : 'Continue'}
            </button>
          </>
        )}
      </DialogFooter>
    </Dialog>
  );
}
