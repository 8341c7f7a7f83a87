/**
 * The environment chain rule: work moves only into the next environment (dev → uat →
 * production), never skips one, and goes down the chain only as a rollback — so everything that
 * reaches production has run in every environment before it.
 */
import { GantryError } from '../ipc/result';
import type { ChainEnvironment } from './plan-input';

/** Which way a permitted move goes. */
export type ChainDirection = 'forward' | 'rollback';

/** The two environments of a permitted move. */
export interface ChainMove {
  source: ChainEnvironment;
  target: ChainEnvironment;
  direction: ChainDirection;
}

/**
 * Checks that moving from `sourceEnvId` into `targetEnvId` follows the chain. Throws a
 * `GantryError` (`chain_violation`, or `invalid_plan` for unknown environments) whose message
 * names the environment to go through instead.
 */
export function validateChainMove(options: {
  chain: readonly ChainEnvironment[];
  sourceEnvId: string;
  targetEnvId: string;
  purpose: 'migrate' | 'rollback';
}): ChainMove {
  const { chain, sourceEnvId, targetEnvId, purpose } = options;
  const order = chain.map((environment) => environment.name).join(' → ');
  const sourceIndex = chain.findIndex((environment) => environment.id === sourceEnvId);
  const targetIndex = chain.findIndex((environment) => environment.id === targetEnvId);
  const source = chain[sourceIndex];
  const target = chain[targetIndex];
  if (!source) throw new GantryError('invalid_plan', `The source environment ${sourceEnvId} is not part of this project's chain (${order}).`);
  if (!target) throw new GantryError('invalid_plan', `The target environment ${targetEnvId} is not part of this project's chain (${order}).`);
  if (sourceIndex === targetIndex) throw new GantryError('chain_violation', `Source and target are both ${source.name}: choose the next environment in the chain (${order}).`);

  if (targetIndex > sourceIndex) {
    if (purpose === 'rollback') {
      throw new GantryError('chain_violation', `A rollback goes down the chain, but ${target.name} comes after ${source.name} (${order}). Migrate instead.`);
    }
    if (targetIndex > sourceIndex + 1) {
      const between = chain.slice(sourceIndex + 1, targetIndex).map((environment) => environment.name);
      throw new GantryError(
        'chain_violation',
        `${source.name} cannot go straight to ${target.name}: migrate ${source.name} → ${between[0]} first${between.length > 1 ? `, then through ${between.slice(1).join(', ')}` : ''}, then on to ${target.name} (${order}).`,
        { through: between },
      );
    }
    return { source, target, direction: 'forward' };
  }

  if (purpose !== 'rollback') {
    throw new GantryError('chain_violation', `${target.name} comes before ${source.name} in the chain (${order}): migrations only go up the chain. To undo a migration into ${source.name}, roll it back.`);
  }
  if (targetIndex < sourceIndex - 1) {
    const previous = chain[sourceIndex - 1];
    throw new GantryError('chain_violation', `A rollback from ${source.name} goes only one step down, to ${previous?.name ?? 'the previous environment'}, not to ${target.name} (${order}).`);
  }
  return { source, target, direction: 'rollback' };
}
