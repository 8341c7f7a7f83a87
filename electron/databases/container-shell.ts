/**
 * Shell building blocks for adapters: a script run inside a container with `docker exec … sh -c`,
 * and how a script reaches a password without it ever being written into a command line.
 */
import { shellQuote } from '../servers/remote-host';
import type { DatabaseSpec, PasswordSource } from './adapter';

export { shellQuote };

/**
 * Below this many bytes by an engine's own statistics (which lag behind fresh writes), a size
 * estimate counts the dump itself: read-only, and seconds at that size.
 */
export const EXACT_SIZE_BELOW = 268_435_456;

/** `docker exec [-i] <container> sh -c '<script>'`: the script runs in the container's own environment. */
export function inContainer(container: string, script: string, options: { stdin?: boolean } = {}): string {
  return `docker exec ${options.stdin ? '-i ' : ''}${shellQuote(container)} sh -c ${shellQuote(script)}`;
}

/**
 * A shell expression (for use inside the container) that yields the password, read where it
 * lives: `"$VAR"`, the file `$VAR_FILE` names, or the server process's command line (`/proc`).
 */
export function passwordExpression(source: PasswordSource): string {
  switch (source.from) {
    case 'env':
      return `"$${source.name}"`;
    case 'env-file':
      return `"$(cat "$${source.name}")"`;
    case 'command-line':
      // Every process's arguments, one per line; the value after the flag (or after `flag=`).
      return `"$(cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' '\\n' | sed -n -e ${shellQuote(`s/^${source.flag}=//p`)} -e ${shellQuote(`/^${source.flag}$/{n;p;}`)} | head -n 1)"`;
    case 'config-file':
      return `"$(sed -n -e 's/^[[:space:]]*requirepass[[:space:]]\\{1,\\}//p' ${shellQuote(source.path)} | tail -n 1 | sed -e 's/^"\\(.*\\)"$/\\1/')"`;
  }
}

/** The first env variable of `names` that the spec sets (non-empty), or null. */
export function firstEnv(spec: DatabaseSpec, names: string[]): string | null {
  return names.find((name) => (spec.env[name] ?? '') !== '') ?? null;
}

/** The spec's value of the first of `names` that is set, or null. */
export function envValue(spec: DatabaseSpec, names: string[]): string | null {
  const name = firstEnv(spec, names);
  return name ? spec.env[name]! : null;
}

/** The image's repository without registry host and tag: `docker.io/bitnami/redis:7` → `bitnami/redis`. */
export function imageRepository(ref: string): string {
  const withoutDigest = ref.split('@')[0]!;
  const parts = withoutDigest.split('/');
  const last = parts.pop()!.split(':')[0]!;
  if (parts.length > 0 && /[.:]/.test(parts[0]!) ) parts.shift();
  return [...parts, last].join('/').toLowerCase();
}

/** The image's last path component: `bitnami/redis` → `redis`. */
export function imageName(ref: string): string {
  return imageRepository(ref).split('/').pop()!;
}

/** The spec's entrypoint + command as one list of words. */
export function processWords(spec: DatabaseSpec): string[] {
  return [...(spec.entrypoint ?? []), ...(spec.command ?? [])];
}
