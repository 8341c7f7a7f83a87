/**
 * Host keys: OpenSSH-style SHA256 fingerprints, and lookups in known_hosts files so an operator
 * who already trusts a server through OpenSSH can pin the same key in Gantry.
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The SHA256 fingerprint of a public key blob, exactly as `ssh-keygen -l -E sha256` prints it. */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of an SSH public key blob (e.g. `ssh-ed25519`). */
export function algorithmOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const length = keyBlob.readUInt32BE(0);
  if (length <= 0 || length > 64 || keyBlob.length < 4 + length) return 'unknown';
  return keyBlob.subarray(4, 4 + length).toString('ascii');
}

/** One key line of a known_hosts file. */
export interface KnownHostEntry {
  /** Host patterns as written (plain or `|1|salt|hash`). */
  hosts: string[];
  algorithm: string;
  fingerprint: string;
  /** `@revoked` lines never pin anything; `@cert-authority` lines are not host keys. */
  marker: 'revoked' | 'cert-authority' | null;
  file: string;
  line: number;
}

/** Parses the key lines of a known_hosts file; comments, blank and malformed lines are skipped. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    let fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields[0] === '@revoked' ? 'revoked' : 'cert-authority';
      fields = fields.slice(1);
    }
    const [hosts, algorithm, base64] = fields;
    if (!hosts || !algorithm || !base64 || !/^[A-Za-z0-9+/]+=*$/.test(base64)) return;
    const blob = Buffer.from(base64, 'base64');
    if (algorithmOf(blob) !== algorithm) return;
    entries.push({ hosts: hosts.split(','), algorithm, fingerprint: fingerprintOf(blob), marker, file, line: index + 1 });
  });
  return entries;
}

/** The entries that name `host` on `port` (hashed names included), ignoring revoked and CA lines. */
export function knownHostsFor(entries: KnownHostEntry[], host: string, port: number): KnownHostEntry[] {
  const name = port === 22 ? host : `[${host}]:${port}`;
  return entries.filter((entry) => entry.marker === null && entry.hosts.some((pattern) => hostPatternMatches(pattern, name)));
}

/** The entries of these known_hosts files (an ssh config's UserKnownHostsFile) that name `host` on `port`; unreadable files list nothing. */
export function knownHostsInFiles(files: readonly string[], host: string, port: number): KnownHostEntry[] {
  return files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return [];
    }
    return knownHostsFor(parseKnownHosts(text, file), host, port);
  });
}

function hostPatternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('!')) return false;
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  if (!/[*?]/.test(pattern)) return pattern.toLowerCase() === name.toLowerCase();
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`, 'i');
  return regex.test(name);
}
