import { describe, expect, it } from 'vitest';
import { MASK, maskEnvValue } from '../spec/secrets';
import { planMigration } from './plan';
import { clearValueOf, describeField, revealRequest } from './reveal';
import { DEV_DB_PASSWORD, devDb, devToUat, devWeb, healthyFacts, sequentialUuids, specWith } from './test-fixtures';

/** uat with nothing yet: web and db are both cloned. */
function cloneBoth() {
  const plan = planMigration(
    devToUat({ resourceIds: ['web', 'db'], targetResources: [], target: { server: { id: 'srv-uat', name: 'uat-server' }, facts: healthyFacts({ publishedPorts: [], specHashes: [], volumes: [], containerNames: [] }) } }),
    { newUuid: sequentialUuids() },
  );
  const planned = (id: string) => plan.resources.find((resource) => resource.resourceId === id)!;
  const diff = (id: string) => plan.diff.resources.find((resource) => resource.resourceId === id)!;
  return { plan, planned, diff };
}

describe('clearValueOf: every masked value of a diff can be revealed, and only that value', () => {
  it("reveals the database password a clone adds, which the diff shows masked", () => {
    const { planned, diff } = cloneBoth();
    const shown = diff('db').envAdded.find((env) => env.key === 'POSTGRES_PASSWORD')!;
    expect(shown.value).toBe(MASK);
    expect(clearValueOf(planned('db').desiredSpec, { kind: 'env', key: 'POSTGRES_PASSWORD' })).toBe(DEV_DB_PASSWORD);
  });

  it('reveals both sides of a rewired URL, and the clear values mask to exactly what the diff shows', () => {
    const { planned, diff } = cloneBoth();
    const rewired = diff('web').rewired.find((entry) => entry.site === 'env' && entry.key === 'DATABASE_URL')!;
    expect(rewired.before).not.toContain(DEV_DB_PASSWORD);
    const before = clearValueOf(devWeb().spec, { kind: 'rewired', site: 'env', key: 'DATABASE_URL' });
    const after = clearValueOf(planned('web').desiredSpec, { kind: 'rewired', site: 'env', key: 'DATABASE_URL' });
    expect(before).toBe(`postgres://app:${DEV_DB_PASSWORD}@dev-db:5432/app`);
    expect(after).toContain(DEV_DB_PASSWORD);
    expect(after).not.toContain('@dev-db:');
    expect(maskEnvValue('DATABASE_URL', before!)).toBe(rewired.before);
    expect(maskEnvValue('DATABASE_URL', after!)).toBe(rewired.after);
  });

  it('reveals a secret command argument and an attribute by the path the diff uses', () => {
    const spec = specWith({ command: ['redis-server', '--requirepass', 'r3dis-pw'], labels: { 'app.api-token': 'tok-123' } });
    expect(clearValueOf(spec, { kind: 'rewired', site: 'command', key: '2' })).toBe('r3dis-pw');
    expect(clearValueOf(spec, { kind: 'attribute', path: 'command' })).toBe('["redis-server","--requirepass","r3dis-pw"]');
    expect(clearValueOf(spec, { kind: 'attribute', path: 'labels[app.api-token]' })).toBe('tok-123');
    expect(clearValueOf(spec, { kind: 'rewired', site: 'label', key: 'app.api-token' })).toBe('tok-123');
  });

  it('returns nothing for what the spec does not hold, inherited object keys included', () => {
    const spec = devDb().spec;
    expect(clearValueOf(spec, { kind: 'env', key: 'NOT_THERE' })).toBeNull();
    expect(clearValueOf(spec, { kind: 'env', key: 'constructor' })).toBeNull();
    expect(clearValueOf(spec, { kind: 'env', key: '__proto__' })).toBeNull();
    expect(clearValueOf(spec, { kind: 'attribute', path: 'labels[missing]' })).toBeNull();
    expect(clearValueOf(spec, { kind: 'rewired', site: 'command', key: '0' })).toBeNull();
    expect(clearValueOf(specWith({ command: ['a', 'b'] }), { kind: 'rewired', site: 'command', key: 'length' })).toBeNull();
  });

  it('names fields the way the diff does, for messages', () => {
    expect(describeField({ kind: 'env', key: 'POSTGRES_PASSWORD' })).toBe('env POSTGRES_PASSWORD');
    expect(describeField({ kind: 'rewired', site: 'command', key: '2' })).toBe('command argument 2');
    expect(describeField({ kind: 'attribute', path: 'labels[x]' })).toBe('labels[x]');
  });

  it('rejects a malformed request: unknown side, unknown kind, extra fields', () => {
    const good = { planId: 'p', resourceId: 'db', side: 'after', field: { kind: 'env', key: 'POSTGRES_PASSWORD' } };
    expect(revealRequest.safeParse(good).success).toBe(true);
    expect(revealRequest.safeParse({ ...good, side: 'both' }).success).toBe(false);
    expect(revealRequest.safeParse({ ...good, field: { kind: 'file', path: '/etc/shadow' } }).success).toBe(false);
    expect(revealRequest.safeParse({ ...good, all: true }).success).toBe(false);
    expect(revealRequest.safeParse({ ...good, field: { kind: 'rewired', site: 'schedule', key: 'cleanup' } }).success).toBe(false);
  });
});
