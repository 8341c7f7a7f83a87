/**
 * Recovery of every run kind after an engine died: a migration is undone from its journal; a
 * rollback or restore (itself an undo) is completed — its partial steps undone, then run again
 * from the start. Either way Gantry then reads the target (spec hashes, leftovers) and says only
 * what it verified.
 */
import type { StepStatus, MigrationJournal, MigrationRow } from './journal';
import type { SpecSealer } from '../inventory/spec-hash';
import type { JobContext } from '../jobs/registry';
import type { RemoteHost } from '../servers/remote-host';
import { lockForRecovery, type Operator } from './lock-wait';
import { readRunOptions } from './run-options';
import type { RunPath } from './run-path';
import { compensate, recordOf } from './saga';
import { journaledResult, sagaStepFor, verifyStep } from './steps/registry';
import { readStoredRun, type StoredRun } from './stored-run';
import { checkTarget, type ContainerExpectation, type TargetCheck } from './verify-target';

/** What recovery is built from. */
export interface RecoveryDeps {
  journal: MigrationJournal;
  runPath: RunPath;
  hosts: (serverId: string) => RemoteHost;
  sealer: () => SpecSealer;
  engineInstance: string;
  operator: Operator;
}

/** Journaled step statuses whose step may have changed the target. */
const mayHaveActed: ReadonlySet<string> = new Set<StepStatus>(['running', 'done', 'failed', 'undo_failed']);

/** Undoes or completes the runs a previous engine left pending or running; returns their ids. */
export async function recoverInterrupted(deps: RecoveryDeps): Promise<string[]> {
  const recovered: string[] = [];
  for (const row of deps.journal.interrupted(deps.engineInstance)) {
    if (await recoverOne(deps, row)) recovered.push(row.id);
  }
  return recovered;
}

async function recoverOne(deps: RecoveryDeps, row: MigrationRow): Promise<boolean> {
  const { journal, runPath } = deps;
  let run: StoredRun;
  try {
    run = readStoredRun(row.planJson, row.kind);
  } catch (error) {
    runPath.settle(row.id, 'interrupted', `Interrupted: the engine stopped mid-way and its journal cannot be read (${(error as Error).message}). Gantry changed nothing since; check the target by hand.`, 'interrupted_needs_attention');
    return true;
  }
  if (row.status === 'pending') {
    // A pending run never held the lock, so none of its steps ran.
    runPath.settle(row.id, 'interrupted', 'Interrupted before it started (the engine stopped while it waited its turn): nothing on the target was changed.', 'interrupted');
    return true;
  }
  const target = deps.hosts(run.plan.server.id);
  let lock;
  try {
    lock = await lockForRecovery(target, { migrationId: row.id, targetName: run.plan.target.name, operator: deps.operator });
  } catch (error) {
    journal.log(row.id, 'warn', `The engine that ran this migration stopped mid-way; recovering it waits for ${target.label}: ${(error as Error).message} Gantry tries again at its next start.`);
    return false;
  }
  try {
    const options = readRunOptions(row.optionsJson);
    const context = runPath.contextFor(row, run, { ...options, waitForReady: options.waitForReady }, run.plan.resources);
    const byId = new Map(run.steps.map((step) => [step.id, step]));
    // In start order: a batch ran branches in parallel, so several steps may be 'running' and seq is not
    // the order they started in. compensate undoes newest first.
    const journaled = inStartOrder(journal.steps(row.id));
    const ran = journaled.flatMap((entry) => {
      const step = byId.get(entry.stepId);
      return step && mayHaveActed.has(entry.status) ? [{ seq: entry.seq, step: sagaStepFor(step), record: recordOf(entry) }] : [];
    });
    journal.log(row.id, 'warn', `The engine that ran this ${run.kind === 'migrate' ? 'migration' : run.kind} stopped mid-way. Undoing its ${ran.length} journaled step(s) on ${target.label}.`);
    const failures = await compensate(row.id, ran, context, journal);
    if (failures.length > 0) {
      runPath.settle(row.id, 'interrupted', `Interrupted: the engine stopped mid-way and these steps could not be undone automatically: ${failures.join('; ')}. Check ${target.label}.`, 'interrupted_needs_attention');
      return true;
    }
    // A rotation is undone, not completed (its new password is not journaled): the old password back, then checked like a migration.
    // So is a domain change (its container's spec is journaled masked): the old routing back.
    if (run.kind !== 'migrate' && !run.steps.some((step) => step.kind === 'set-database-password') && !run.domainChange) return await completeUndoRun(deps, row, run, options, target);
    const check = await checkTarget(target, { migrationId: row.id, containers: beforeState(run), labelledMayRemain: false, sealer: deps.sealer });
    check.problems.push(...(await Promise.all(run.steps.map((step) => verifyStep(step, context, 'undone')))).flat());
    settleChecked(runPath, row.id, check, `Interrupted: the engine stopped mid-way; on restart Gantry undid the ${ran.length} step(s) it had journaled`, `${run.plan.target.name} (${target.label}) is as it was before`);
    return true;
  } catch (error) {
    runPath.settle(row.id, 'interrupted', `Interrupted: the engine stopped mid-way and recovering it failed (${(error as Error).message}). Gantry could not check ${target.label}; check it by hand.`, 'interrupted_needs_attention');
    return true;
  } finally {
    await lock.release();
  }
}

