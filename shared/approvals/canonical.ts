/**
 * The canonical texts approvals sign and hash. The plan text covers the plan exactly as it will
 * run — resources with their desired specs, the steps, the target's spec hashes when planned and
 * the run options — so any change to what would run changes the digest.
 */
import type { MigrationPlan } from '../migration/plan';
import type { MigrationStep } from '../migration/steps';
import { canonicalJson } from '../spec/canonical-json';

/** What a plan digest covers. */
export interface PlanToRun {
  plan: Pick<MigrationPlan, 'source' | 'target' | 'server' | 'direction' | 'resources'>;
  steps: MigrationStep[];
  specHashes: { resourceId: string; liveSpecHash: string }[];
  sourceHashes: Record<string, string>;
  options: { waitForReady: boolean; healthTimeoutSec: number; httpCheckPath?: string | null; [option: string]: unknown };
}

/** The canonical text of a plan as it will run (hash it with SHA-256 for the plan digest). */
export function canonicalPlanText(run: PlanToRun): string {
  const { source, target, server, direction, resources } = run.plan;
  return canonicalJson({
    format: 1,
    plan: { source, target, server, direction, resources },
    steps: run.steps,
    specHashes: run.specHashes.map(({ resourceId, liveSpecHash }) => ({ resourceId, liveSpecHash })),
    sourceHashes: run.sourceHashes,
    options: { ...run.options, httpCheckPath: run.options.httpCheckPath ?? null },
  });
}

/** The canonical text a document's signature covers (its body). */
export function signedText(body: unknown): string {
  return canonicalJson(body);
}
