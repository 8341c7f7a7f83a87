/**
 * The adapters build commands without a server: what they run, that no password value ever
 * appears in a command, which env variables are credentials, and detection. MongoDB, KeyDB and
 * Dragonfly are tested only here (they cannot run on the build machines).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatabaseSpec, DatabaseTarget } from './adapter';
import { compareChecksums } from './checksum';
import { passwordExpression } from './container-shell';
import { adapterFor, type databaseAdapters, detectDatabase } from './registry';

function spec(image: string, env: Record<string, string> = {}, command: string[] | null = null): DatabaseSpec {
  return { image: { ref: image, id: null, digest: null }, env, labels: {}, command, entrypoint: null };
}

const examples: Record<keyof typeof databaseAdapters, { target: DatabaseTarget; secrets: string[]; credentialEnv: string[] }> = {
  postgresql: { target: { container: 'db', spec: spec('postgres:16', { POSTGRES_USER: 'app', POSTGRES_PASSWORD: 'pg-secret', POSTGRES_DB: 'shop' }) }, secrets: ['pg-secret'], credentialEnv: ['POSTGRES_PASSWORD', 'POSTGRES_USER'] },
  mysql: { target: { container: 'db', spec: spec('mysql:8.4', { MYSQL_ROOT_PASSWORD: 'root-secret', MYSQL_DATABASE: 'shop', MYSQL_USER: 'app', MYSQL_PASSWORD: 'app-secret' }) }, secrets: ['root-secret', 'app-secret'], credentialEnv: ['MYSQL_PASSWORD', 'MYSQL_ROOT_PASSWORD', 'MYSQL_USER'] },
  mariadb: { target: { container: 'db', spec: spec('mariadb:11', { MARIADB_ROOT_PASSWORD: 'root-secret', MARIADB_DATABASE: 'shop' }) }, secrets: ['root-secret'], credentialEnv: ['MARIADB_ROOT_PASSWORD'] },
  mongodb: { target: { container: 'db', spec: spec('mongo:7', { MONGO_INITDB_ROOT_USERNAME: 'root', MONGO_INITDB_ROOT_PASSWORD: 'mongo-secret' }) }, secrets: ['mongo-secret'], credentialEnv: ['MONGO_INITDB_ROOT_PASSWORD', 'MONGO_INITDB_ROOT_USERNAME'] },
  redis: { target: { container: 'cache', spec: spec('redis:7-alpine', {}, ['redis-server', '--requirepass', 'redis-secret']) }, secrets: ['redis-secret'], credentialEnv: [] },
  keydb: { target: { container: 'cache', spec: spec('eqalpha/keydb:latest', { KEYDB_PASSWORD: 'keydb-secret' }) }, secrets: ['keydb-secret'], credentialEnv: ['KEYDB_PASSWORD'] },
  dragonfly: { target: { container: 'cache', spec: spec('docker.dragonflydb.io/dragonflydb/dragonfly:v1.21', {}, ['dragonfly', '--requirepass=df-secret']) }, secrets: ['df-secret'], credentialEnv: [] },
  clickhouse: { target: { container: 'olap', spec: spec('clickhouse/clickhouse-server:24.8', { CLICKHOUSE_USER: 'app', CLICKHOUSE_PASSWORD: 'ch-secret', CLICKHOUSE_DB: 'events' }) }, secrets: ['ch-secret'], credentialEnv: ['CLICKHOUSE_PASSWORD', 'CLICKHOUSE_USER'] },
};

describe.each(Object.entries(examples))('%s adapter', (type, example) => {
  const adapter = adapterFor(type as keyof typeof databaseAdapters);
  const commands = adapter.commands(example.target);

  it('is detected for sure from its official image', () => {
    expect(detectDatabase(example.target.spec).best).toMatchObject({ type, confidence: 'sure' });
  });

  it('restore < file hands every byte of the file to its docker exec (a real shell; `docker` is a stand-in that records)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-restore-stdin-'));
    try {
      // The stand-in records each call and, for `docker exec -i`, what it was given on stdin.
      writeFileSync(join(dir, 'docker'), `#!/bin/sh\necho "$1 $2" >> "${dir}/calls"\nif [ "$1" = exec ] && [ "$2" = -i ]; then cat >> "${dir}/stdin"; fi\n`);
      chmodSync(join(dir, 'docker'), 0o755);
      const backup = join(dir, 'backup');
      writeFileSync(backup, `REDIS0010 a backup's bytes ${type}\n`);
      execFileSync('sh', ['-c', `${commands.restore} < '${backup}'`], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
      expect(readFileSync(join(dir, 'stdin'), 'utf8')).toBe(readFileSync(backup, 'utf8'));
      expect(readFileSync(join(dir, 'calls'), 'utf8')).toMatch(/^exec -i\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never writes a password value into a command, and names the credential env variables', () => {
    for (const line of Object.values(commands)) for (const secret of example.secrets) expect(line).not.toContain(secret);
    expect(adapter.credentials(example.target.spec).credentialEnv.sort()).toEqual(example.credentialEnv);
    expect(adapter.credentials(example.target.spec).password).not.toBeNull();
  });

  it('runs everything inside the container with docker exec; only restore reads stdin', () => {
    for (const [name, line] of Object.entries(commands)) {
      // A restore that restarts the container after is one group: `{ docker exec -i … && docker restart …; }`.
      expect(line.replace(/^\{ /, '').startsWith(`docker exec ${name === 'restore' ? '-i ' : ''}'${example.target.container}' sh -c `)).toBe(true);
    }
  });
});

describe('commands of each engine', () => {
  it('PostgreSQL dumps in custom format uncompressed, as the configured user and database, with the password from the container env', () => {
    const { dump, restore } = adapterFor('postgresql').commands(examples.postgresql.target);
    expect(dump).toContain('pg_dump -Fc -Z0');
    expect(dump).toContain(`-U '\\''app'\\'' -d '\\''shop'\\''`);
    expect(dump).toContain('PGPASSWORD="$POSTGRES_PASSWORD"');
    expect(restore).toContain('DROP SCHEMA %I CASCADE');
    expect(restore).toContain('pg_restore --no-owner --no-privileges --exit-on-error');
  });

  it('MySQL uses mysqldump as root with MYSQL_PWD; MariaDB uses mariadb-dump and falls back to MYSQL_* names', () => {
    const mysql = adapterFor('mysql').commands(examples.mysql.target);
    expect(mysql.dump).toContain('mysqldump -u');
    expect(mysql.dump).toContain('MYSQL_PWD="$MYSQL_ROOT_PASSWORD"');
    expect(mysql.restore).toContain('DROP DATABASE IF EXISTS `shop`; CREATE DATABASE `shop`');
    const maria = adapterFor('mariadb').commands({ container: 'db', spec: spec('mariadb:10.11', { MYSQL_ROOT_PASSWORD: 'x', MYSQL_DATABASE: 'app' }) });
    expect(maria.dump).toContain('mariadb-dump');
    expect(maria.dump).toContain('MYSQL_PWD="$MYSQL_ROOT_PASSWORD"');
    expect(() => adapterFor('mysql').commands({ container: 'db', spec: spec('mysql:8') })).toThrow(/names no database/);
  });

  it('MongoDB dumps an archive without admin/config/local and restores with --drop, password via a config file', () => {
    const { dump, restore, checksum } = adapterFor('mongodb').commands(examples.mongodb.target);
    expect(dump).toContain('mongodump --quiet --archive "$@"');
    expect(dump).toContain(`--nsExclude='\\''admin.*'\\''`);
    expect(dump).toContain('--config=');
    expect(restore).toContain('mongorestore --quiet --archive --drop "$@"');
    expect(checksum).toContain('dbHash');
  });

  it('Redis and KeyDB dump with --rdb and restore by replacing the RDB file and restarting; Dragonfly saves and loads RDB in place', () => {
    const redis = adapterFor('redis').commands(examples.redis.target);
    expect(redis.dump).toContain('cli=redis-cli; set -e; f=$(mktemp)');
    expect(redis.restore).toMatch(/^\{ docker exec -i 'cache' .* && docker restart 'cache' >\/dev\/null; \}$/);
    expect(adapterFor('redis').restoreRestartsContainer).toBe(true);
    expect(adapterFor('keydb').commands(examples.keydb.target).dump).toContain('cli=keydb-cli; set -e; f=$(mktemp)');
    const dragonfly = adapterFor('dragonfly').commands(examples.dragonfly.target);
    expect(dragonfly.dump).toContain('SAVE RDB gantry-dump');
    expect(dragonfly.restore).toContain('DFLY LOAD gantry-restore.rdb');
    expect(dragonfly.checksum).toContain('allow-undeclared-keys');
    expect(adapterFor('dragonfly').restoreRestartsContainer).toBe(false);
  });

  it('reads the Redis password from wherever the container keeps it', () => {
    const redis = adapterFor('redis');
    expect(redis.credentials(spec('redis:7', { REDIS_PASSWORD: 'x' })).password).toEqual({ from: 'env', name: 'REDIS_PASSWORD' });
    expect(redis.credentials(spec('redis:7', {}, ['redis-server', '/usr/local/etc/redis/redis.conf'])).password).toEqual({ from: 'config-file', path: '/usr/local/etc/redis/redis.conf' });
    expect(redis.credentials(spec('redis:7', {}, ['sh', '-c', 'redis-server --requirepass abc'])).password).toEqual({ from: 'command-line', flag: '--requirepass' });
    expect(redis.credentials(spec('redis:7')).password).toBeNull();
    expect(passwordExpression({ from: 'command-line', flag: '--requirepass' })).toContain('/proc/[0-9]*/cmdline');
  });
});

