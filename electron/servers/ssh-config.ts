/**
 * Reads OpenSSH client config (~/.ssh/config) into server candidates: Host aliases with their
 * HostName, Port, User, IdentityFile and ProxyJump, applying `Host *`-style blocks the way ssh
 * does (the first value found for an option wins). `Include` is followed as ssh follows it
 * (globs in lexical order, relative paths under ~/.ssh, inside a Host block only for that block,
 * at most 16 deep); `Match` blocks are skipped: their conditions need a live ssh to evaluate.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { SshConfigHost } from '@shared/servers/server-schemas';

interface HostBlock {
  patterns: string[];
  /** Patterns of the Host blocks this one was included from: each must match too. */
  guards: string[][];
  options: Map<string, string>;
}

/** How included files are found and read (the real file system unless a test says otherwise). */
export interface ConfigFiles {
  /** The file's text, or null when it cannot be read. */
  read(path: string): string | null;
  /** Names in a folder, or none when it cannot be listed. */
  list(dir: string): string[];
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
export function parseSshConfig(text: string, home: string = homedir(), files: ConfigFiles = fileSystem): SshConfigHost[] {
  const blocks: HostBlock[] = [];
  const readText = (content: string, guards: string[][], depth: number) => {
    let current: HostBlock | null = { patterns: ['*'], guards, options: new Map() };
    blocks.push(current);
    for (const raw of content.split(/\r?\n/)) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const match = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
      if (!match) continue;
      const keyword = match[1]!.toLowerCase();
      const value = unquote(match[2]!.trim());
      if (keyword === 'host') {
        current = { patterns: value.split(/\s+/).filter(Boolean), guards, options: new Map() };
        blocks.push(current);
      } else if (keyword === 'match') {
        current = null; // Match conditions need a live ssh to evaluate; its options are skipped.
      } else if (keyword === 'include') {
        if (!current || depth >= MAX_INCLUDE_DEPTH) continue;
        const outer: HostBlock = current;
        for (const pattern of value.split(/\s+/).filter(Boolean)) {
          for (const path of expandInclude(pattern, home, files)) {
            const included = files.read(path);
            if (included !== null) readText(included, [...outer.guards, outer.patterns], depth + 1);
          }
        }
        // Options after the Include still belong to the block it sat in, after what it included.
        current = { patterns: outer.patterns, guards: outer.guards, options: new Map() };
        blocks.push(current);
      } else if (current && !current.options.has(keyword)) {
        current.options.set(keyword, value);
      }
    }
  };
  readText(text, [], 0);

  const applies = (block: HostBlock, alias: string) => blockMatches(block.patterns, alias) && block.guards.every((guard) => blockMatches(guard, alias));
  const aliases = [...new Set(blocks.flatMap((block) => block.patterns.filter((p) => !/[*?!]/.test(p) && block.guards.every((guard) => blockMatches(guard, p)))))];
  return aliases.map((alias) => {
    const option = (name: string): string | undefined => {
      for (const block of blocks) {
        if (!applies(block, alias)) continue;
        const value = block.options.get(name);
        if (value !== undefined) return value;
      }
      return undefined;
    };
    const port = Number(option('port') ?? 22);
    const proxyJump = option('proxyjump');
    const identityFile = option('identityfile');
    return {
      alias,
      host: option('hostname')?.replaceAll('%h', alias) ?? alias,
      port: Number.isInteger(port) && port > 0 && port < 65536 ? port : 22,
      username: option('user') ?? null,
      identityFile: identityFile ? expandHome(identityFile, home) : null,
      proxyJump: proxyJump && proxyJump.toLowerCase() !== 'none' ? proxyJump.split(',').map((hop) => hop.trim()).filter(Boolean) : [],
    };
  });
}

/** The files an Include pattern names: `~` expanded, relative to ~/.ssh, globs (`*`, `?`) in each part, in lexical order. */
function expandInclude(pattern: string, home: string, files: ConfigFiles): string[] {
  const expanded = expandHome(pattern, home);
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

/** Splits a ProxyJump hop (`[user@]host[:port]`) into its parts. */
export function parseJumpHop(hop: string): { username: string | null; host: string; port: number | null } {
  const at = hop.lastIndexOf('@');
  const username = at >= 0 ? hop.slice(0, at) : null;
  let rest = at >= 0 ? hop.slice(at + 1) : hop;
  let port: number | null = null;
  const bracketed = /^\[(.+)\]:(\d+)$/.exec(rest);
  const plain = /^([^:]+):(\d+)$/.exec(rest);
  if (bracketed) [rest, port] = [bracketed[1]!, Number(bracketed[2])];
  else if (plain) [rest, port] = [plain[1]!, Number(plain[2])];
  return { username, host: rest, port };
}

function blockMatches(patterns: string[], alias: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const body = negated ? pattern.slice(1) : pattern;
    if (new RegExp(globRegex(body).source, 'i').test(alias)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return `${home}/${path.slice(2)}`;
  return path.replaceAll('%d', home);
}
