/**
 * Plans shown to the operator, kept in memory (with their desired specs in clear) for 15 minutes
 * so `migrations:start` runs exactly what was shown and `migrations:reveal` can show one value.
 */
import { randomUUID } from 'node:crypto';
import { GantryError } from '@shared/ipc/result';
import type { MigrationPlan } from '@shared/migration/plan';
import type { EmitContext } from '@shared/migration/plan-steps';
import { clearValueOf, describeField, type RevealRequest } from '@shared/migration/reveal';
import type { ResourceSpec } from '@shared/spec/resource-spec';
import type { Logger } from '../app/logger';

/** How long a plan shown to the operator may be started. */
const PLAN_TTL_MS = 15 * 60 * 1000;

/** A plan as the engine keeps it until it is started. */
export interface CachedPlan {
  plan: MigrationPlan;
  /** Each resource's source spec hash when planned: the promotion baseline that tells "behind". */
  sourceHashes: Record<string, string>;
  /** Each resource's diff baseline in clear (the target's spec on a promote, the source's on a clone), for `reveal`. */
  baselines: Record<string, ResourceSpec>;
  /** The target facts the step emitters read when the run starts. */
  facts: EmitContext['facts'];
  projectId: string;
  sourceServerId: string;
  targetServerId: string;
}

/** The engine's plans in memory. */
export class PlanCache {
  private readonly plans = new Map<string, CachedPlan & { expiresAt: number }>();

  constructor(private readonly logger: Logger) {}

  /** Keeps a plan; returns its id and expiry. */
  put(plan: CachedPlan): { planId: string; expiresAt: number } {
    const now = Date.now();
    for (const [id, cached] of this.plans) if (cached.expiresAt < now) this.plans.delete(id);
    const planId = randomUUID();
    const expiresAt = now + PLAN_TTL_MS;
    this.plans.set(planId, { ...plan, expiresAt });
    return { planId, expiresAt };
  }

  /** Takes a plan out to start it (a started plan is gone). */
  take(planId: string): CachedPlan {
    const cached = this.get(planId, 'Run the dry run again.');
    this.plans.delete(planId);
    return cached;
  }

  /** Checks that a plan can be started without taking it. */
  peek(planId: string): CachedPlan {
    return this.get(planId, 'Run the dry run again.');
  }

  /**
   * One value of a plan in clear, for the operator who asked to see it: from the desired spec
   * ('after') or the diff's baseline ('before'). Logged without the value.
   */
  reveal({ planId, resourceId, side, field }: RevealRequest): { value: string } {
    const cached = this.get(planId, 'Run the dry run again to see its values.', 'plans are kept 15 minutes, and a started plan is gone');
    const resource = cached.plan.resources.find((entry) => entry.resourceId === resourceId);
    if (!resource) throw new GantryError('not_found', `The plan has no resource ${resourceId}.`);
    const spec = side === 'after' ? resource.desiredSpec : cached.baselines[resourceId];
    const value = spec ? clearValueOf(spec, field) : null;
    if (value === null) throw new GantryError('not_found', `${resource.name} has no ${describeField(field)} ${side === 'after' ? 'after the migration' : 'before it'}.`);
    this.logger.info('secret revealed to the operator', { planId, resource: resource.name, side, field: describeField(field) });
    return { value };
  }

  private get(planId: string, what: string, why = 'plans are kept 15 minutes'): CachedPlan {
    const cached = this.plans.get(planId);
    if (!cached || cached.expiresAt < Date.now()) throw new GantryError('plan_expired', `This plan is no longer available (${why}). ${what}`);
    return cached;
  }
}
