/**
 * `planMigration`: the dry run. From the chain, both environments' resources and the target's
 * facts it computes, per resource, the mode (clone or promote), the exact spec the engine will
 * create, the steps it will run, the diff and the pre-checks — and touches nothing. The engine
 * executes a plan as given; re-planning is how anything in it changes.
 */
import { z } from 'zod';
import { GantryError } from '../ipc/result';
import { redactSecrets } from '../redact';
import { canonicalJson } from '../spec/canonical-json';
import type { ResourceSpec } from '../spec/resource-spec';
import { maskSpec } from '../spec/secrets';
import { validateChainMove, type ChainDirection } from './chain';
import { resolveResources, type MissingDependency } from './dependencies';
import { planDomain, type DomainAssignment } from '../domains/domain-assignment';
import { buildDesiredSpec, renameHostname, type DesiredSpec, type RewiredValue } from './desired-spec';
import { diffResource, type ResourceDiff } from './diff';
import { environmentSlug, targetScopedName, translateName, type RenameContext } from './naming';
import { planInput, type EnvironmentResource, type PlanInputDraft } from './plan-input';
import { checkActiveMigration, checkContainerNames, checkDependencies, checkDisk, checkDrift, checkEmptyEnv, checkPorts, checkServer, checkVolumes, type Precheck } from './prechecks';
import { buildReferenceMap, rewireText, type InstanceIdentity, type ReferenceMap } from './rewire';
import { cronEntryFor, type CronEntry } from './schedules';
import { stepsFor } from './plan-steps';
import type { MigrationStep } from './steps';

/** One resource of a plan: how it gets to the target and what it will be there. */
export interface PlannedResource {
  resourceId: string;
  name: string;
  kind: EnvironmentResource['kind'];
  /** Clone when the target has no instance of the resource, promote otherwise. */
  mode: 'clone' | 'promote';
  /**
   * True for a promote whose desired spec equals what the target runs now (and that adds no
   * scheduled task or link): it gets no steps, so nothing of it is touched or restarted.
   */
  unchanged: boolean;
  /** True when it joined the plan because a selected resource depends on it. */
  addedAsDependency: boolean;
  source: InstanceIdentity;
  /** The target instance: the existing one (promote) or the one to create (clone). */
  target: InstanceIdentity;
  /** Exactly what the engine creates. Holds secrets in clear: use `maskPlan` before showing or storing. */
  desiredSpec: ResourceSpec;
  volumesToCreate: string[];
  /** Crontab lines to add on the target server. */
  scheduledTasks: CronEntry[];
  /** Resource links to create in the target environment. */
  linksToCreate: { toResourceId: string; toContainerName: string }[];
  tags: string[];
  /** The domain a clone into production gets, with its routing (none on a promote: the target keeps its own). */
  domain?: DomainAssignment;
  /** Other resources of this plan it depends on (links and references by name); a batch starts it only after they are healthy. Absent when none. */
  dependsOn?: string[];
}

/** The dry-run result: what will happen, what changes, and whether anything stands in the way. */
export interface MigrationPlan {
  source: { id: string; name: string };
  target: { id: string; name: string; production: boolean };
  server: { id: string; name: string };
  direction: ChainDirection;
  /** In execution order: dependencies first. */
  resources: PlannedResource[];
  steps: MigrationStep[];
  diff: { resources: ResourceDiff[]; unified: string };
  missingDependencies: MissingDependency[];
  prechecks: Precheck[];
  /** True when any pre-check blocks: the engine refuses to run the plan. */
  blocking: boolean;
}

/** The plan's resources one resource depends on (each once, itself never), or nothing when it depends on none of them. */
function dependsOnOf(resourceId: string, resolved: { ordered: EnvironmentResource[]; edges: { fromResourceId: string; toResourceId: string }[] }): { dependsOn?: string[] } {
  const planned = new Set(resolved.ordered.map((resource) => resource.resourceId));
  const ids = [...new Set(resolved.edges.filter((edge) => edge.fromResourceId === resourceId && edge.toResourceId !== resourceId && planned.has(edge.toResourceId)).map((edge) => edge.toResourceId))];
  return ids.length > 0 ? { dependsOn: ids } : {};
}

/** How a plan gets fresh ids for cloned instances; injectable so tests (and replays) are deterministic. */
export interface PlanOptions {
  newUuid?: () => string;
}

/**
 * Plans a migration (dry run). Throws a `GantryError` when the request itself is wrong (invalid
 * input, a move against the chain, an unknown resource, an unreadable schedule); everything the
 * operator can fix on the servers is reported as a pre-check instead.
 */