/** A rollback or restore that was cut short is finished: run again from its first step, then checked. */
async function completeUndoRun(deps: RecoveryDeps, row: MigrationRow, run: StoredRun, options: ReturnType<typeof readRunOptions>, target: RemoteHost): Promise<boolean> {
  const { journal, runPath } = deps;
  journal.setStatus(row.id, 'running', { engineInstance: deps.engineInstance });
  journal.log(row.id, 'info', `Completing the ${run.kind} from its journal (a ${run.kind} is itself an undo: it is finished, not reverted).`);
  const controller = new AbortController();
  const job: JobContext = {
    jobId: `recovery-${row.id}`,
    signal: controller.signal,
    log: () => undefined,
    progress: () => undefined,
    step: () => undefined,
    throwIfCancelled: () => undefined,
  };
  const verify = async (): Promise<{ note: string; ok: boolean }> => {
    const lead = `The engine stopped mid-way; on restart Gantry completed the ${run.kind}.`;
    try {
      const context = runPath.contextFor(row, run, options, run.plan.resources);
      const recorded: ContainerExpectation[] = journal.steps(row.id).flatMap((entry): ContainerExpectation[] => {
        const step = run.steps.find((each) => each.id === entry.stepId);
        if (!step || entry.status !== 'done') return [];
        if (step.kind === 'retire-container') return [{ name: step.title, containerName: step.params.containerName, hash: null }];
        if (step.kind !== 'record-resource') return [];
        const done = journaledResult(step, recordOf(entry));
        return typeof done?.hash === 'string' ? [{ name: step.title, containerName: step.params.containerName, hash: done.hash }] : [];
      });
      const check = await checkTarget(target, { migrationId: row.id, containers: recorded, labelledMayRemain: true, sealer: deps.sealer });
      check.problems.push(...(await Promise.all(run.steps.map((step) => verifyStep(step, context, 'done')))).flat());
      if (check.problems.length === 0) return { ok: true, note: `${lead} Checked on ${target.label}: ${check.matched.join('; ') || 'nothing left behind'}.` };
      return { ok: false, note: `${lead} But a check of ${target.label} found: ${check.problems.join('; ')}. Check it.` };
    } catch (error) {
      return { ok: false, note: `${lead} Gantry could not check ${target.label} afterwards (${(error as Error).message}); check it by hand.` };
    }
  };
  try {
    await runPath.runSteps({ ...row, engineInstance: deps.engineInstance }, run, { ...options, waitForReady: false }, run.plan.resources, job, verify);
  } catch {
    // runSteps settled it (failed, undone, or with the steps that need attention).
  }
  return true;
}

/** Journaled steps in the order they started (start time, then seq: a linear run's order; a step never started last). */
export function inStartOrder<T extends { seq: number; startedAt: number | null }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => (a.startedAt ?? Infinity) - (b.startedAt ?? Infinity) || a.seq - b.seq);
}

/** What the target should look like before a migration: each promoted container at its planned-from hash, each clone absent. */
function beforeState(run: StoredRun): ContainerExpectation[] {
  if (run.expected.length > 0) return run.expected.map((entry) => ({ name: entry.name, containerName: entry.containerName, hash: entry.beforeHash }));
  // Runs journaled before `expected` existed: the replace steps' planned-from hashes.
  return run.steps.flatMap((step): ContainerExpectation[] => {
    if (step.kind === 'create-container') return [{ name: step.title, containerName: step.params.containerName, hash: null }];
    if (step.kind === 'replace-container' && step.params.previousSpecHash) return [{ name: step.title, containerName: step.params.containerName, hash: step.params.previousSpecHash }];
    return [];
  });
}

function settleChecked(runPath: RunPath, migrationId: string, check: TargetCheck, what: string, claim: string): void {
  if (check.problems.length === 0) {
    runPath.settle(migrationId, 'interrupted', `${what}, and checked that ${claim}: ${check.matched.join('; ') || 'nothing of it is left'}.`, 'interrupted');
  } else {
    runPath.settle(migrationId, 'interrupted', `${what}, but a check of the target found: ${check.problems.join('; ')}. Check it by hand.`, 'interrupted_needs_attention');
  }
}
