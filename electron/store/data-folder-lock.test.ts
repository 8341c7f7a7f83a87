import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimDataFolder } from './data-folder-lock';

const folder = () => mkdtempSync(join(tmpdir(), 'gantry-folder-lock-'));

describe('claimDataFolder', () => {
  it('lets one engine have a data folder at a time, and the next one in once it lets go', () => {
    const dir = folder();
    const db = join(dir, 'gantry.db');
    const release = claimDataFolder(db, dir);
    expect(() => claimDataFolder(db, dir)).toThrow(`Gantry is already running with the data folder ${dir} (process ${process.pid}, this one)`);
    release();
    expect(existsSync(`${db}.lock`)).toBe(false);
    claimDataFolder(db, dir)();
  });

  it('refuses while another live process holds it, and takes it over once that process is gone', async () => {
    const dir = folder();
    const db = join(dir, 'gantry.db');
    const other = spawn('sleep', ['30']);
    try {
      writeFileSync(`${db}.lock`, `${other.pid}\n`);
      expect(() => claimDataFolder(db, dir)).toThrow(new RegExp(`already running .*\\(process ${other.pid}\\).*GANTRY_DATA_DIR`));
    } finally {
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
    }
    const release = claimDataFolder(db, dir);
    release();
  });

  it('takes over a lock file that names no process', () => {
    const dir = folder();
    const db = join(dir, 'gantry.db');
    writeFileSync(`${db}.lock`, 'garbage');
    claimDataFolder(db, dir)();
  });
});
