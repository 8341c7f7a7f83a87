/**
 * A run as the journal stores it (`migrations.plan_json`): the masked plan it executes, its
 * journaled steps, and what the target should look like before it (for the check after a
 * recovery). Read back through these schemas, never cast; `format` lets a later version read
 * older rows (rows written before formats existed are read as format 0 and upgraded here).
 */
import { z } from 'zod';
import { GantryError } from '@shared/ipc/result';
import type { MigrationPlan } from '@shared/migration/plan';
import { domainChangeRecord } from '@shared/domains/domain-change';
import { cronEntrySchema, migrationStep } from '@shared/migration/steps';
import { resourceKind, resourceSpec } from '@shared/spec/resource-spec';

const identity = z.object({ uuid: z.string(), containerName: z.string(), hostnames: z.array(z.string()).readonly() });

const plannedResource = z.object({
  resourceId: z.string(),
  name: z.string(),
  kind: resourceKind,
  mode: z.enum(['clone', 'promote']),
  unchanged: z.boolean().default(false),
  addedAsDependency: z.boolean(),
  source: identity,
  target: identity,
  desiredSpec: resourceSpec,
  volumesToCreate: z.array(z.string()),
  scheduledTasks: z.array(cronEntrySchema),
  linksToCreate: z.array(z.object({ toResourceId: z.string(), toContainerName: z.string() })),
  tags: z.array(z.string()),
  domain: z
    .object({ domain: z.string(), url: z.string(), proxy: z.enum(['traefik', 'caddy-docker-proxy', 'caddy-admin', 'none']), routeId: z.string().nullable(), dial: z.string().nullable(), acmeIssuer: z.string().nullable() })
    .optional(),
  dependsOn: z.array(z.string()).optional(),
});

const precheck = z.object({
  id: z.string(),
  check: z.enum(['server', 'disk', 'ports', 'drift', 'empty-env', 'active-migration', 'dependencies', 'volumes', 'names', 'domain']),
  severity: z.enum(['ok', 'warning', 'blocking']),
  message: z.string(),
  resourceId: z.string().optional(),
  suggestion: z.object({ portKey: z.string(), hostPort: z.number() }).optional(),
});

const resourceDiff = z.object({
  resourceId: z.string(),
  name: z.string(),
  mode: z.enum(['clone', 'promote']),
  unchanged: z.boolean().default(false),
  baseline: z.enum(['source', 'target']),
  attributes: z.array(z.object({ path: z.string(), before: z.string().nullable(), after: z.string().nullable() })),
  envAdded: z.array(z.object({ key: z.string(), value: z.string() })),
  envKeptFromTarget: z.array(z.string()),
  rewired: z.array(
    z.object({
      site: z.enum(['env', 'label', 'command', 'entrypoint', 'healthcheck', 'schedule']),
      key: z.string(),
      before: z.string(),
      after: z.string(),
      references: z.array(z.object({ from: z.string(), to: z.string() })),
    }),
  ),
  linksCreated: z.array(z.object({ toResourceId: z.string(), toName: z.string(), toContainerName: z.string() })),
  volumesCreated: z.array(z.string()),
  domainLeftBehind: z.array(z.string()),
  unified: z.string(),
});

const missingDependency = z.object({
  resourceId: z.string(),
  name: z.string(),
  kind: resourceKind.nullable(),
  referencedBy: z.array(z.object({ resourceId: z.string(), name: z.string(), via: z.string() })),
});

/** A masked plan as journaled (the shape of `MigrationPlan`). */
export const storedPlan = z.object({
  source: z.object({ id: z.string(), name: z.string() }),
  target: z.object({ id: z.string(), name: z.string(), production: z.boolean() }),
  server: z.object({ id: z.string(), name: z.string() }),
  direction: z.enum(['forward', 'rollback']),
  resources: z.array(plannedResource),
  steps: z.array(migrationStep),
  diff: z.object({ resources: z.array(resourceDiff), unified: z.string() }),
  missingDependencies: z.array(missingDependency),
  prechecks: z.array(precheck),
  blocking: z.boolean(),
}) satisfies z.ZodType<MigrationPlan>;

/** What one resource's container should be before the run (null hash: absent), checked after a recovery. */
export const expectedState = z.object({ resourceId: z.string(), name: z.string(), containerName: z.string(), beforeHash: z.string().nullable() });
/** What one resource's container should be before the run. */
export type ExpectedState = z.infer<typeof expectedState>;

/** The kinds of run, each a journaled plan of registered steps. */
export const runKind = z.enum(['migrate', 'rollback', 'restore']);
/** The kind of a run. */
export type RunKind = z.infer<typeof runKind>;

/** A run as journaled, format 1. */
export const storedRun = z.object({
  format: z.literal(1),
  kind: runKind,
  /** The plan shown to the operator (masked); for a rollback or restore, the plan of the run it undoes. */
  plan: storedPlan,
  /** The steps this run executes, in order (masked params): what recovery undoes or completes. */
  steps: z.array(migrationStep),
  sourceServerId: z.string(),
  /** Per resource, the upstream spec hash this run promotes from (recorded as the instance's baseline). */
  promotedFrom: z.record(z.string(), z.string().nullable()),
  /** How the run's records name what happened (spec history). */
  event: z.enum(['migrated', 'rolled_back']),
  expected: z.array(expectedState),
  /** A "Change domain" run: which resource it moved, from which domain to which (its undo reads it). */
  domainChange: domainChangeRecord.optional(),
});
/** A run as journaled. */
export type StoredRun = z.infer<typeof storedRun>;

/** Rows written before formats existed: the masked plan plus two engine fields; a rollback's steps were not kept. */
const legacyRun = storedPlan.extend({ sourceServerId: z.string().optional(), sourceHashes: z.record(z.string(), z.string()).optional() });

/** Reads a journaled run; an unreadable one is an error that says so (never a guess). */
export function readStoredRun(json: string, rowKind: string): StoredRun {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new GantryError('journal_unreadable', 'The journaled plan of this migration is not valid JSON.');
  }
  if (value && typeof value === 'object' && 'format' in value) {
    const parsed = storedRun.safeParse(value);
    if (parsed.success) return parsed.data;
    throw new GantryError('journal_unreadable', `The journaled plan of this migration cannot be read: ${z.prettifyError(parsed.error)}`);
  }
  const legacy = legacyRun.safeParse(value);
  if (!legacy.success) throw new GantryError('journal_unreadable', `The journaled plan of this migration (an older format) cannot be read: ${z.prettifyError(legacy.error)}`);
  const { sourceServerId, sourceHashes, ...plan } = legacy.data;
  const kind = rowKind === 'rollback' ? 'rollback' : 'migrate';
  return {
    format: 1,
    kind,
    plan,
    // A legacy rollback journaled no steps; its plan's steps are the migration's, not its own.
    steps: kind === 'migrate' ? plan.steps : [],
    sourceServerId: sourceServerId ?? plan.server.id,
    promotedFrom: sourceHashes ?? {},
    event: kind === 'migrate' ? 'migrated' : 'rolled_back',
    expected: [],
  };
}
