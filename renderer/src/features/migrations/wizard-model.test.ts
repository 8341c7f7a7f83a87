import { describe, expect, it } from 'vitest';
import type { EnvironmentView, GraphCell } from '@shared/inventory/model';
import type { MigrationPlan } from '@shared/migration/plan';
import type { Precheck } from '@shared/migration/prechecks';
import { badgeOfMode, canContinue, changeTone, groupPrechecks, movableResources, nextEnvironment, stepsFor } from './wizard-model';

const env = (id: string, position: number, production = false): EnvironmentView => ({ id, projectId: 'p', name: id, position, production, serverId: null, serverName: null, network: 'n', domain: '' });
const cell = (resourceId: string, environmentId: string, withContainer: boolean, recordedHash: string | null = null): GraphCell => ({
  resourceId,
  environmentId,
  status: withContainer ? 'in_sync' : 'absent',
  also: [],
  reason: '',
  recordedHash,
  container: withContainer ? ({ containerName: `${environmentId}-${resourceId}` } as GraphCell['container']) : null,
});
const check = (id: string, severity: Precheck['severity']): Precheck => ({ id, check: 'disk', severity, message: id });
const planWith = (prechecks: Precheck[], production = false) => ({ prechecks, blocking: prechecks.some((each) => each.severity === 'blocking'), target: { id: 'uat', name: production ? 'production' : 'uat', production } }) as MigrationPlan;
const base = { projectId: 'p', sourceId: 'dev', targetId: 'uat', selected: ['web'], plan: planWith([check('disk', 'ok')]), planning: false, healthTimeoutSec: 300 };

describe('the migrate wizard', () => {
  it('badges a planned resource New, Update, or Unchanged when the target already runs its spec', () => {
    expect([badgeOfMode('clone'), badgeOfMode('promote'), badgeOfMode('promote', true)]).toEqual(['New', 'Update', 'Unchanged']);
  });

  it('offers only the next environment of the chain, whatever order the chain arrives in', () => {
    const chain = [env('prod', 2, true), env('dev', 0), env('uat', 1)];
    expect(nextEnvironment(chain, 'dev')?.id).toBe('uat');
    expect(nextEnvironment(chain, 'uat')?.id).toBe('prod');
    expect(nextEnvironment(chain, 'prod')).toBeNull();
  });

  it('lists what runs in the source, marked New when the target has none and Update when it has one', () => {
    const resources = [
      { id: 'web', name: 'web', kind: 'application' },
      { id: 'db', name: 'db', kind: 'database' },
      { id: 'cache', name: 'cache', kind: 'service' },
      { id: 'queue', name: 'queue', kind: 'service' },
    ];
    // queue: recorded by Gantry in both, though the last discovery predates it (absent there).
    const cells = [cell('web', 'dev', true), cell('web', 'uat', true), cell('db', 'dev', true), cell('db', 'uat', false), cell('cache', 'dev', false), cell('queue', 'dev', false, 'h1'), cell('queue', 'uat', false, 'h2')];
    expect(movableResources(resources, cells, 'dev', 'uat')).toEqual([
      { resourceId: 'web', name: 'web', kind: 'application', badge: 'Update' },
      { resourceId: 'db', name: 'db', kind: 'database', badge: 'New' },
      { resourceId: 'queue', name: 'queue', kind: 'service', badge: 'Update' },
    ]);
  });

  it('skips the source step when the opener chose project and environment', () => {
    expect(stepsFor(true)[0]).toBe('resources');
    expect(stepsFor(false)[0]).toBe('source');
  });

  it('stops at a blocking pre-check and says how many and what to do', () => {
    const blocked = { ...base, plan: planWith([check('disk', 'blocking'), check('ports', 'warning')]) };
    for (const step of ['prechecks', 'review', 'options', 'confirm'] as const) {
      const gate = canContinue(step, blocked);
      expect(gate.ok).toBe(false);
      expect(!gate.ok && gate.reason).toMatch(/^1 blocking pre-check stops this migration: do what it says/);
    }
    expect(canContinue('prechecks', { ...base, plan: planWith([check('ports', 'warning')]) })).toEqual({ ok: true });
  });

  it('needs a target, a resource and a valid timeout', () => {
    expect(canContinue('resources', { ...base, targetId: null })).toMatchObject({ ok: false, reason: expect.stringContaining('last of its chain') });
    expect(canContinue('resources', { ...base, selected: [] })).toMatchObject({ ok: false, reason: 'Choose at least one resource to move.' });
    expect(canContinue('options', { ...base, healthTimeoutSec: 2 })).toMatchObject({ ok: false, reason: expect.stringContaining('between 5 and 3600') });
    expect(canContinue('options', { ...base, healthTimeoutSec: Number.NaN }).ok).toBe(false);
    expect(canContinue('options', { ...base, httpCheckPath: '/health' }).ok).toBe(true);
    expect(canContinue('options', { ...base, httpCheckPath: '' }).ok).toBe(true);
    expect(canContinue('options', { ...base, httpCheckPath: 'health' })).toMatchObject({ ok: false, reason: expect.stringContaining('starts with /') });
    expect(canContinue('options', { ...base, httpCheckPath: '/he alth' }).ok).toBe(false);
    expect(canContinue('source', { ...base, sourceId: null })).toMatchObject({ ok: false, reason: 'Choose the environment to migrate from.' });
  });

  it('starts a migration into production only once the operator has typed its name', () => {
    const intoProduction = { ...base, plan: planWith([check('disk', 'ok')], true) };
    expect(canContinue('confirm', intoProduction)).toMatchObject({ ok: false, reason: 'Type production to start a migration into production.' });
    expect(canContinue('confirm', { ...intoProduction, typedName: 'prod' }).ok).toBe(false);
    expect(canContinue('confirm', { ...intoProduction, typedName: 'production' }).ok).toBe(true);
    expect(canContinue('confirm', base).ok).toBe(true);
  });

  it('puts blocking pre-checks first', () => {
    expect(groupPrechecks([check('a', 'ok'), check('b', 'blocking'), check('c', 'warning')]).map((group) => group.severity)).toEqual(['blocking', 'warning', 'ok']);
  });

  it('colours attribute changes green when added, red when removed, yellow when changed', () => {
    expect(changeTone({ before: null, after: 'x' })).toBe('added');
    expect(changeTone({ before: 'x', after: null })).toBe('removed');
    expect(changeTone({ before: 'x', after: 'y' })).toBe('changed');
  });
});
