/**
 * The password change of every engine (credential rotation), run for real by a POSIX shell against
 * fake database clients that record what they were asked (arguments and stdin): the exact
 * commands, that both passwords travel on stdin and never on a command line, and what each
 * prints. MongoDB, KeyDB and Dragonfly are tested only here (they cannot run on the build
 * machines); the others are also proven live in `rotation.int.test.ts`.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DatabaseSpec } from './adapter';
import { adapterFor } from './registry';

const dir = mkdtempSync(join(tmpdir(), 'gantry-pwchange-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function spec(image: string, env: Record<string, string>, command: string[] | null = null): DatabaseSpec {
  return { image: { ref: image, id: null, digest: null }, env, labels: {}, command, entrypoint: null };
}

/**
 * Writes fake executables into a fresh bin folder: `docker exec [-i] <c> sh -c <script>` runs the
 * script here; each client logs `ARGS <argv>`, `STDIN <stdin>` and the env it was given to the
 * log, and answers with `reply` (a shell snippet that may read "$*").
 */
function fakes(clients: Record<string, string>): { bin: string; log: string } {
  const bin = mkdtempSync(join(dir, 'bin-'));
  const log = join(bin, 'calls.log');
  const write = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  write('docker', 'while [ "$1" != sh ]; do shift; done; shift; shift; exec sh -c "$1"');
  for (const [name, reply] of Object.entries(clients)) {
    write(name, `in=$(mktemp); cat > "$in"; { printf 'ARGS %s\\n' "$*"; printf 'ENV pwd=%s auth=%s mongo=%s new=%s\\n' "$MYSQL_PWD" "$REDISCLI_AUTH" "$GANTRY_MONGO_PW" "$GANTRY_MONGO_NEW_PW"; printf 'STDIN '; cat "$in"; printf '\\n'; } >> ${JSON.stringify(log)}\nexec < "$in"\n${reply}`);
  }
  return { bin, log };
}

function run(command: string, bin: string, stdin: string): { stdout: string; code: number } {
  try {
    const stdout = execFileSync('sh', ['-c', command], { input: stdin, env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: 'utf8' });
    return { stdout: stdout.trim(), code: 0 };
  } catch (error) {
    const failed = error as { status: number; stdout: string };
    return { stdout: String(failed.stdout ?? '').trim(), code: failed.status };
  }
}

const NEW = 'N3wPassw0rdN3wPassw0rdN3wPassw0r';
const OLD = "old'pw\\x";

