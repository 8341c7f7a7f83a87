/**
 * A minimal journaled run for unit tests that write `migrations` rows by hand: valid under the
 * stored-run schema, with one cloned resource per id given.
 */
import { specWith } from '@shared/migration/test-fixtures';
import type { StoredRun } from '../stored-run';

/** A stored run (format 1) of `kind` that clones each of `resourceIds` from dev to uat. */
export function storedRunFixture(kind: StoredRun['kind'], resourceIds: readonly string[]): StoredRun {
  const resources = resourceIds.map((resourceId) => ({
    resourceId,
    name: resourceId,
    kind: 'application' as const,
    mode: 'clone' as const,
    unchanged: false,
    addedAsDependency: false,
    source: { uuid: `dev-${resourceId}`, containerName: `dev-${resourceId}`, hostnames: [] },
    target: { uuid: `uat-${resourceId}`, containerName: `uat-${resourceId}`, hostnames: [] },
    desiredSpec: specWith({}),
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