export function planMigration(draft: PlanInputDraft, options: PlanOptions = {}): MigrationPlan {
  const parsed = planInput.safeParse(draft);
  if (!parsed.success) throw new GantryError('invalid_plan', `The migration request is incomplete or malformed: ${z.prettifyError(parsed.error)}`);
  const input = parsed.data;
  const newUuid = options.newUuid ?? (() => globalThis.crypto.randomUUID());
  const move = validateChainMove(input);
  const sourceSlug = environmentSlug(move.source);
  const targetSlug = environmentSlug(move.target);
  const targetById = new Map(input.targetResources.map((resource) => [resource.resourceId, resource]));

  const resolved = resolveResources({ ...input, sourceName: move.source.name, sourceSlug });

  const renameFor = (source: EnvironmentResource, targetUuid: string): RenameContext => ({ sourceSlug, targetSlug, sourceUuid: source.uuid, targetUuid });
  const identityOf = (resource: EnvironmentResource): InstanceIdentity => ({ uuid: resource.uuid, containerName: resource.containerName, hostnames: resource.hostnames });

  // Target identities first: every resource's rewiring needs all of them.
  const targets = new Map<string, { instance: EnvironmentResource | null; identity: InstanceIdentity; rename: RenameContext }>();
  for (const source of resolved.ordered) {
    const existing = targetById.get(source.resourceId) ?? null;
    if (existing) {
      targets.set(source.resourceId, { instance: existing, identity: identityOf(existing), rename: renameFor(source, existing.uuid) });
      continue;
    }
    const rename = renameFor(source, newUuid());
    const containerName = targetScopedName(source.containerName, rename);
    const sourceIdentity = identityOf(source);
    const partial = { uuid: rename.targetUuid, containerName, hostnames: [] };
    targets.set(source.resourceId, { instance: null, identity: { ...partial, hostnames: source.hostnames.map((hostname) => renameHostname(hostname, sourceIdentity, partial, rename)) }, rename });
  }

  /** What stands for a resource in the target: the planned instance, or the one already there. */
  const counterpart = (resourceId: string): InstanceIdentity | null => {
    const existing = targetById.get(resourceId);
    return targets.get(resourceId)?.identity ?? (existing ? identityOf(existing) : null);
  };

  const references = buildReferenceMap(
    input.sourceResources.flatMap((source) => {
      const planned = targets.get(source.resourceId);
      const target = counterpart(source.resourceId);
      if (!target) return [];
      const rename = planned?.rename ?? renameFor(source, target.uuid);
      return [{ source: identityOf(source), target, renameHostname: (hostname: string) => translateName(hostname, rename) ?? hostname }];
    }),
  );

  const resources: PlannedResource[] = [];
  const domainChecks: Precheck[] = [];
  const assignedDomains: string[] = [];
  const diffs: ResourceDiff[] = [];
  const nameOf = (resourceId: string) => input.sourceResources.find((resource) => resource.resourceId === resourceId)?.name ?? resourceId;
  for (const source of resolved.ordered) {
    const planned = targets.get(source.resourceId);
    if (!planned) continue;
    const mode = planned.instance ? 'promote' : 'clone';
    const desired = buildDesiredSpec({
      source,
      target: planned.instance,
      targetIdentity: planned.identity,
      rename: planned.rename,
      references,
      domain: input.target.domain,
      portOverrides: input.portOverrides[source.resourceId] ?? {},
      environmentNetworks: { source: move.source.network ?? null, target: move.target.network ?? null },
    });
    const routing = planDomain({ resourceId: source.resourceId, name: source.name, mode, containerName: planned.identity.containerName, spec: desired.spec }, input.domains[source.resourceId], input.target.facts.domains, {
      serverName: input.target.server.name,
      targetName: move.target.name,
      production: move.target.production,
      otherDomains: assignedDomains,
    });
    desired.spec = routing.spec;
    domainChecks.push(...routing.prechecks);
    if (routing.assignment) assignedDomains.push(routing.assignment.domain);
    const scheduledTasks = schedulesFor(source, planned.instance, planned.identity, references, desired);
    const existingLinks = new Set(planned.instance?.links ?? []);
    const linksToCreate = source.links
      .filter((id) => !existingLinks.has(id))
      .flatMap((id) => {
        const linked = counterpart(id);
        return linked ? [{ toResourceId: id, toContainerName: linked.containerName }] : [];
      });
    const unchanged = planned.instance !== null && scheduledTasks.length === 0 && linksToCreate.length === 0 && sameSpec(desired.spec, planned.instance.spec);
    resources.push({
      resourceId: source.resourceId,
      name: source.name,
      kind: source.kind,
      mode,
      unchanged,
      addedAsDependency: resolved.addedAsDependencies.includes(source.resourceId),
      source: identityOf(source),
      target: planned.identity,
      desiredSpec: desired.spec,
      volumesToCreate: desired.volumesToCreate,
      scheduledTasks,
      linksToCreate,
      tags: mode === 'clone' ? [...source.tags] : [...(planned.instance?.tags ?? [])],
      ...(routing.assignment ? { domain: routing.assignment } : {}),
      ...dependsOnOf(source.resourceId, resolved),
    });
    diffs.push(
      diffResource({
        resourceId: source.resourceId,
        name: source.name,
        mode,
        unchanged,
        baseline: planned.instance?.spec ?? source.spec,
        desired,
        fileName: `${targetSlug}/${source.name}`,
        linksCreated: linksToCreate.map((link) => ({ ...link, toName: nameOf(link.toResourceId) })),
      }),
    );
  }

  const context = { serverName: input.target.server.name, targetName: move.target.name, facts: input.target.facts };
  const forChecks = resources.map((resource) => ({ ...resource, containerName: resource.target.containerName, env: resource.desiredSpec.env, ports: resource.desiredSpec.ports }));
  const serverCheck = checkServer(context);
  const prechecks: Precheck[] = [
    serverCheck,
    ...(serverCheck.severity === 'ok'
      ? [
          checkActiveMigration(context),
          checkDisk(context),
          ...checkPorts(context, forChecks),
          ...checkVolumes(context, forChecks),
          ...checkContainerNames(context, forChecks),
          ...checkDrift(context, forChecks),
        ]
      : []),
    ...checkDependencies(context, resolved.missing),
    ...checkEmptyEnv(context, forChecks),
    ...domainChecks,
  ];

  return {
    source: { id: move.source.id, name: move.source.name },
    target: { id: move.target.id, name: move.target.name, production: move.target.production },
    server: input.target.server,
    direction: move.direction,
    resources,
    steps: stepsFor(resources, { target: { id: move.target.id, name: move.target.name, production: move.target.production }, facts: input.target.facts, options: { waitForReady: true } }),
    diff: { resources: diffs, unified: diffs.map((diff) => diff.unified).join('') },
    missingDependencies: resolved.missing,
    prechecks,
    blocking: prechecks.some((check) => check.severity === 'blocking'),
  };
}