describe('detection', () => {
  it('is sure from an official image name, unsure from env or command alone', () => {
    expect(detectDatabase(spec('docker.io/bitnami/postgresql:16')).best).toMatchObject({ type: 'postgresql', confidence: 'sure' });
    expect(detectDatabase(spec('ghcr.io/acme/app-db:1', { POSTGRES_PASSWORD: 'x' })).best).toMatchObject({ type: 'postgresql', confidence: 'unsure' });
    expect(detectDatabase(spec('acme/cache:1', {}, ['keydb-server'])).best).toMatchObject({ type: 'keydb', confidence: 'unsure' });
    expect(detectDatabase(spec('registry.local:5000/timescale/timescaledb:2')).best).toMatchObject({ type: 'postgresql', confidence: 'unsure' });
    expect(detectDatabase(spec('nginx:1.27')).best).toBeNull();
  });

  it('the MariaDB image run with MYSQL_* variables is MariaDB for sure; MYSQL_* on an unknown image is unsure', () => {
    expect(detectDatabase(spec('mariadb:10.11', { MYSQL_ROOT_PASSWORD: 'x' })).best).toMatchObject({ type: 'mariadb', confidence: 'sure' });
    expect(detectDatabase(spec('acme/db:1', { MYSQL_ROOT_PASSWORD: 'x' })).best).toMatchObject({ type: 'mysql', confidence: 'unsure' });
  });
});