describe('every engine changes a password with both values on stdin only', () => {
  const cases = [
    { type: 'postgresql', spec: spec('postgres:16', { POSTGRES_USER: 'app', POSTGRES_PASSWORD: OLD, POSTGRES_DB: 'shop' }), variable: 'POSTGRES_PASSWORD' },
    { type: 'mysql', spec: spec('mysql:8.4', { MYSQL_ROOT_PASSWORD: OLD, MYSQL_DATABASE: 'shop', MYSQL_USER: 'app', MYSQL_PASSWORD: 'app-old' }), variable: 'MYSQL_PASSWORD' },
    { type: 'mariadb', spec: spec('mariadb:11', { MARIADB_ROOT_PASSWORD: OLD, MARIADB_DATABASE: 'shop' }), variable: 'MARIADB_ROOT_PASSWORD' },
    { type: 'mongodb', spec: spec('mongo:7', { MONGO_INITDB_ROOT_USERNAME: 'root', MONGO_INITDB_ROOT_PASSWORD: OLD }), variable: 'MONGO_INITDB_ROOT_PASSWORD' },
    { type: 'redis', spec: spec('redis:7', { REDIS_PASSWORD: OLD }), variable: 'REDIS_PASSWORD' },
    { type: 'keydb', spec: spec('eqalpha/keydb:latest', { KEYDB_PASSWORD: OLD }), variable: 'KEYDB_PASSWORD' },
    { type: 'dragonfly', spec: spec('docker.dragonflydb.io/dragonflydb/dragonfly:v1.21', { DFLY_requirepass: OLD }), variable: 'DFLY_requirepass' },
    { type: 'clickhouse', spec: spec('clickhouse/clickhouse-server:24.8', { CLICKHOUSE_USER: 'app', CLICKHOUSE_PASSWORD: OLD }), variable: 'CLICKHOUSE_PASSWORD' },
  ] as const;
  it.each(cases)('$type: docker exec -i, no password on any command line', ({ type, spec: given, variable }) => {
    const change = adapterFor(type).passwordChange({ container: 'db', spec: given }, variable);
    for (const command of [change.set, change.restore, change.retire].filter((each): each is string => each !== null)) {
      expect(command.startsWith(`docker exec -i 'db' sh -c `)).toBe(true);
      expect(command).not.toContain(OLD);
      expect(command).toContain('IFS= read -r p; IFS= read -r c;');
    }
  });

  it('refuses variables that are not a password of the engine, saying which it rotates', () => {
    expect(() => adapterFor('postgresql').passwordChange({ container: 'db', spec: cases[0].spec }, 'POSTGRES_USER')).toThrow(/rotates PostgreSQL's POSTGRES_PASSWORD, not POSTGRES_USER/);
    expect(() => adapterFor('redis').passwordChange({ container: 'c', spec: spec('redis:7', {}, ['redis-server', '/etc/redis.conf']) }, 'REDIS_PASSWORD')).toThrow(/reads its password from \/etc\/redis.conf/);
    expect(() => adapterFor('mysql').passwordChange({ container: 'db', spec: spec('mysql:8', { MYSQL_DATABASE: 'x', MYSQL_USER: 'app', MYSQL_PASSWORD: 'p' }) }, 'MYSQL_ROOT_PASSWORD')).toThrow(/needs the root password/);
  });
});

describe('MySQL and MariaDB', () => {
  const given = spec('mysql:8.4', { MYSQL_ROOT_PASSWORD: OLD, MYSQL_DATABASE: 'shop', MYSQL_USER: 'app', MYSQL_PASSWORD: 'app-old' });

  it('MySQL: as root, ALTER USER … RETAIN CURRENT PASSWORD for every account of the user, SQL-escaped; retire discards the old one', () => {
    const { bin, log } = fakes({ mysql: `case "$*" in *-e*) printf "'app'@'%%'\\n'app'@'localhost'\\n";; esac` });
    const change = adapterFor('mysql').passwordChange({ container: 'db', spec: given }, 'MYSQL_PASSWORD');
    expect(change.loginVariable).toBe('MYSQL_ROOT_PASSWORD');
    expect(run(change.set, bin, `it's\\new\n${OLD}\n`)).toEqual({ stdout: 'retained', code: 0 });
    const calls = readFileSync(log, 'utf8');
    expect(calls).toContain("ARGS -uroot -N -B -e SELECT CONCAT(QUOTE(User), '@', QUOTE(Host)) FROM mysql.user WHERE User = 'app'");
    expect(calls).toContain(`ENV pwd=${OLD} `);
    expect(calls).toContain("STDIN ALTER USER 'app'@'%' IDENTIFIED BY 'it''s\\\\new' RETAIN CURRENT PASSWORD;\nALTER USER 'app'@'localhost' IDENTIFIED BY 'it''s\\\\new' RETAIN CURRENT PASSWORD;\n");
    expect(run(change.retire!, bin, `\n${NEW}\n`).code).toBe(0);
    expect(readFileSync(log, 'utf8')).toContain("STDIN ALTER USER 'app'@'%' DISCARD OLD PASSWORD;\nALTER USER 'app'@'localhost' DISCARD OLD PASSWORD;\n");
  });

  it('MySQL without dual passwords (the RETAIN statement fails): a plain ALTER USER, and it says the old one is replaced', () => {
    const { bin, log } = fakes({ mysql: `case "$*" in *-e*) printf "'root'@'%%'\\n";; *) grep -q RETAIN && exit 1; exit 0;; esac` });
    const change = adapterFor('mysql').passwordChange({ container: 'db', spec: given }, 'MYSQL_ROOT_PASSWORD');
    expect(run(change.set, bin, `${NEW}\n${OLD}\n`)).toEqual({ stdout: 'replaced', code: 0 });
    expect(readFileSync(log, 'utf8')).toContain(`ARGS -uroot -N -B`);
  });

  it('MariaDB: a plain ALTER USER (one password per account), nothing to retire', () => {
    const { bin, log } = fakes({ mariadb: `case "$*" in *-e*) printf "'root'@'localhost'\\n'root'@'%%'\\n";; esac` });
    const change = adapterFor('mariadb').passwordChange({ container: 'db', spec: spec('mariadb:11', { MARIADB_ROOT_PASSWORD: OLD, MARIADB_DATABASE: 'shop' }) }, 'MARIADB_ROOT_PASSWORD');
    expect(change.retire).toBeNull();
    expect(run(change.set, bin, `${NEW}\n${OLD}\n`)).toEqual({ stdout: 'replaced', code: 0 });
    expect(readFileSync(log, 'utf8')).toContain(`STDIN ALTER USER 'root'@'localhost' IDENTIFIED BY '${NEW}';\nALTER USER 'root'@'%' IDENTIFIED BY '${NEW}';\n`);
  });

  it('the app user alone (no root password) changes its own account', () => {
    const { bin, log } = fakes({ mysql: '' });
    const change = adapterFor('mysql').passwordChange({ container: 'db', spec: spec('mysql:8', { MYSQL_DATABASE: 'x', MYSQL_USER: 'app', MYSQL_PASSWORD: 'p' }) }, 'MYSQL_PASSWORD');
    expect(run(change.set, bin, `${NEW}\np\n`).code).toBe(0);
    expect(readFileSync(log, 'utf8')).toContain(`ARGS -uapp -N -B\nENV pwd=p`);
    expect(readFileSync(log, 'utf8')).toContain(`STDIN ALTER USER CURRENT_USER() IDENTIFIED BY '${NEW}' RETAIN CURRENT PASSWORD;`);
  });
});

describe('Redis, KeyDB and Dragonfly', () => {
  it('Redis and KeyDB add the new password beside the old with ACL SETUSER default >new (value on stdin via -x); undo resets to the old one only', () => {
    for (const [type, cli, variable] of [['redis', 'redis-cli', 'REDIS_PASSWORD'], ['keydb', 'keydb-cli', 'KEYDB_PASSWORD']] as const) {
      const { bin, log } = fakes({ [cli]: 'case "$*" in *WHOAMI*) echo default;; *) echo OK;; esac' });
      const change = adapterFor(type).passwordChange({ container: 'c', spec: spec(`${type}:7`, { [variable]: OLD }) }, variable);
      expect(run(change.set, bin, `${NEW}\n${OLD}\n`)).toEqual({ stdout: 'retained', code: 0 });
      const calls = readFileSync(log, 'utf8');
      expect(calls).toContain(`ARGS --raw -x ACL SETUSER default\nENV pwd= auth=${OLD} `);
      expect(calls).toContain(`STDIN >${NEW}\n`);
      expect(calls).not.toContain(`ARGS --raw -x ACL SETUSER default ${NEW}`);
      run(change.restore, bin, `${OLD}\n${NEW}\n`);
      expect(readFileSync(log, 'utf8')).toContain(`ARGS --raw -x ACL SETUSER default resetpass\nENV pwd= auth=${NEW} mongo= new=\nSTDIN >${OLD}\n`);
      expect(change.retire).toBeNull();
    }
  });

  it('a Redis without ACLs (before 6) takes CONFIG SET requirepass; a refusal is an error with the server’s words', () => {
    const { bin, log } = fakes({ 'redis-cli': 'case "$*" in *WHOAMI*) echo "ERR unknown command";; *) echo OK;; esac' });
    const change = adapterFor('redis').passwordChange({ container: 'c', spec: spec('redis:5', { REDIS_PASSWORD: OLD }) }, 'REDIS_PASSWORD');
    expect(run(change.set, bin, `${NEW}\n${OLD}\n`)).toEqual({ stdout: 'replaced', code: 0 });
    expect(readFileSync(log, 'utf8')).toContain(`ARGS --raw -x CONFIG SET requirepass\nENV pwd= auth=${OLD} mongo= new=\nSTDIN ${NEW}\n`);
    const refusing = fakes({ 'redis-cli': 'case "$*" in *WHOAMI*) echo default;; *) echo "NOPERM no";; esac' });
    expect(run(change.set, refusing.bin, `${NEW}\n${OLD}\n`).code).toBe(3);
  });

  it('Dragonfly takes CONFIG SET requirepass through redis-cli (one password)', () => {
    const { bin, log } = fakes({ 'redis-cli': 'echo OK' });
    const change = adapterFor('dragonfly').passwordChange({ container: 'c', spec: spec('docker.dragonflydb.io/dragonflydb/dragonfly:v1.21', { DFLY_requirepass: OLD }) }, 'DFLY_requirepass');
    expect(run(change.set, bin, `${NEW}\n${OLD}\n`)).toEqual({ stdout: 'replaced', code: 0 });
    expect(readFileSync(log, 'utf8')).toBe(`ARGS --raw -x CONFIG SET requirepass\nENV pwd= auth=${OLD} mongo= new=\nSTDIN ${NEW}\n`);
    expect(run(change.restore, bin, `${OLD}\n${NEW}\n`).code).toBe(0);
    expect(readFileSync(log, 'utf8')).toContain(`auth=${NEW} mongo= new=\nSTDIN ${OLD}\n`);
  });
});

describe('MongoDB', () => {
  it('authenticates as the root user and changeUserPassword, both passwords in mongosh’s environment', () => {
    const { bin, log } = fakes({ mongosh: '' });
    const change = adapterFor('mongodb').passwordChange({ container: 'db', spec: spec('mongo:7', { MONGO_INITDB_ROOT_USERNAME: 'root', MONGO_INITDB_ROOT_PASSWORD: OLD }) }, 'MONGO_INITDB_ROOT_PASSWORD');
    expect(run(change.set, bin, `${NEW}\n${OLD}\n`)).toEqual({ stdout: 'replaced', code: 0 });
    const calls = readFileSync(log, 'utf8');
    expect(calls).toContain(`ARGS --quiet --norc --eval const admin = db.getSiblingDB('admin'); admin.auth("root", process.env.GANTRY_MONGO_PW); admin.changeUserPassword("root", process.env.GANTRY_MONGO_NEW_PW);`);
    expect(calls).toContain(`ENV pwd= auth= mongo=${OLD} new=${NEW}`);
    expect(change.retire).toBeNull();
    const failing = fakes({ mongosh: 'exit 1' });
    expect(run(change.set, failing.bin, `${NEW}\n${OLD}\n`).code).not.toBe(0);
  });
});

describe('ClickHouse', () => {
  it('writes a users.d override with the new password’s SHA-256 and waits until the client logs in with it; undo removes it', () => {
    const etc = mkdtempSync(join(dir, 'etc-'));
    // The fake client logs in when its config file's password is the one the override (or, without it, the old env) names.
    const { bin } = fakes({
      'clickhouse-client': `p=$(sed -n 's:.*<password>\\(.*\\)</password>.*:\\1:p' "$2"); f=${JSON.stringify(etc)}/users.d/zz-gantry-password.xml; if [ -f "$f" ]; then [ "$(printf '%s' "$p" | sha256sum | cut -d ' ' -f 1)" = "$(sed -n 's:.*<password_sha256_hex>\\(.*\\)</password_sha256_hex>.*:\\1:p' "$f")" ]; else [ "$p" = ${JSON.stringify('old&lt;pw')} ]; fi`,
    });
    const change = adapterFor('clickhouse').passwordChange({ container: 'ch', spec: spec('clickhouse/clickhouse-server:24.8', { CLICKHOUSE_USER: 'app', CLICKHOUSE_PASSWORD: 'old<pw' }) }, 'CLICKHOUSE_PASSWORD');
    const local = (command: string) => command.replaceAll('/etc/clickhouse-server', etc);
    expect(run(local(change.set), bin, `${NEW}\nold<pw\n`)).toEqual({ stdout: 'replaced', code: 0 });
    const override = readFileSync(join(etc, 'users.d/zz-gantry-password.xml'), 'utf8');
    expect(override).toContain('<yandex><users><app><password remove="remove"/><password_double_sha1_hex remove="remove"/><password_sha256_hex>');
    expect(override).not.toContain(NEW);
    expect(run(local(change.set), bin, `${NEW}\nwrong\n`).code).toBe(3);
    expect(run(local(change.restore), bin, `old<pw\n${NEW}\n`)).toEqual({ stdout: 'replaced', code: 0 });
    expect(existsSync(join(etc, 'users.d/zz-gantry-password.xml'))).toBe(false);
  });
});
