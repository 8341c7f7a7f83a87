/**
 * Turns planned resources into the steps the engine runs, resource by resource in plan order
 * (dependencies first), so each resource is up and healthy before anything that depends on it
 * is created. One emitter per concern (image, volumes, container, health, schedules, links,
 * record); each sees the target environment (production or not) and the run options, so a
 * production-only step is one more emitter in the list.
 */
import type { DatabaseType, ResourceSpec } from '../spec/resource-spec';
import type { TargetFacts } from './plan-input';
import type { PlannedResource } from './plan';
import type { MigrationStep } from './steps';

/** How long to wait for a container without a health check to keep running. */
const DEFAULT_HEALTH_WAIT_MS = 60_000;

/** The longest a healthy start may take under the container's own health check, plus a margin. */
export function healthWaitMs(spec: ResourceSpec): number {
  const check = spec.healthcheck;
  if (!check || check.test[0] === 'NONE') return DEFAULT_HEALTH_WAIT_MS;
  const interval = check.intervalMs || 30_000;
  const timeout = check.timeoutMs || 30_000;
  const retries = check.retries || 3;
  return Math.max(DEFAULT_HEALTH_WAIT_MS, check.startPeriodMs + (interval + timeout) * (retries + 1));
}

/** What every emitter is told about the run it plans for. */
export interface EmitContext {
  /** The environment the run copies from (its name is in a data copy's messages). */
  source?: { id: string; name: string };
  target: { id: string; name: string; production: boolean };
  /** Of the target's facts, what the emitters read: each resource's live spec hash. */
  facts: Pick<TargetFacts, 'specHashes'>;
  /** The options the run starts with; at dry-run time, the defaults. */
  options: {
    waitForReady: boolean;
    /** False only when the operator turned the production backup off for this run. */
    backup?: boolean;
    /** Database resources whose data the run copies from the source (ignored for production: never emitted there). */
    copyData?: readonly { resourceId: string; databaseType: DatabaseType }[];
  };
}

/** Emits the steps of one concern for one resource (none when the concern does not apply). */
export type StepEmitter = (resource: PlannedResource, context: EmitContext) => MigrationStep[];

const imageEmitter: StepEmitter = (resource) => [
  {
    id: `transfer-image:${resource.resourceId}`,
    kind: 'transfer-image',
    title: `Copy image ${resource.desiredSpec.image.ref} for ${resource.name}`,
    resourceId: resource.resourceId,
    undo: 'Remove the copied image if the target did not have it before',
    params: { imageRef: resource.desiredSpec.image.ref, imageId: resource.desiredSpec.image.id },
  },
];

const volumeEmitter: StepEmitter = (resource) => {
  const volumes = resource.volumesToCreate;
  if (volumes.length === 0) return [];
  return [
    {
      id: `create-volumes:${resource.resourceId}`,
      kind: 'create-volumes',
      title: `Create ${volumes.length === 1 ? 'volume' : 'volumes'} ${volumes.join(', ')}`,
      resourceId: resource.resourceId,
      undo: `Remove ${volumes.join(', ')}`,
      params: { volumes: [...volumes] },
    },
  ];
};

const containerEmitter: StepEmitter = (resource, context) => {
  const { resourceId } = resource;
  const containerName = resource.target.containerName;
  if (resource.mode === 'clone') {
    return [{ id: `create-container:${resourceId}`, kind: 'create-container', title: `Create ${containerName}`, resourceId, undo: `Remove ${containerName}`, params: { containerName } }];
  }
  const live = context.facts.specHashes.find((entry) => entry.resourceId === resourceId)?.liveSpecHash ?? null;
  return [{ id: `replace-container:${resourceId}`, kind: 'replace-container', title: `Update ${containerName}`, resourceId, undo: `Put the previous ${containerName} back`, params: { containerName, previousSpecHash: live } }];
};

const healthEmitter: StepEmitter = (resource) => {
  const containerName = resource.target.containerName;
  return [
    { id: `wait-healthy:${resource.resourceId}`, kind: 'wait-healthy', title: `Wait for ${containerName} to be healthy`, resourceId: resource.resourceId, undo: null, params: { containerName, timeoutMs: healthWaitMs(resource.desiredSpec) } },
  ];
};

const scheduleEmitter: StepEmitter = (resource) => {
  if (resource.scheduledTasks.length === 0) return [];
  return [
    {
      id: `install-schedules:${resource.resourceId}`,
      kind: 'install-schedules',
      title: `Schedule ${resource.scheduledTasks.map((entry) => entry.taskName).join(', ')} in ${resource.target.containerName}`,
      resourceId: resource.resourceId,
      undo: 'Remove the crontab lines it added',
      params: { entries: resource.scheduledTasks.map((entry) => ({ ...entry })) },
    },
  ];
};