/**
 * Whether the target already runs `desired`. The registry digest is left out when both name the
 * same image id: an image streamed to a server has none there, and the id says it is the same.
 */
export function sameSpec(desired: ResourceSpec, live: ResourceSpec): boolean {
  const comparable = (spec: ResourceSpec) => (desired.image.id !== null && desired.image.id === live.image.id ? { ...spec, image: { ...spec.image, digest: null } } : spec);
  return canonicalJson(comparable(desired)) === canonicalJson(comparable(live));
}

/** Scheduled tasks for the target: all of them on a clone; on a promote, those the target does not have yet. */
function schedulesFor(source: EnvironmentResource, target: EnvironmentResource | null, identity: InstanceIdentity, references: ReferenceMap, desired: DesiredSpec): CronEntry[] {
  const existing = new Set((target?.scheduledTasks ?? []).map((task) => task.name));
  return source.scheduledTasks
    .filter((task) => !existing.has(task.name))
    .map((task) => {
      const { text, rewrites } = rewireText(task.command, references);
      if (rewrites.length > 0) desired.rewired.push({ site: 'schedule', key: task.name, before: task.command, after: text, references: rewrites } satisfies RewiredValue);
      return cronEntryFor({ ...task, command: text }, { resourceId: source.resourceId, resourceName: source.name, containerName: identity.containerName });
    });
}

/**
 * A copy of the plan's resources safe to show or store: secrets in desired specs and scheduled
 * tasks masked (the diff already is). The steps' parameters are masked by each step kind's own
 * module in the engine (`maskStep`), which is the only place that knows what a kind carries.
 */
export function maskPlan(plan: MigrationPlan, maskSteps: (steps: MigrationStep[]) => MigrationStep[]): MigrationPlan {
  const maskEntry = (entry: CronEntry): CronEntry => ({ ...entry, command: redactSecrets(entry.command), line: redactSecrets(entry.line) });
  return {
    ...plan,
    resources: plan.resources.map((resource) => ({ ...resource, desiredSpec: maskSpec(resource.desiredSpec), scheduledTasks: resource.scheduledTasks.map(maskEntry) })),
    steps: maskSteps(plan.steps),
  };
}
