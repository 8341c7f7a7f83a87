/**
 * Reads OpenSSH client config (~/.ssh/config) into server candidates: Host aliases with their
 * HostName, Port, User, IdentityFile and ProxyJump, applying `Host *`-style blocks the way ssh
 * does (the first value found for an option wins). `Match` blocks and `Include` are not followed.
 */
import { homedir } from 'node:os';
import type { SshConfigHost } from '@shared/servers/server-schemas';

interface HostBlock {
  patterns: string[];
  options: Map<string, string>;
}

/** Parses config text into concrete Host aliases (wildcard and negated patterns are not servers). */
export function parseSshConfig(text: string, home: string = homedir()): SshConfigHost[] {
  const blocks: HostBlock[] = [];
  let current: HostBlock | null = { patterns: ['*'], options: new Map() };
  blocks.push(current);
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!match) continue;
    const keyword = match[1]!.toLowerCase();
    const value = unquote(match[2]!.trim());
    if (keyword === 'host') {
      current = { patterns: value.split(/\s+/).filter(Boolean), options: new Map() };
      blocks.push(current);
    } else if (keyword === 'match') {
      current = null; // Match conditions need a live ssh to evaluate; its options are skipped.
    } else if (current && !current.options.has(keyword)) {
      current.options.set(keyword, value);
    }
  }

  const aliases = [...new Set(blocks.flatMap((block) => block.patterns).filter((p) => !/[*?!]/.test(p)))];
  return aliases.map((alias) => {
    const option = (name: string): string | undefined => {
      for (const block of blocks) {
        if (!blockMatches(block.patterns, alias)) continue;
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
    const regex = new RegExp(`^${body.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`, 'i');
    if (regex.test(alias)) {
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
