import { describe, expect, it } from 'vitest';
import { planMigration } from '@shared/migration/plan';
import { devToUat, healthyFacts, sequentialUuids, uatDb, uatWeb, UAT_DB_PASSWORD } from '@shared/migration/test-fixtures';
import { newPassword, rewriteEmbedded, rotateFirstProductionClone, rotationOf, rotationSummary } from './rotation';

/** uat → production with nothing in production yet: the first clone. */
function firstClone() {
  return planMigration(
    devToUat({
      sourceEnvId: 'env-uat',
      targetEnvId: 'env-prod',
      sourceResources: [uatWeb(), uatDb()],
      targetResources: [],
      resourceIds: ['web', 'db'],
      target: { server: { id: 'srv-prod', name: 'prod-server' }, facts: healthyFacts({ publishedPorts: [], containerNames: [], volumes: [], specHashes: [] }) },
    }),
    { newUuid: sequentialUuids() },
  );
}

describe('credential rotation on the first clone into production', () => {
  const plan = firstClone();
  const { plan: rotated, rotated: what } = rotateFirstProductionClone(plan, () => 'N3wStrongPassw0rd');
  const spec = (id: string) => rotated.resources.find((resource) => resource.resourceId === id)!.desiredSpec;

  it('gives production’s database a new password and rewrites the app’s DATABASE_URL that embedded the old one', () => {
    expect(spec('db').env.POSTGRES_PASSWORD).toBe('N3wStrongPassw0rd');
    expect(spec('web').env.DATABASE_URL).toMatch(/^postgres:\/\/app:N3wStrongPassw0rd@.+:5432\/app$/);
    expect(JSON.stringify(rotated.resources)).not.toContain(UAT_DB_PASSWORD);
    expect(what).toEqual([{ resourceId: 'db', resourceName: 'db', variable: 'POSTGRES_PASSWORD', rewritten: ['web DATABASE_URL'] }]);
  });

  it('can be read back from the rotated plan alone (it travels through approval requests)', () => {
    expect(rotationOf(rotated)).toEqual(what);
  });

  it('leaves the plan it was given as it was (uat’s values stay uat’s)', () => {
    expect(plan.resources.find((resource) => resource.resourceId === 'db')!.desiredSpec.env.POSTGRES_PASSWORD).toBe(UAT_DB_PASSWORD);
  });

  it('rotates nothing outside production, nor on a promote (production keeps its own credentials)', () => {
    expect(rotateFirstProductionClone({ ...plan, target: { ...plan.target, production: false } }).rotated).toEqual([]);
    expect(rotateFirstProductionClone({ ...plan, resources: plan.resources.map((resource) => ({ ...resource, mode: 'promote' as const })) }).rotated).toEqual([]);
  });

  it('says what it rotated without any value', () => {
    const line = rotationSummary(what, 'production')!;
    expect(line).toContain('db POSTGRES_PASSWORD (rewritten in web DATABASE_URL)');
    expect(line).not.toContain('N3wStrongPassw0rd');
  });
});

describe('matching the old password by value', () => {
  it('rewrites a URL’s user:password@, a DSN’s password=, the whole value, and the percent-encoded form', () => {
    expect(rewriteEmbedded('mysql://u:old-pw@h/db', 'old-pw', 'NEW')).toBe('mysql://u:NEW@h/db');
    expect(rewriteEmbedded('host=h password=old-pw dbname=x', 'old-pw', 'NEW')).toBe('host=h password=NEW dbname=x');
    expect(rewriteEmbedded('old-pw', 'old-pw', 'NEW')).toBe('NEW');
    expect(rewriteEmbedded('redis://:p%40ss@h:6379', 'p@ss', 'NEW')).toBe('redis://:NEW@h:6379');
  });

  it('leaves a value that merely contains the password’s text elsewhere', () => {
    expect(rewriteEmbedded('https://app.example/app', 'app', 'NEW')).toBe('https://app.example/app');
    expect(rewriteEmbedded('password=old-pw2', 'old-pw', 'NEW')).toBe('password=old-pw2');
  });

  it('generates 32 URL- and shell-safe characters, different each time', () => {
    const a = newPassword();
    expect(a).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(newPassword()).not.toBe(a);
  });
});
