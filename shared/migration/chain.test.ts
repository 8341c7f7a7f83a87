import { describe, expect, it } from 'vitest';
import { GantryError } from '../ipc/result';
import { validateChainMove } from './chain';

const chain = [
  { id: 'env-dev', name: 'dev', production: false },
  { id: 'env-uat', name: 'uat', production: false },
  { id: 'env-prod', name: 'production', production: true },
];

function rejection(sourceEnvId: string, targetEnvId: string, purpose: 'migrate' | 'rollback' = 'migrate'): GantryError {
  try {
    validateChainMove({ chain, sourceEnvId, targetEnvId, purpose });
  } catch (error) {
    if (error instanceof GantryError) return error;
    throw error;
  }
  throw new Error(`${sourceEnvId} → ${targetEnvId} was accepted`);
}

describe('the environment chain', () => {
  it('lets dev go to uat and uat go to production', () => {
    expect(validateChainMove({ chain, sourceEnvId: 'env-dev', targetEnvId: 'env-uat', purpose: 'migrate' })).toMatchObject({ source: { name: 'dev' }, target: { name: 'uat' }, direction: 'forward' });
    expect(validateChainMove({ chain, sourceEnvId: 'env-uat', targetEnvId: 'env-prod', purpose: 'migrate' }).target.name).toBe('production');
  });

  it('rejects dev → production and names uat as the environment to go through', () => {
    const error = rejection('env-dev', 'env-prod');
    expect(error.code).toBe('chain_violation');
    expect(error.message).toContain('dev cannot go straight to production');
    expect(error.message).toContain('migrate dev → uat first');
    expect(error.details).toEqual({ through: ['uat'] });
  });

  it('names every environment in between on a longer chain', () => {
    const long = [...chain.slice(0, 2), { id: 'env-staging', name: 'staging', production: false }, chain[2]!];
    let message = '';
    try {
      validateChainMove({ chain: long, sourceEnvId: 'env-dev', targetEnvId: 'env-prod', purpose: 'migrate' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('migrate dev → uat first, then through staging, then on to production');
  });

  it('refuses to migrate down the chain and points to rollback instead', () => {
    const error = rejection('env-uat', 'env-dev');
    expect(error.code).toBe('chain_violation');
    expect(error.message).toContain('migrations only go up the chain');
    expect(error.message).toContain('roll it back');
  });

  it('allows a rollback one step down, and no further', () => {
    expect(validateChainMove({ chain, sourceEnvId: 'env-prod', targetEnvId: 'env-uat', purpose: 'rollback' }).direction).toBe('rollback');
    expect(rejection('env-prod', 'env-dev', 'rollback').message).toContain('only one step down, to uat, not to dev');
    expect(rejection('env-dev', 'env-uat', 'rollback').message).toContain('Migrate instead');
  });

  it('rejects a move into the same environment or one outside the chain', () => {
    expect(rejection('env-uat', 'env-uat').message).toContain('both uat');
    const unknown = rejection('env-dev', 'env-nowhere');
    expect(unknown.code).toBe('invalid_plan');
    expect(unknown.message).toContain('env-nowhere is not part of');
    expect(unknown.message).toContain('dev → uat → production');
  });
});
