import { describe, expect, it } from 'vitest';
import { environmentSlug, targetScopedName, translateName } from './naming';

const rename = { sourceSlug: 'dev', targetSlug: 'uat', sourceUuid: 'c0ffee', targetUuid: 'beef01' };

describe('naming things after the target environment', () => {
  it('swaps the environment word wherever it stands as a whole word', () => {
    expect(translateName('dev-db-data', rename)).toBe('uat-db-data');
    expect(translateName('app_dev', rename)).toBe('app_uat');
    expect(translateName('devices-data', rename)).toBeNull();
  });

  it('swaps the instance UUID for the target’s', () => {
    expect(translateName('c0ffee-postgres-data', rename)).toBe('beef01-postgres-data');
  });

  it('prefixes a name that says nothing about its environment, so a clone never shares the source’s volume', () => {
    expect(targetScopedName('pgdata', rename)).toBe('uat-pgdata');
  });

  it('turns an environment name into a slug usable in Docker names', () => {
    expect(environmentSlug({ name: 'UAT 2' })).toBe('uat-2');
    expect(environmentSlug({ name: '  ' })).toBe('env');
  });
});
