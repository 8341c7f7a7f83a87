/**
 * Reads OpenSSH client config (~/.ssh/config) into server candidates, evaluating it for each
 * Host alias the way `ssh -G <alias>` does: lines in order, the first value of an option wins
 * (every IdentityFile is kept), `Host` patterns are case-sensitive against the lower-cased alias,
 * `Match` criteria that need no command (all, host, originalhost, user, localuser) are evaluated,
 * `Include` is followed (globs, relative to ~/.ssh, only when its block applies, 16 deep), and
 * tokens in IdentityFile and UserKnownHostsFile (%h %r %u %d %p %n %%, ~, ${VAR}) are expanded.
 * What Gantry cannot follow (`Match exec`, ProxyCommand) is reported per host in `notes`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { SshConfigHost } from '@shared/servers/server-schemas';
import { tokenizeConfigLine } from './ssh-config-tokens';

/** How included files are found and read (the real file system unless a test says otherwise). */
export interface ConfigFiles {
  /** The file's text, or null when it cannot be read. */
  read(path: string): string | null;
  /** Names in a folder, or none when it cannot be listed. */
  list(dir: string): string[];
}

/** Who runs ssh: the local user, their home and environment (for %u, %d, ~ and ${VAR}). */
export interface LocalContext {
  home: string;
  localUser: string;
  env: Record<string, string | undefined>;
}

const fileSystem: ConfigFiles = {
  read: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  },
  list: (dir) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
};

/** ssh's limit on nested Include. */
const MAX_INCLUDE_DEPTH = 16;

/** Parses config text into concrete Host aliases (wildcard and negated patterns are not servers). */
export function parseSshConfig(text: string, home: string = homedir(), files: ConfigFiles = fileSystem, local?: Partial<LocalContext>): SshConfigHost[] {
  const context: LocalContext = { home, localUser: local?.localUser ?? userInfo().username, env: local?.env ?? process.env };
  const aliases = new Set<string>();
  const collect = (content: string, depth: number) => {
    for (const raw of content.split(/\r?\n/)) {
      const [word, ...args] = tokenizeConfigLine(raw);
      if (word?.toLowerCase() === 'host') for (const p of args) if (!/[*?!]/.test(p)) aliases.add(p);
      if (word?.toLowerCase() === 'include' && depth < MAX_INCLUDE_DEPTH) {
        for (const pattern of args) for (const path of expandInclude(pattern, home, files)) collect(files.read(path) ?? '', depth + 1);
      }
    }
  };
  collect(text, 0);
  return [...aliases].map((alias) => resolveHost(text, alias, context, files));
}


/** Resolves one alias as `ssh -G -F <file> <alias>` would (IdentityFile entries tokens-expanded). */
export function resolveHost(text: string, alias: string, local: LocalContext, files: ConfigFiles = fileSystem): SshConfigHost {
  // Host patterns see the alias as typed (case-sensitive); the host name ssh ends up with is lower-cased.
  const original = alias;
  const options = new Map<string, string>();
  const identityFiles: string[] = [];
  const knownHostsFiles: string[] = [];
  const notes: string[] = [];
  const hostNow = () => (options.get('hostname') ?? original).replaceAll('%h', original).toLowerCase();

  const walk = (content: string, neverMatch: boolean, depth: number) => {
    let active = !neverMatch;
    for (const raw of content.split(/\r?\n/)) {
      const [word, ...args] = tokenizeConfigLine(raw);
      if (!word) continue;
      const keyword = word.toLowerCase();
      if (keyword === 'host') {
        active = !neverMatch && hostPatternsMatch(args, original);
      } else if (keyword === 'match') {
        active = !neverMatch && matchApplies(args, { host: hostNow(), original, user: options.get('user') ?? local.localUser, localUser: local.localUser }, notes);
      } else if (keyword === 'include') {
        if (depth >= MAX_INCLUDE_DEPTH) continue;
        for (const pattern of args) {
          for (const path of expandInclude(pattern, local.home, files)) {
            const included = files.read(path);
            if (included !== null) walk(included, !active, depth + 1);
          }
        }
      } else if (active) {
        const value = args[0];
        if (value === undefined) continue;
        if (keyword === 'identityfile') identityFiles.push(value);
        else if (keyword === 'userknownhostsfile') {
          if (knownHostsFiles.length === 0) knownHostsFiles.push(...args);
        } else if (keyword === 'proxycommand') {
          if (!options.has('proxycommand') && !options.has('proxyjump')) options.set('proxycommand', args.join(' '));
        } else if (keyword === 'proxyjump') {
          if (!options.has('proxycommand') && !options.has('proxyjump')) options.set('proxyjump', value);
        } else if (!options.has(keyword)) options.set(keyword, value);
      }
    }
  };
  walk(text, false, 0);

  const host = hostNow();
  const port = Number(options.get('port') ?? 22);
  const user = options.get('user') ?? local.localUser;
  const expand = (path: string) => expandTokens(path, { host, original, user, port: String(port), local });
  const proxyJump = options.get('proxyjump');
  const proxyCommand = options.get('proxycommand');
  if (proxyCommand && proxyCommand.toLowerCase() !== 'none') notes.push(`ProxyCommand (${proxyCommand}) is not run by Gantry: it connects straight to ${host}:${port}.`);
  const identities = identityFiles.map(expand);
  return {
    alias,
    host,
    port: Number.isInteger(port) && port > 0 && port < 65536 ? port : 22,
    username: options.get('user') ?? null,
    identityFile: identities[0] ?? null,
    identityFiles: identities,
    proxyJump: proxyJump && proxyJump.toLowerCase() !== 'none' ? proxyJump.split(',').map((hop) => hop.trim()).filter(Boolean).map(formatJumpHop) : [],
    userKnownHostsFiles: knownHostsFiles.filter((f) => f.toLowerCase() !== 'none').map(expand),
    hostKeyAlias: options.get('hostkeyalias') ?? null,
    notes: [...new Set(notes)],
  };
}

