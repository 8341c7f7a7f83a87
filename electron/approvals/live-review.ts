/**
 * The approver's live review: the pre-checks that read the target re-run now, from the approver's
 * own Gantry, against the plan stored with the request, and how the live target differs from the
 * state the request recorded. It needs no inventory of the project (the approver's Gantry may not
 * have it): everything comes from the request's folder and the target itself. Advisory only — the
 * run's gate checks the same spec hashes again under the target's lock.
 */
import { GantryError } from '@shared/ipc/result';
import type { LiveReviewView } from '@shared/approvals/views';
import { checkActiveMigration, checkContainerNames, checkDisk, checkPorts, checkServer, checkVolumes, type CheckContext, type Precheck } from '@shared/migration/prechecks';
import type { TargetFacts } from '@shared/migration/plan-input';
import type { ResourceSpec } from '@shared/spec/resource-spec';
import { containerName, specFromInspect } from '@shared/spec/spec-from-inspect';
import { z } from 'zod';
import { inspectServer, type ServerInspect } from '../inventory/discovery';
import type { SpecSealer } from '../inventory/spec-hash';
import { serverFacts, unreachableFacts } from '../migrations/gather';
import type { ApprovalsArea } from './approvals-area';
import { planFile } from './run-approval';

/** One target container the request recorded (null hash: it did not exist). */
export interface RecordedTarget {
  resourceId: string;
  name: string;
  containerName: string;
  liveSpecHash: string | null;
}

/**
 * How the live target differs from what a request recorded, one phrase each. A spec hash that
 * differs only because this Gantry seals secrets with another installation's key is told apart
 * by sealing the requester's stored baseline with this Gantry's key.
 */
export function targetChanges(recorded: readonly RecordedTarget[], liveSpecs: ReadonlyMap<string, ResourceSpec>, sealer: SpecSealer, baselines: Record<string, ResourceSpec>): string[] {
  const changes: string[] = [];
  for (const expected of recorded) {
    const spec = liveSpecs.get(expected.containerName);
    const live = spec ? sealer.seal(spec).hash : null;
    if (live === expected.liveSpecHash) continue;
    if (live === null) changes.push(`${expected.containerName} is gone`);
    else if (expected.liveSpecHash === null) changes.push(`${expected.containerName} now exists`);
    else {
      const baseline = baselines[expected.resourceId];
      if (baseline && sealer.seal(baseline).hash === live) continue;
      changes.push(`${expected.name}'s spec is ${live.slice(0, 12)}, requested at ${expected.liveSpecHash.slice(0, 12)}`);
    }
  }
  return changes;
}

/** The specs of a server's containers by name, as they run (memory only). */
export function liveSpecsOf(inspect: ServerInspect): Map<string, ResourceSpec> {
  const images = new Map(inspect.images.map((image) => [image.Id, image]));
  return new Map(inspect.containers.map((container) => [containerName(container), specFromInspect(container, images.get(container.Image))]));
}

/** The pre-checks that read the target, for the plan's resources, against facts read now. */
export function livePrechecks(context: CheckContext, resources: z.infer<typeof planFile>['plan']['resources']): Precheck[] {
  const planned = resources.map((resource) => ({ resourceId: resource.resourceId, name: resource.name, mode: resource.mode, containerName: resource.target.containerName, env: resource.desiredSpec.env, ports: resource.desiredSpec.ports, volumesToCreate: resource.volumesToCreate }));
  const server = checkServer(context);
  if (server.severity !== 'ok') return [server];
  return [server, checkActiveMigration(context), checkDisk(context), ...checkPorts(context, planned), ...checkVolumes(context, planned), ...checkContainerNames(context, planned)];
}

/** Reads a request and its plan from the server and the target as it is now; says what differs. */
export async function liveReview(area: ApprovalsArea, sealer: () => SpecSealer, request: { serverId: string; requestId: string }, signal: AbortSignal = AbortSignal.timeout(30_000)): Promise<LiveReviewView> {
  const checked = await area.policy(request.serverId, signal);
  if (!checked) throw new GantryError('no_policy', `${area.serverName(request.serverId)} has no approval policy.`);
  const stored = await checked.store.readRequest(request.requestId, signal);
  if (!stored?.request) throw new GantryError('not_found', `${area.serverName(request.serverId)} has no approval request ${request.requestId.slice(0, 8)}.`);
  const body = stored.request.body;
  const parsed = planFile.safeParse(await checked.store.readPlan(request.requestId, signal));
  if (!parsed.success) throw new GantryError('request_unreadable', `The plan stored with request ${request.requestId.slice(0, 8)} cannot be read: ${z.prettifyError(parsed.error).split('\n')[0]}`);
  const plan = parsed.data;
  let inspect: ServerInspect | null = null;
  let facts: TargetFacts;
  try {
    inspect = await inspectServer(checked.host, signal);
    facts = { ...(await serverFacts(checked.host, inspect, signal)), specHashes: [] };
  } catch (error) {
    facts = unreachableFacts(error as Error);
  }
  const context: CheckContext = { serverName: checked.host.label, targetName: body.target.name, facts };
  const changes = inspect ? targetChanges(body.specHashes, liveSpecsOf(inspect), sealer(), plan.baselines ?? {}) : [];
  const requester = body.requester.principal;
  return {
    requestId: body.id,
    checkedAt: area.now().toISOString(),
    prechecks: livePrechecks(context, plan.plan.resources).map(({ id, check, severity, message }) => ({ id, check, severity, message })),
    targetChanges: changes,
    warning:
      changes.length > 0
        ? `${body.target.name} changed since ${requester} requested it (${changes.join('; ')}). An approval of this request cannot be used: the run is refused at start. Ask ${requester} to request again.`
        : !inspect
          ? `${checked.host.label} cannot be read now, so whether ${body.target.name} is still as requested is unknown.`
          : null,
  };
}
