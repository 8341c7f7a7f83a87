import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { algorithmOf, fingerprintOf, knownHostsFor, knownHostsInFiles, parseKnownHosts } from './host-keys';

let dir: string;
let publicKey: string;
let otherKey: string;
let opensshFingerprint: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gantry-hostkeys-'));
  for (const name of ['host', 'other']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
  publicKey = readFileSync(join(dir, 'host.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  otherKey = readFileSync(join(dir, 'other.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  opensshFingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'host.pub')], { encoding: 'utf8' }).split(' ')[1]!;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('host key fingerprints', () => {
  it('are exactly what ssh-keygen prints', () => {
    const blob = Buffer.from(publicKey.split(' ')[1]!, 'base64');
    expect(fingerprintOf(blob)).toBe(opensshFingerprint);
    expect(algorithmOf(blob)).toBe('ssh-ed25519');
  });
});

describe('known_hosts', () => {
  it('finds plain, port-qualified and hashed entries, and ignores revoked ones', () => {
    const file = join(dir, 'known_hosts');
    writeFileSync(file, [`# comment`, `web.example.com,10.0.0.5 ${publicKey}`, `[10.0.0.6]:2222 ${publicKey}`, `@revoked 10.0.0.7 ${publicKey}`, `10.0.0.8 ${otherKey}`, 'garbage line', ''].join('\n'));
    const entries = parseKnownHosts(readFileSync(file, 'utf8'), file);
    expect(knownHostsFor(entries, '10.0.0.5', 22).map((e) => e.fingerprint)).toEqual([opensshFingerprint]);
    expect(knownHostsFor(entries, 'WEB.example.com', 22)).toHaveLength(1);
    expect(knownHostsFor(entries, '10.0.0.6', 2222)).toMatchObject([{ line: 3, algorithm: 'ssh-ed25519' }]);
    expect(knownHostsFor(entries, '10.0.0.6', 22)).toEqual([]);
    expect(knownHostsFor(entries, '10.0.0.7', 22)).toEqual([]);
    expect(knownHostsFor(entries, '10.0.0.8', 22).map((e) => e.fingerprint)).not.toContain(opensshFingerprint);

    // ssh-keygen -H hashes the names; lookups must still find them.
    const toHash = join(dir, 'known_hosts_hashed');
    writeFileSync(toHash, [`web.example.com,10.0.0.5 ${publicKey}`, `[10.0.0.6]:2222 ${publicKey}`, ''].join('\n'));
    execFileSync('ssh-keygen', ['-H', '-f', toHash], { stdio: 'ignore' });
    const hashed = parseKnownHosts(readFileSync(toHash, 'utf8'), toHash);
    expect(hashed.length).toBeGreaterThan(0);
    expect(hashed.every((e) => e.hosts.every((h) => h.startsWith('|1|')))).toBe(true);
    expect(knownHostsFor(hashed, '10.0.0.5', 22).map((e) => e.fingerprint)).toEqual([opensshFingerprint]);
    expect(knownHostsFor(hashed, '10.0.0.6', 2222)).toHaveLength(1);
    expect(knownHostsFor(hashed, '10.0.0.9', 22)).toEqual([]);
  });
});

describe("an ssh config's UserKnownHostsFile and HostKeyAlias", () => {
  it('finds the key under the alias in the files the config names, and nothing in a file that is missing', () => {
    const file = join(dir, 'lab_known_hosts');
    writeFileSync(file, `lab-dev-key ${publicKey}\n[10.213.0.11]:2222 ${otherKey}\n`);
    const entries = knownHostsInFiles([join(dir, 'missing'), file], 'lab-dev-key', 22);
    expect(entries.map((e) => [e.fingerprint, e.file, e.line])).toEqual([[opensshFingerprint, file, 1]]);
    expect(knownHostsInFiles([join(dir, 'missing')], 'lab-dev-key', 22)).toEqual([]);
  });
});