function hostPatternsMatch(patterns: string[], alias: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (globRegex(negated ? pattern.slice(1) : pattern).test(alias)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** A comma-separated pattern list as `Match host a,!b` reads it. */
function patternListMatches(list: string, value: string, caseless: boolean): boolean {
  return hostPatternsMatch(list.split(','), caseless ? value.toLowerCase() : value);
}

function matchApplies(args: string[], facts: { host: string; original: string; user: string; localUser: string }, notes: string[]): boolean {
  let result = true;
  for (let i = 0; i < args.length; i++) {
    let criterion = args[i]!.toLowerCase();
    const negate = criterion.startsWith('!');
    if (negate) criterion = criterion.slice(1);
    if (criterion === 'all') continue;
    if (criterion === 'canonical' || criterion === 'final') {
      result = false;
      continue;
    }
    const value = args[++i] ?? '';
    let hit: boolean;
    if (criterion === 'host') hit = patternListMatches(value, facts.host, true);
    else if (criterion === 'originalhost') hit = patternListMatches(value, facts.original, true);
    else if (criterion === 'user') hit = patternListMatches(value, facts.user, false);
    else if (criterion === 'localuser') hit = patternListMatches(value, facts.localUser, false);
    else {
      notes.push(`Match ${criterion} ${value} is not followed by Gantry: the options under it are left out.`);
      hit = false;
    }
    if (hit === negate) result = false;
  }
  return result;
}

/** Expands ~, ${VAR} and the % tokens ssh allows in IdentityFile and UserKnownHostsFile. */
export function expandTokens(path: string, facts: { host: string; original: string; user: string; port: string; local: LocalContext }): string {
  let out = path === '~' ? facts.local.home : path.startsWith('~/') ? `${facts.local.home}/${path.slice(2)}` : path;
  out = out.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => facts.local.env[name] ?? '');
  const tokens: Record<string, string> = { '%': '%', h: facts.host, r: facts.user, u: facts.local.localUser, d: facts.local.home, p: facts.port, n: facts.original };
  return out.replace(/%(.)/g, (m, t: string) => tokens[t] ?? m);
}

/** The files an Include pattern names: `~` expanded, relative to ~/.ssh, globs (`*`, `?`) in each part, in lexical order. */
function expandInclude(pattern: string, home: string, files: ConfigFiles): string[] {
  const expanded = pattern === '~' ? home : pattern.startsWith('~/') ? `${home}/${pattern.slice(2)}` : pattern;
  const path = isAbsolute(expanded) ? expanded : join(home, '.ssh', expanded);
  let candidates = ['/'];
  for (const part of path.split('/').filter(Boolean)) {
    if (!/[*?]/.test(part)) {
      candidates = candidates.map((dir) => join(dir, part));
      continue;
    }
    const regex = globRegex(part);
    candidates = candidates.flatMap((dir) =>
      files
        .list(dir)
        .filter((name) => regex.test(name) && !name.startsWith('.'))
        .sort()
        .map((name) => join(dir, name)),
    );
  }
  return candidates;
}

function globRegex(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`);
}

/** A hop as ssh prints it (`user@host:port`, the ssh:// scheme dropped). */
function formatJumpHop(hop: string): string {
  const { username, host, port } = parseJumpHop(hop);
  const name = port !== null && host.includes(':') ? `[${host}]` : host;
  return `${username ? `${username}@` : ''}${name}${port !== null ? `:${port}` : ''}`;
}

/** Splits a ProxyJump hop (`[ssh://][user@]host[:port]`) into its parts. */
export function parseJumpHop(hop: string): { username: string | null; host: string; port: number | null } {
  const bare = hop.replace(/^ssh:\/\//i, '').replace(/\/$/, '');
  const at = bare.lastIndexOf('@');
  const username = at >= 0 ? bare.slice(0, at) : null;
  let rest = at >= 0 ? bare.slice(at + 1) : bare;
  let port: number | null = null;
  const bracketed = /^\[(.+)\]:(\d+)$/.exec(rest);
  const plain = /^([^:]+):(\d+)$/.exec(rest);
  if (bracketed) [rest, port] = [bracketed[1]!, Number(bracketed[2])];
  else if (plain) [rest, port] = [plain[1]!, Number(plain[2])];
  return { username, host: rest, port };
}
