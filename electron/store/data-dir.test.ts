import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveDataDir } from './data-dir';
import { openDatabase } from './open-database';

const folders: string[] = [];
function freshFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-modes-'));
  folders.push(dir);
  return dir;
}
afterEach(() => folders.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe.skipIf(process.platform === 'win32')('the data folder is for its owner only', () => {
  it('creates the folder 0700, and tightens one that already existed', () => {
    const parent = freshFolder();
    expect(modeOf(resolveDataDir({ GANTRY_DATA_DIR: join(parent, 'new') }))).toBe(0o700);
    const existing = join(parent, 'old');
    resolveDataDir({ GANTRY_DATA_DIR: existing });
    chmodSync(existing, 0o755);
    expect(modeOf(resolveDataDir({ GANTRY_DATA_DIR: existing }))).toBe(0o700);
  });

  it('keeps the database and its -wal and -shm files 0600, even under a permissive umask', () => {
    const dir = resolveDataDir({ GANTRY_DATA_DIR: join(freshFolder(), 'data') });
    const previous = process.umask(0o022);
    try {
      const db = openDatabase(join(dir, 'gantry.db'));
      db.$client.prepare("INSERT INTO settings (key, value) VALUES ('theme', 'dark')").run();
      const files = readdirSync(dir).sort();
      expect(files).toEqual(['gantry.db', 'gantry.db-shm', 'gantry.db-wal']);
      for (const file of files) expect([file, modeOf(join(dir, file))]).toEqual([file, 0o600]);
      db.$client.close();
    } finally {
      process.umask(previous);
    }
  });

  it('tightens a database file an older version left readable by others', () => {
    const dir = resolveDataDir({ GANTRY_DATA_DIR: join(freshFolder(), 'data') });
    const file = join(dir, 'gantry.db');
    openDatabase(file).$client.close();
    chmodSync(file, 0o644);
    writeFileSync(`${file}-wal`, '', { mode: 0o644 });
    chmodSync(`${file}-wal`, 0o644);
    const db = openDatabase(file);
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(`${file}-wal`)).toBe(0o600);
    db.$client.close();
  });
});
