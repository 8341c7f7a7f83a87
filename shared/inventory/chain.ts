/**
 * Rules of an environment chain (dev → uat → production), checked before anything is stored:
 * names are unique, no environment appears twice (the chain would loop back on itself), and a
 * production environment is the last link.
 */

/** The fields of an environment the chain rules look at, in chain order. */
export interface ChainLink {
  id: string;
  name: string;
  production: boolean;
}

/** What is wrong with a proposed chain, one sentence per problem that says what to do; empty when it is valid. */
export function chainProblems(chain: readonly ChainLink[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const idsByName = new Map<string, Set<string>>();
  for (const link of chain) {
    if (ids.has(link.id)) problems.push(`Environment "${link.name}" appears twice, which would make the chain loop back on itself. List each environment once.`);
    ids.add(link.id);
    const key = link.name.trim().toLowerCase();
    const named = idsByName.get(key) ?? new Set<string>();
    named.add(link.id);
    idsByName.set(key, named);
    if (named.size === 2) problems.push(`Two environments are named "${link.name}". Give each environment its own name.`);
  }
  const lastProduction = chain.findLastIndex((link) => link.production);
  const firstProduction = chain.findIndex((link) => link.production);
  if (firstProduction !== -1 && (firstProduction !== chain.length - 1 || lastProduction !== firstProduction)) {
    const name = chain[firstProduction]?.name ?? '';
    problems.push(`Production environment "${name}" must be the last in the chain: move it to the end, or clear its production flag.`);
  }
  return [...new Set(problems)];
}

/**
 * The chain in the order `orderedIds` asks for. Rejects an order that repeats an environment
 * (a cycle), leaves one out, or names one that is not in the chain.
 */
export function reorderChain<T extends ChainLink>(chain: readonly T[], orderedIds: readonly string[]): { chain: T[]; problems: string[] } {
  const byId = new Map(chain.map((link) => [link.id, link]));
  const problems: string[] = [];
  const seen = new Set<string>();
  const reordered: T[] = [];
  for (const id of orderedIds) {
    const link = byId.get(id);
    if (!link) {
      problems.push(`There is no environment with id ${id} in this project.`);
      continue;
    }
    if (seen.has(id)) {
      problems.push(`Environment "${link.name}" appears twice in the new order, which would make the chain loop back on itself. List each environment once.`);
      continue;
    }
    seen.add(id);
    reordered.push(link);
  }
  const missing = chain.filter((link) => !seen.has(link.id));
  if (missing.length > 0) problems.push(`The new order leaves out ${missing.map((link) => `"${link.name}"`).join(', ')}. List every environment of the project.`);
  if (problems.length === 0) problems.push(...chainProblems(reordered));
  return { chain: reordered, problems };
}
