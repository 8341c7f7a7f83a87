/**
 * How things Gantry creates in the target environment are named: after the target environment,
 * never sharing a name with the source (a clone's volumes are new and empty; reusing the source's
 * volume name on a shared server would hand the clone the source's data).
 */
import type { ChainEnvironment } from './plan-input';

/** The environment's name as it appears inside container, volume and network names (`UAT 2` → `uat-2`). */
export function environmentSlug(environment: Pick<ChainEnvironment, 'name'>): string {
  return (
    environment.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'env'
  );
}

/** What a source name is translated with. */
export interface RenameContext {
  sourceSlug: string;
  targetSlug: string;
  sourceUuid: string;
  targetUuid: string;
}

/**
 * Translates a source name into the target environment: the source instance's UUID becomes the
 * target's, and the source environment's name, where it stands as a whole word between `-`, `_`
 * or `.`, becomes the target's (`dev-db-data` → `uat-db-data`, `app_dev` → `app_uat`).
 * Returns null when nothing in the name was environment-specific.
 */
export function translateName(name: string, context: RenameContext): string | null {
  let renamed = context.sourceUuid !== '' && context.sourceUuid !== context.targetUuid ? name.split(context.sourceUuid).join(context.targetUuid) : name;
  const words = renamed.split(/([-_.])/);
  renamed = words.map((word) => (word.toLowerCase() === context.sourceSlug ? context.targetSlug : word)).join('');
  return renamed === name ? null : renamed;
}

/** The target name for something that must not share the source's name: translated, or else prefixed with the target environment. */
export function targetScopedName(name: string, context: RenameContext): string {
  return translateName(name, context) ?? `${context.targetSlug}-${name}`;
}
