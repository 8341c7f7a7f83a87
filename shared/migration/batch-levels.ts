/**
 * A migration of several resources as a batch: each resource's steps are one branch, branches are
 * grouped into levels by their dependencies (a resource's level is one more than the highest
 * level of what it depends on), and a branch may start once everything it depends on has passed
 * its wait-healthy step. Pure: the engine schedules from it and the migration page shows it.
 */

/** The parts of a step a batch layout reads. */
export interface BatchStepInput {
  id: string;
  kind: string;
  resourceId?: string | undefined;
}

/** The parts of a planned resource a batch layout reads. */
export interface BatchResourceInput {
  resourceId: string;
  name: string;
  dependsOn?: readonly string[] | undefined;
  linksToCreate?: readonly { toResourceId: string }[] | undefined;
}

/** One resource's steps in a batch. */
export interface BatchBranch {
  resourceId: string;
  name: string;
  /** Positions (seq) of its steps in the run's step list, in order. */
  seqs: number[];
  /** Resources of this batch it waits for (each healthy before it starts). */
  dependsOn: string[];
  /** Its wait-healthy step: done means its dependants may start (null: when the whole branch is done). */
  healthySeq: number | null;
  /** 0 for a resource that depends on nothing in the batch. */
  level: number;
}

/** How a run's steps go as a batch. */
export interface BatchLayout {
  /** Steps that run one after the other before any branch (a production backup; anything without a resource). */
  preflight: number[];
  branches: BatchBranch[];
}

/** Step kinds that run before every branch: when one fails, nothing has changed yet. */
const PREFLIGHT_KINDS: ReadonlySet<string> = new Set(['backup-database']);

/**
 * The batch layout of a run's steps. A dependency on a resource that comes later in the plan's
 * order (only inside a dependency cycle, which the planner leaves in plan order) is dropped, so
 * the branches can never wait for each other in a circle.
 */
export function batchLayout(steps: readonly BatchStepInput[], resources: readonly BatchResourceInput[]): BatchLayout {
  const preflight: number[] = [];
  const seqsOf = new Map<string, number[]>();
  steps.forEach((step, seq) => {
    if (!step.resourceId || PREFLIGHT_KINDS.has(step.kind)) {
      preflight.push(seq);
      return;
    }
    seqsOf.set(step.resourceId, [...(seqsOf.get(step.resourceId) ?? []), seq]);
  });
  const order = [...resources.map((resource) => resource.resourceId), ...[...seqsOf.keys()].filter((id) => !resources.some((resource) => resource.resourceId === id))];
  const position = new Map(order.map((id, index) => [id, index]));
  const levels = new Map<string, number>();
  const branches: BatchBranch[] = [];
  for (const resourceId of order) {
    const seqs = seqsOf.get(resourceId);
    if (!seqs) continue;
    const resource = resources.find((each) => each.resourceId === resourceId);
    const wanted = [...(resource?.dependsOn ?? []), ...(resource?.linksToCreate ?? []).map((link) => link.toResourceId)];
    const dependsOn = [...new Set(wanted)].filter((id) => id !== resourceId && seqsOf.has(id) && (position.get(id) ?? Infinity) < (position.get(resourceId) ?? -1));
    const level = dependsOn.reduce((highest, id) => Math.max(highest, (levels.get(id) ?? 0) + 1), 0);
    levels.set(resourceId, level);
    const healthy = seqs.find((seq) => steps[seq]?.kind === 'wait-healthy');
    branches.push({ resourceId, name: resource?.name ?? resourceId, seqs, dependsOn, healthySeq: healthy ?? null, level });
  }
  return { preflight, branches };
}

/** Every resource that depends on `resourceId`, directly or through others (not itself). */
export function dependantsOf(resourceId: string, branches: readonly Pick<BatchBranch, 'resourceId' | 'dependsOn'>[]): string[] {
  const found = new Set<string>();
  const queue = [resourceId];
  for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
    for (const branch of branches) {
      if (branch.dependsOn.includes(current) && !found.has(branch.resourceId) && branch.resourceId !== resourceId) {
        found.add(branch.resourceId);
        queue.push(branch.resourceId);
      }
    }
  }
  return [...found];
}

/** How one resource of a batch stands, from its journaled steps. */
export type BatchResourceStatus = 'waiting' | 'running' | 'completed' | 'failed' | 'undone' | 'skipped' | 'needs-attention';

/** One resource of a batch as the migration page shows it. */
export interface BatchResourceProgress {
  resourceId: string;
  name: string;
  level: number;
  dependsOn: string[];
  status: BatchResourceStatus;
  /** Its steps done, of all its steps. */
  done: number;
  total: number;
  /** The steps' positions in the run (to list them under the resource). */
  seqs: number[];
}

/**
 * Each resource of a batch with its own status and progress, from the journal's step rows
 * (matched by step id). A resource whose step could not be undone needs attention; one undone
 * (or with a failed step) was undone; one never started in a finished run was skipped.
 */
export function batchProgress(
  steps: readonly BatchStepInput[],
  resources: readonly BatchResourceInput[],
  journaled: readonly { stepId: string; status: string }[],
  finished: boolean,
): BatchResourceProgress[] {
  const statusOf = new Map(journaled.map((row) => [row.stepId, row.status]));
  return batchLayout(steps, resources).branches.map((branch) => {
    const statuses = branch.seqs.map((seq) => statusOf.get(steps[seq]!.id) ?? null);
    const done = statuses.filter((status) => status === 'done').length;
    const status: BatchResourceStatus = statuses.includes('undo_failed')
      ? 'needs-attention'
      : statuses.includes('undone')
        ? 'undone'
        : statuses.includes('failed')
          ? finished
            ? 'undone'
            : 'failed'
          : statuses.includes('skipped')
            ? 'skipped'
            : done === statuses.length
              ? 'completed'
              : statuses.includes('running') || done > 0
                ? 'running'
                : finished
                  ? 'skipped'
                  : 'waiting';
    return { resourceId: branch.resourceId, name: branch.name, level: branch.level, dependsOn: branch.dependsOn, status, done, total: statuses.length, seqs: branch.seqs };
  });
}
