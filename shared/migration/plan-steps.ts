/**
 * Turns planned resources into the steps the engine runs, resource by resource in plan order
 * (dependencies first), so each resource is up and healthy before anything that depends on it
 * is created.
 */
import type { ResourceSpec } from '../spec/resource-spec';
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

/** The ordered steps for a plan's resources. */
export function stepsFor(resources: readonly PlannedResource[], facts: TargetFacts): MigrationStep[] {
  return resources.flatMap((resource): MigrationStep[] => {
    const { resourceId, name } = resource;
    const containerName = resource.target.containerName;
    const steps: MigrationStep[] = [
      {
        id: `transfer-image:${resourceId}`,
        kind: 'transfer-image',
        title: `Copy image ${resource.desiredSpec.image.ref} for ${name}`,
        resourceId,
        undo: 'Remove the copied image if the target did not have it before',
        params: { imageRef: resource.desiredSpec.image.ref, imageId: resource.desiredSpec.image.id },
      },
    ];
    if (resource.volumesToCreate.length > 0) {
      steps.push({
        id: `create-volumes:${resourceId}`,
        kind: 'create-volumes',
        title: `Create ${resource.volumesToCreate.length === 1 ? 'volume' : 'volumes'} ${resource.volumesToCreate.join(', ')}`,
        resourceId,
        undo: `Remove ${resource.volumesToCreate.join(', ')}`,
        params: { volumes: [...resource.volumesToCreate] },
      });
    }
    if (resource.mode === 'clone') {
      steps.push({ id: `create-container:${resourceId}`, kind: 'create-container', title: `Create ${containerName}`, resourceId, undo: `Remove ${containerName}`, params: { containerName } });
    } else {
      const live = facts.specHashes.find((entry) => entry.resourceId === resourceId)?.liveSpecHash ?? null;
      steps.push({
        id: `replace-container:${resourceId}`,
        kind: 'replace-container',
        title: `Update ${containerName}`,
        resourceId,
        undo: `Put the previous ${containerName} back`,
        params: { containerName, previousSpecHash: live },
      });
    }
    steps.push({ id: `wait-healthy:${resourceId}`, kind: 'wait-healthy', title: `Wait for ${containerName} to be healthy`, resourceId, undo: null, params: { containerName, timeoutMs: healthWaitMs(resource.desiredSpec) } });
    if (resource.scheduledTasks.length > 0) {
      steps.push({
        id: `install-schedules:${resourceId}`,
        kind: 'install-schedules',
        title: `Schedule ${resource.scheduledTasks.map((entry) => entry.taskName).join(', ')} in ${containerName}`,
        resourceId,
        undo: 'Remove the crontab lines it added',
        params: { entries: resource.scheduledTasks.map((entry) => ({ ...entry })) },
      });
    }
    if (resource.linksToCreate.length > 0) {
      steps.push({
        id: `link-resources:${resourceId}`,
        kind: 'link-resources',
        title: `Check that ${name} reaches ${resource.linksToCreate.map((link) => link.toContainerName).join(', ')}`,
        resourceId,
        undo: null,
        params: { links: resource.linksToCreate.map((link) => ({ ...link })) },
      });
    }
    steps.push({ id: `record-resource:${resourceId}`, kind: 'record-resource', title: `Record ${containerName}`, resourceId, undo: 'Restore the previous record', params: { containerName, tags: [...resource.tags] } });
    return steps;
  });
}