const linkEmitter: StepEmitter = (resource) => {
  if (resource.linksToCreate.length === 0) return [];
  return [
    {
      id: `link-resources:${resource.resourceId}`,
      kind: 'link-resources',
      title: `Check that ${resource.name} reaches ${resource.linksToCreate.map((link) => link.toContainerName).join(', ')}`,
      resourceId: resource.resourceId,
      undo: null,
      params: { links: resource.linksToCreate.map((link) => ({ ...link })) },
    },
  ];
};

/** How long the after-deploy check waits for the proxy to get the domain's certificate. */
export const CERTIFICATE_WAIT_MS = 120_000;

/** The domain of a clone into production: a plain Caddy's route (label proxies read the container's labels), then the certificate check. */
const domainEmitter: StepEmitter = (resource) => {
  const assigned = resource.domain;
  if (!assigned) return [];
  const { resourceId } = resource;
  const containerName = resource.target.containerName;
  const route: MigrationStep[] =
    assigned.proxy === 'caddy-admin' && assigned.routeId && assigned.dial
      ? [{ id: `route-domain:${resourceId}`, kind: 'route-domain', title: `Route ${assigned.domain} to ${containerName} through Caddy`, resourceId, undo: `Remove the route of ${assigned.domain}`, params: { containerName, domain: assigned.domain, routeId: assigned.routeId, dial: assigned.dial } }]
      : [];
  return [
    ...route,
    { id: `check-certificate:${resourceId}`, kind: 'check-certificate', title: `Wait for the certificate of ${assigned.domain}`, resourceId, undo: null, params: { domain: assigned.domain, acmeIssuer: assigned.acmeIssuer, timeoutMs: CERTIFICATE_WAIT_MS } },
  ];
};

const recordEmitter: StepEmitter = (resource) => {
  const containerName = resource.target.containerName;
  return [{ id: `record-resource:${resource.resourceId}`, kind: 'record-resource', title: `Record ${containerName}`, resourceId: resource.resourceId, undo: 'Restore the previous record', params: { containerName, tags: [...resource.tags] } }];
};

/** A verified backup of every production database the run changes, taken before anything changes (on by default). */
const backupEmitter: StepEmitter = (resource, context) => {
  if (!context.target.production || resource.kind !== 'database' || resource.mode !== 'promote' || context.options.backup === false) return [];
  const containerName = resource.target.containerName;
  return [{ id: `backup-database:${resource.resourceId}`, kind: 'backup-database', title: `Back up ${containerName} and verify the backup`, resourceId: resource.resourceId, undo: null, params: { containerName, resourceName: resource.name } }];
};

/** Test data from the source, once the target's database is up; never into production (not even emitted). */
export const copyDataEmitter: StepEmitter = (resource, context) => {
  const chosen = context.options.copyData?.find((entry) => entry.resourceId === resource.resourceId);
  if (context.target.production || !chosen || resource.kind !== 'database') return [];
  const containerName = resource.target.containerName;
  const sourceName = context.source?.name ?? 'the source environment';
  return [
    {
      id: `copy-data:${resource.resourceId}`,
      kind: 'copy-data',
      title: `Copy ${sourceName}'s data into ${containerName}`,
      resourceId: resource.resourceId,
      undo: `Put ${context.target.name}'s previous data back into ${containerName}`,
      params: {
        databaseType: chosen.databaseType,
        sourceContainer: resource.source.containerName,
        targetContainer: containerName,
        resourceName: resource.name,
        sourceEnvironment: sourceName,
        targetEnvironment: context.target.name,
        targetProduction: false,
      },
    },
  ];
};

/** Emitters whose steps run before any resource's own steps: when one fails, nothing has changed yet. */
export const preflightEmitters: readonly StepEmitter[] = [backupEmitter];

/** The emitters of a migration, in the order their steps run for each resource. */
export const migrationEmitters: readonly StepEmitter[] = [imageEmitter, volumeEmitter, containerEmitter, healthEmitter, domainEmitter, copyDataEmitter, scheduleEmitter, linkEmitter, recordEmitter];

/** The ordered steps for a plan's resources; an unchanged resource gets none (nothing of it is touched). */
export function stepsFor(all: readonly PlannedResource[], context: EmitContext, emitters: readonly StepEmitter[] = migrationEmitters, preflight: readonly StepEmitter[] = preflightEmitters): MigrationStep[] {
  const resources = all.filter((resource) => !resource.unchanged);
  const first = resources.flatMap((resource) => preflight.flatMap((emit) => emit(resource, context)));
  // An unchanged database is not touched, but its data is still copied when the operator asked for it.
  const copies = emitters.includes(copyDataEmitter) ? all.filter((resource) => resource.unchanged).flatMap((resource) => copyDataEmitter(resource, context)) : [];
  return [...first, ...copies, ...resources.flatMap((resource) => emitters.flatMap((emit) => emit(resource, context)))];
}