describe('checksums', () => {
  const pg = adapterFor('postgresql');
  it('parse into sorted entries and compare entry by entry', () => {
    const a = pg.parseChecksum('public.b|2|bbb\npublic.a|1|aaa\n');
    expect(a.entries.map((e) => e.name)).toEqual(['public.a', 'public.b']);
    expect(compareChecksums(a, pg.parseChecksum('public.a|1|aaa\npublic.b|2|bbb')).equal).toBe(true);
    const other = compareChecksums(a, pg.parseChecksum('public.a|1|aaa\npublic.b|2|ccc\npublic.c|0|empty'));
    expect(other.equal).toBe(false);
    expect(other.differences.map((d) => [d.name, d.source?.hash ?? null, d.target?.hash ?? null])).toEqual([
      ['public.b', 'bbb', 'ccc'],
      ['public.c', null, 'empty'],
    ]);
  });

  it('refuse output they cannot read', () => {
    expect(() => pg.parseChecksum('ERROR: permission denied')).toThrow(/unexpected line/);
    expect(() => adapterFor('redis').parseChecksum('0 6b6579 x 123')).toThrow(/unexpected line/);
    expect(() => pg.parseSize('oops')).toThrow(/no byte count/);
  });

  it('Redis digests name each key (hex-decoded) per logical database', () => {
    const parsed = adapterFor('redis').parseChecksum(`0 6b3a31 1 ${'a'.repeat(40)}\n3 6f646420 2 ${'b'.repeat(40)}\n`);
    expect(parsed.entries).toEqual([
      { name: 'db0:k:1', count: 1, hash: 'a'.repeat(40) },
      { name: 'db3:odd ', count: 2, hash: 'b'.repeat(40) },
    ]);
  });
});
