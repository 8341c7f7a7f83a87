/**
 * Rewiring: a resource refers to others by container name, hostname or UUID inside env vars,
 * labels and command arguments (`DATABASE_URL=postgres://app:pw@dev-db:5432/app`). In the target
 * environment those references must name the target's counterparts (`uat-db`).
 *
 * A reference is a whole hostname-like token: a maximal run of letters, digits, `_`, `-` and `.`
 * (trailing dots dropped, as at the end of a sentence). `dev-db` therefore never matches inside
 * `dev-db2`, `my-dev-db` or `dev-db.example.com`, which are other names.
 */

/** How one instance is referred to: the strings other resources use to reach it. */
export interface InstanceIdentity {
  uuid: string;
  containerName: string;
  hostnames: readonly string[];
}

/** One reference that was rewritten. */
export interface ReferenceRewrite {
  from: string;
  to: string;
}

/** Source reference → target reference, for every resource that has a counterpart in the target. */
export type ReferenceMap = ReadonlyMap<string, string>;

const hostnameToken = /[A-Za-z0-9_.-]+/g;

/** Calls `visit` for each whole hostname-like token of `text`, with its position. */
function eachToken(text: string, visit: (token: string, start: number) => void): void {
  for (const match of text.matchAll(hostnameToken)) {
    visit(match[0].replace(/\.+$/, ''), match.index);
  }
}

/** The names an instance answers to: UUID, container name and every hostname. */
export function namesOf(identity: InstanceIdentity): string[] {
  return [...new Set([identity.uuid, identity.containerName, ...identity.hostnames])].filter((name) => name !== '');
}

/**
 * Pairs each name of a source instance with what means the same in the target: UUID → UUID,
 * container name → container name, a hostname → the target hostname it became (or the target's
 * container name, which Docker always resolves). Names equal on both sides are left out.
 */
export function buildReferenceMap(pairs: readonly { source: InstanceIdentity; target: InstanceIdentity; renameHostname: (hostname: string) => string }[]): ReferenceMap {
  const map = new Map<string, string>();
  const add = (from: string, to: string) => {
    if (from !== '' && from !== to && !map.has(from)) map.set(from, to);
  };
  for (const { source, target, renameHostname } of pairs) {
    add(source.uuid, target.uuid);
    add(source.containerName, target.containerName);
    for (const hostname of source.hostnames) {
      if (hostname === source.containerName || hostname === source.uuid) continue;
      const renamed = renameHostname(hostname);
      add(hostname, target.hostnames.includes(renamed) ? renamed : target.containerName);
    }
  }
  return map;
}

/** Rewrites every whole-token reference in `text` found in `map`; returns the new text and what changed. */
export function rewireText(text: string, map: ReferenceMap): { text: string; rewrites: ReferenceRewrite[] } {
  if (map.size === 0) return { text, rewrites: [] };
  const rewrites: ReferenceRewrite[] = [];
  let result = '';
  let copied = 0;
  eachToken(text, (token, start) => {
    const replacement = map.get(token);
    if (replacement === undefined) return;
    result += text.slice(copied, start) + replacement;
    copied = start + token.length;
    rewrites.push({ from: token, to: replacement });
  });
  return { text: result + text.slice(copied), rewrites };
}

/** The names from `names` that `text` refers to as whole tokens. */
export function referencedNames(text: string, names: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  eachToken(text, (token) => {
    if (names.has(token)) found.add(token);
  });
  return [...found];
}
