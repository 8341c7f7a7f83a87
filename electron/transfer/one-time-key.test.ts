import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authorizedKeyLine, makeOneTimeKey } from './one-time-key';

describe('one-time transfer key', () => {
  it('is a private key OpenSSH reads, whose public half is the line Gantry authorizes', () => {
    const key = makeOneTimeKey();
    const folder = mkdtempSync(join(tmpdir(), 'gantry-key-test-'));
    try {
      writeFileSync(join(folder, 'key'), key.privateKey, { mode: 0o600 });
      const derived = execFileSync('ssh-keygen', ['-y', '-f', join(folder, 'key')], { encoding: 'utf8' }).trim();
      expect(key.publicLine.startsWith(derived)).toBe(true);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('is different every time and tagged for removal', () => {
    const [a, b] = [makeOneTimeKey(), makeOneTimeKey()];
    expect(a.publicLine).not.toBe(b.publicLine);
    expect(a.tag).toMatch(/^gantry-transfer-[0-9a-f]{16}$/);
    expect(a.publicLine.endsWith(` ${a.tag}`)).toBe(true);
  });

  it('authorizes only the receiving command, once, until the expiry, with every forwarding off', () => {
    const key = makeOneTimeKey();
    const line = authorizedKeyLine(key, 'docker load', '20261202031500');
    expect(line).toMatch(/^restrict,expiry-time="20261202031500",command="flock \$HOME\/\.ssh\/\.gantry-transfer\.lock sed -i '\/ gantry-transfer-[0-9a-f]{16}\$\/d' \$HOME\/\.ssh\/authorized_keys; docker load" ssh-ed25519 /);
  });

  it('writes a double quote of the command as sshd reads it back (\\"), and refuses a line break', () => {
    const key = makeOneTimeKey();
    const line = authorizedKeyLine(key, `docker exec -i db sh -c 'export PGPASSWORD="$P"; exec pg_restore'`, '20261202031500');
    const value = line.slice(line.indexOf('command="') + 'command="'.length);
    // sshd's opt_dequote: the value ends at the first quote not preceded by a backslash; \" becomes ".
    const end = value.search(/(?<!\\)"/);
    expect(value.slice(0, end).replaceAll('\\"', '"')).toMatch(/; docker exec -i db sh -c 'export PGPASSWORD="\$P"; exec pg_restore'$/);
    expect(value.slice(end)).toBe(`" ${key.publicLine}`);
    expect(() => authorizedKeyLine(key, 'restore\nrm -rf /', '20261202031500')).toThrow(/one line/);
  });
});
