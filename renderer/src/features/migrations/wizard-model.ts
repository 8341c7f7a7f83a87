/**
 * The migrate wizard's rules as pure functions: which steps it has, which environment a move may
 * target, what each resource will be (new or updated), and whether the operator may go on. The
 * components only render what these return, so the rules are tested without a browser.
 */
import type { EnvironmentView, GraphCell } from '@shared/inventory/model';
import type { MigrationPlan } from '@shared/migration/plan';
import type { Precheck } from '@shared/migration/prechecks';

/** The wizard's steps, in order; `source` is skipped when the opener already chose it. */
const wizardSteps = ['source', 'resources', 'prechecks', 'review', 'options', 'confirm'] as const;
/** One step of the wizard. */
export type WizardStep = (typeof wizardSteps)[number];

/** Step titles as the step list shows them. */
export const wizardStepTitles: Record<WizardStep, string> = {
  source: 'Source',
  resources: 'Target and resources',
  prechecks: 'Pre-checks',
  review: 'Review changes',
  options: 'Options',
  confirm: 'Confirm',
};

/** The steps this wizard shows: without `source` when the opener named the project and environment. */
export function stepsFor(sourcePreset: boolean): WizardStep[] {
  return wizardSteps.filter((step) => !(sourcePreset && step === 'source'));
}

/** The environment right after `sourceId` in its chain (the only target a migration may have), or null. */
export function nextEnvironment(environments: readonly EnvironmentView[], sourceId: string): EnvironmentView | null {
  const chain = [...environments].sort((a, b) => a.position - b.position);
  const index = chain.findIndex((environment) => environment.id === sourceId);
  return index >= 0 ? (chain[index + 1] ?? null) : null;
}

/** What a resource will be in the target: a new clone, or an update of the instance already there. */
export type MoveBadge = 'New' | 'Update' | 'Unchanged';

/** A resource the operator may move, with its badge. */
export interface MovableResource {
  resourceId: string;
  name: string;
  kind: string;
  badge: MoveBadge;
}

/**
 * Resources present in the source environment (seen by discovery or recorded by Gantry), each
 * marked "Update" when the target already has an instance and "New" otherwise. The badge is a
 * preview: the plan decides the mode from what the servers hold, and the pre-check step shows it.
 */
export function movableResources(resources: readonly { id: string; name: string; kind: string }[], cells: readonly GraphCell[], sourceId: string, targetId: string): MovableResource[] {
  const present = (resourceId: string, environmentId: string) => {
    const cell = cells.find((each) => each.resourceId === resourceId && each.environmentId === environmentId);
    // A recorded instance counts even when the last discovery predates it (e.g. just migrated there).
    return Boolean(cell && (cell.container || cell.recordedHash));
  };
  return resources
    .filter((resource) => present(resource.id, sourceId))
    .map((resource) => ({ resourceId: resource.id, name: resource.name, kind: resource.kind, badge: present(resource.id, targetId) ? 'Update' : 'New' }));
}

/** The badge of a planned resource, from the plan's own verdict (a promote that changes nothing is "Unchanged"). */
export function badgeOfMode(mode: 'clone' | 'promote', unchanged = false): MoveBadge {
  return mode === 'clone' ? 'New' : unchanged ? 'Unchanged' : 'Update';
}

/** Pre-checks grouped by severity, worst first, so blocking ones are read first. */
export function groupPrechecks(prechecks: readonly Precheck[]): { severity: Precheck['severity']; checks: Precheck[] }[] {
  const order: Precheck['severity'][] = ['blocking', 'warning', 'ok'];
  return order.map((severity) => ({ severity, checks: prechecks.filter((check) => check.severity === severity) })).filter((group) => group.checks.length > 0);
}

/**
 * Whether the operator may leave `step` forward, and if not, why (in a sentence for the footer).
 * A blocking pre-check stops the wizard at the pre-check step and every step after it.
 */
export function canContinue(step: WizardStep, state: { projectId: string | null; sourceId: string | null; targetId: string | null; selected: readonly string[]; plan: MigrationPlan | null; planning: boolean; healthTimeoutSec: number; httpCheckPath?: string; typedName?: string }): { ok: true } | { ok: false; reason: string } {
  switch (step) {
    case 'source':
      if (!state.projectId) return { ok: false, reason: 'Choose a project.' };
      if (!state.sourceId) return { ok: false, reason: 'Choose the environment to migrate from.' };
      return { ok: true };
    case 'resources':
      if (!state.targetId) return { ok: false, reason: 'This environment is the last of its chain: there is nothing to migrate to.' };
      if (state.selected.length === 0) return { ok: false, reason: 'Choose at least one resource to move.' };
      return { ok: true };
    default:
      if (state.planning) return { ok: false, reason: 'Planning…' };
      if (!state.plan) return { ok: false, reason: 'The plan is not ready.' };
      if (state.plan.blocking) {
        const count = state.plan.prechecks.filter((check) => check.severity === 'blocking').length;
        return { ok: false, reason: `${count} blocking pre-check${count > 1 ? 's stop' : ' stops'} this migration: do what ${count > 1 ? 'they say' : 'it says'} (on the server or in this wizard), then check again.` };
      }
      if (step === 'options' && !validTimeout(state.healthTimeoutSec)) return { ok: false, reason: 'The health timeout must be a whole number of seconds between 5 and 3600.' };
      if (step === 'options' && !validHttpPath(state.httpCheckPath ?? '')) return { ok: false, reason: 'An HTTP check path starts with / and has no spaces, e.g. /health (or leave it empty).' };
      if (step === 'confirm' && state.plan.target.production && (state.typedName ?? '').trim() !== state.plan.target.name) return { ok: false, reason: `Type ${state.plan.target.name} to start a migration into production.` };
      return { ok: true };
  }
}

/** True when `path` is empty (no HTTP check) or a path the engine accepts. */
function validHttpPath(path: string): boolean {
  return path === '' || (path.length <= 200 && /^\/[\x21-\x7e]*$/.test(path));
}

/** True when `seconds` is a health timeout the engine accepts. */
function validTimeout(seconds: number): boolean {
  return Number.isInteger(seconds) && seconds >= 5 && seconds <= 3600;
}

/** How an attribute change is coloured: added (green), removed (red) or changed (yellow). */
type ChangeTone = 'added' | 'removed' | 'changed';

/** The tone of an attribute change from which sides hold a value. */
export function changeTone(change: { before: string | null; after: string | null }): ChangeTone {
  if (change.before === null) return 'added';
  if (change.after === null) return 'removed';
  return 'changed';
}
