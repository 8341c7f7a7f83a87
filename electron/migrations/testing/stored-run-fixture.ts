/**
 * A minimal journaled run for unit tests that write `migrations` rows by hand: valid under the
 * stored-run schema, with one cloned resource per id given.
 */
import type { ResourceSpec } from '@shared/spec/resource-spec';
import type { StoredRun } from '../stored-run';

/** A spec with nothing in it but an image. */
export function emptySpec(image: string): ResourceSpec {
  return {
    image: { ref: image, id: null, digest: null },
    entrypoint: null,
    command: null,
    workingDir: '',
    user: '',
    env: {},
    mounts: [],
    ports: [],
    labels: {},
    healthcheck: null,
    restartPolicy: { name: 'no', maximumRetryCount: 0 },
    limits: { memoryBytes: 0, nanoCpus: 0, pidsLimit: null },
    networks: [],
  };
}

/** A stored run (format 1) of `kind` that clones each of `resourceIds` from dev to uat. */
export function storedRunFixture(kind: StoredRun['kind'], resourceIds: readonly string[]): StoredRun {
  const resources = resourceIds.map((resourceId) => ({
    resourceId,
    name: resourceId,
    kind: 'application' as const,
    mode: 'clone' as const,
    addedAsDependency: false,
    source: { uuid: `dev-${resourceId}`, containerName: `dev-${resourceId}`, hostnames: [] },
    target: { uuid: `uat-${resourceId}`, containerName: `uat-${resourceId}`, hostnames: [] },
    desiredSpec: emptySpec('webapp:1'),
    volumesToCreate: [],
    scheduledTasks: [],
    linksToCreate: [],
    tags: [],
  }));
  const plan = {
    source: { id: 'dev', name: 'dev' },
    target: { id: 'uat', name: 'uat', production: false },
    server: { id: 'server-uat', name: 'uat' },
    direction: 'forward' as const,
    resources,
    steps: [],
    diff: { resources: [], unified: '' },
    missingDependencies: [],
    prechecks: [],
    blocking: false,
  };
  return { format: 1, kind, plan, steps: [], sourceServerId: 'server-dev', promotedFrom: {}, event: kind === 'migrate' ? 'migrated' : 'rolled_back', expected: [] };
}
