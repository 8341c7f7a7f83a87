import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseMigrationError, openDatabase, schemaVersion } from './open-database';
import { shippedMigrations } from './embedded-migrations';

const folders: string[] = [];
function freshFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-store-'));
  folders.push(dir);
  return dir;
}
afterEach(() => folders.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tables(db: ReturnType<typeof openDatabase>): string[] {
  return (db.$client.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

describe('openDatabase', () => {
  it('creates the schema in a fresh data folder', () => {
    const db = openDatabase(join(freshFolder(), 'gantry.db'));
    expect(tables(db)).toContain('settings');
    expect(schemaVersion(db)).toBe(shippedMigrations().length);
    db.$client.close();
  });

  it('changes nothing when the migrations run a second time', () => {
    const file = join(freshFolder(), 'gantry.db');
    const first = openDatabase(file);
    first.$client.prepare("INSERT INTO settings (key, value) VALUES ('theme', 'dark')").run();
    const before = first.$client.prepare('SELECT sql FROM sqlite_master ORDER BY name').all();
    first.$client.close();

    const second = openDatabase(file);
    expect(second.$client.prepare('SELECT sql FROM sqlite_master ORDER BY name').all()).toEqual(before);
    expect(second.$client.prepare('SELECT value FROM settings').get()).toEqual({ value: 'dark' });
    expect(schemaVersion(second)).toBe(shippedMigrations().length);
    second.$client.close();
  });

  it('accepts :memory:', () => {
    const db = openDatabase(':memory:');
    expect(tables(db)).toContain('settings');
    db.$client.close();
  });

  it('rolls a failing migration back whole and reports it with a typed error', () => {
    const file = join(freshFolder(), 'gantry.db');
    const broken = [...shippedMigrations(), { tag: '9999_broken', sql: 'CREATE TABLE half (id INTEGER);\n--> statement-breakpoint\nTHIS IS NOT SQL;' }];
    expect(() => openDatabase(file, broken)).toThrow(DatabaseMigrationError);
    try {
      openDatabase(file, broken);
    } catch (error) {
      expect((error as DatabaseMigrationError).migration).toBe('9999_broken');
      expect((error as Error).message).toMatch(/left unchanged/);
    }
    const db = openDatabase(file);
    expect(tables(db)).not.toContain('half');
    db.$client.close();
  });

  it('refuses a shipped migration that was edited afterwards', () => {
    const file = join(freshFolder(), 'gantry.db');
    openDatabase(file).$client.close();
    const edited = shippedMigrations().map((m, i) => (i === 0 ? { ...m, sql: m.sql + '\n-- edited' } : m));
    expect(() => openDatabase(file, edited)).toThrow(/changed after it shipped/);
  });

  it('refuses a database written by a newer Gantry', () => {
    const file = join(freshFolder(), 'gantry.db');
    const newer = [...shippedMigrations(), { tag: '9998_future', sql: 'CREATE TABLE future (id INTEGER);' }];
    openDatabase(file, newer).$client.close();
    expect(() => openDatabase(file)).toThrow(/newer Gantry/);
  });
});
