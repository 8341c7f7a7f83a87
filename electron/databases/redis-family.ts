/**
 * Redis, KeyDB and Dragonfly: an RDB dump, restored by replacing the data file and restarting
 * the container (no Redis command loads an RDB file into a running server), and a checksum of
 * per-key digests computed by a Lua script batch by batch over SCAN. The password (requirepass)
 * comes from an env variable, the server's command line or its config file, and reaches the
 * CLI as REDISCLI_AUTH inside the container.
 */
import type { DatabaseType } from '@shared/spec/resource-spec';
import type { DatabaseAdapter, DatabaseCredentials, DatabaseSpec, DatabaseTarget, PasswordChange, PasswordSource } from './adapter';
import { DatabaseAdapterError } from './adapter';
import { checksumOf, parseByteCount, type ChecksumEntry } from './checksum';
import { EXACT_SIZE_BELOW, firstEnv, inContainer, passwordExpression, processWords, shellQuote } from './container-shell';
import { detectByRules, type DetectionRules } from './detection';

/** What differs between the three. */
interface RedisFlavour {
  type: Extract<DatabaseType, 'redis' | 'keydb' | 'dragonfly'>;
  label: string;
  cli: string;
  rules: Omit<DetectionRules, 'type'>;
  /** Shell lines (inside the container, `$cli` set) that write an RDB of all data to stdout. */
  dumpScript: string;
  /** Shell lines that load the RDB read from stdin; `restartAfter` when the container must restart to load it. */
  restoreScript: string;
  restartAfter: boolean;
  /** Prepended to the Lua script (Dragonfly needs undeclared keys allowed). */
  luaHeader: string;
  /** How a password is changed live: an added ACL password (the old one stays valid), else `CONFIG SET requirepass`. */
  passwordBy: 'acl' | 'requirepass';
}

/** The env variables that hold the server's password (what the image passes to requirepass). */
const PASSWORD_ENV = ['REDIS_PASSWORD', 'KEYDB_PASSWORD', 'DFLY_requirepass', 'DFLY_REQUIREPASS'];

/**
 * `CONFIG SET requirepass` from stdin (`-x`: the value is the last argument, read from stdin, never
 * on a command line); with `acl`, Redis 6+ and KeyDB first try `ACL SETUSER default >new`, which
 * adds the new password beside the old one. Either lives only in the server's memory: the old
 * password is refused for good when the container is recreated with the new value (the last
 * step of a rotation), so there is nothing to retire.
 */
function passwordChangeFor(flavour: RedisFlavour, target: DatabaseTarget, variable: string): PasswordChange {
  if (!PASSWORD_ENV.includes(variable)) throw new DatabaseAdapterError(`${variable} is not a ${flavour.label} password Gantry rotates (${PASSWORD_ENV.join(', ')}).`);
  const source = passwordSource(target.spec);
  if (source?.from === 'config-file') throw new DatabaseAdapterError(`${target.container} reads its password from ${source.path}: a recreated container would take the old one again, so Gantry does not rotate it.`);
  const requirepass = `r=$(printf '%s' "$p" | $cli --raw -x CONFIG SET requirepass 2>&1); [ "$r" = OK ] || { echo "CONFIG SET requirepass: $r" >&2; exit 3; }; echo replaced`;
  const acl = `if [ "$($cli --raw ACL WHOAMI 2>/dev/null)" = default ]; then r=$(printf '>%s' "$p" | $cli --raw -x ACL SETUSER default 2>&1); [ "$r" = OK ] || { echo "ACL SETUSER: $r" >&2; exit 3; }; echo retained; else ${requirepass}; fi`;
  const only = `if [ "$($cli --raw ACL WHOAMI 2>/dev/null)" = default ]; then r=$(printf '>%s' "$p" | $cli --raw -x ACL SETUSER default resetpass 2>&1); [ "$r" = OK ] || { echo "ACL SETUSER: $r" >&2; exit 3; }; echo replaced; else ${requirepass}; fi`;
  const head = `IFS= read -r p; IFS= read -r c; [ -z "$c" ] || export REDISCLI_AUTH="$c"; cli=${flavour.cli}; `;
  return {
    set: inContainer(target.container, `${head}${flavour.passwordBy === 'acl' ? acl : requirepass}`, { stdin: true }),
    // Undo: the previous password again the only one (resetpass drops the added one).
    restore: inContainer(target.container, `${head}${flavour.passwordBy === 'acl' ? only : requirepass}`, { stdin: true }),
    retire: null,
    loginVariable: variable,
    describe:
      flavour.passwordBy === 'acl'
        ? 'ACL SETUSER default >new (the old password stays valid until the container is recreated with the new one; without ACLs, CONFIG SET requirepass)'
        : 'CONFIG SET requirepass (one password: the old one is refused at once)',
  };
}

function passwordSource(spec: DatabaseSpec): PasswordSource | null {
  const words = processWords(spec);
  const flagAt = words.findIndex((w) => w === '--requirepass' || w.startsWith('--requirepass='));
  if (flagAt >= 0 || words.some((w) => /--requirepass[ =]/.test(w))) return { from: 'command-line', flag: '--requirepass' };
  const variable = firstEnv(spec, ['REDIS_PASSWORD', 'KEYDB_PASSWORD', 'DFLY_requirepass', 'DFLY_REQUIREPASS']);
  if (variable) return { from: 'env', name: variable };
  const file = firstEnv(spec, ['REDIS_PASSWORD_FILE']);
  if (file) return { from: 'env-file', name: file };
  const config = words.find((w) => w.endsWith('.conf'));
  if (config) return { from: 'config-file', path: config };
  return null;
}

function credentials(spec: DatabaseSpec): DatabaseCredentials {
  const credentialEnv = [...PASSWORD_ENV, 'REDIS_PASSWORD_FILE'].filter((name) => name in spec.env);
  return { user: null, database: null, password: passwordSource(spec), credentialEnv };
}

/**
 * One SCAN batch (cursor in ARGV[1]) → the next cursor, then per key: hex(key), element count and
 * sha1 of its type and content in a canonical order (TTL left out: it changes as time passes).
 */
const DIGEST_LUA = `
local function hex(s) return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end)) end
local function lp(parts) local out = {} for i, p in ipairs(parts) do out[i] = #p .. ':' .. p end return table.concat(out, ',') end
local r = redis.call('SCAN', ARGV[1], 'COUNT', 1000)
local out = { r[1] }
for _, k in ipairs(r[2]) do
  local t = redis.call('TYPE', k)
  if type(t) == 'table' then t = t.ok end
  local parts = {}
  if t == 'string' then parts = { redis.call('GET', k) }
  elseif t == 'list' then parts = redis.call('LRANGE', k, 0, -1)
  elseif t == 'set' then parts = redis.call('SMEMBERS', k) table.sort(parts)
  elseif t == 'zset' then parts = redis.call('ZRANGE', k, 0, -1, 'WITHSCORES')
  elseif t == 'hash' then
    local flat = redis.call('HGETALL', k)
    for i = 1, #flat, 2 do parts[#parts + 1] = #flat[i] .. ':' .. flat[i] .. '=' .. flat[i + 1] end
    table.sort(parts)
  elseif t == 'stream' then
    for _, e in ipairs(redis.call('XRANGE', k, '-', '+')) do parts[#parts + 1] = e[1] .. '>' .. lp(e[2]) end
  end
  local n = #parts
  if t == 'zset' or t == 'hash' then n = t == 'zset' and n / 2 or n end
  out[#out + 1] = hex(k) .. ' ' .. n .. ' ' .. redis.sha1hex(t .. '|' .. lp(parts))
end
return out`;

function redisFamilyAdapter(flavour: RedisFlavour): DatabaseAdapter {
  return {
    type: flavour.type,
    label: flavour.label,
    dumpFormat: 'rdb',
    restoreRestartsContainer: flavour.restartAfter,
    detect: (spec) => detectByRules({ type: flavour.type, ...flavour.rules }, spec),
    credentials,
    commands(target: DatabaseTarget) {
      const { password } = credentials(target.spec);
      const auth = `${password ? `export REDISCLI_AUTH=${passwordExpression(password)}; ` : ''}cli=${flavour.cli}; `;
      const script = flavour.luaHeader + DIGEST_LUA;
      const restore = inContainer(target.container, `${auth}set -e; ${flavour.restoreScript}`, { stdin: true });
      return {
        readiness: inContainer(target.container, `${auth}test "$($cli PING)" = PONG`),
        // Memory overstates an RDB (seen 2.6×): up to EXACT_SIZE_BELOW of dataset the dump itself is
        // counted; past it, the last RDB written when there is one, else the dataset's memory.
        size: inContainer(
          target.container,
          `${auth}m=$($cli INFO memory | sed -n 's/^used_memory_dataset:\\([0-9]*\\).*/\\1/p'); if [ "\${m:-0}" -lt ${EXACT_SIZE_BELOW} ]; then ( ${flavour.dumpScript} ) | wc -c; else d=$($cli --raw CONFIG GET dir | tail -n 1); f=$($cli --raw CONFIG GET dbfilename | tail -n 1); if [ -s "$d/$f" ]; then wc -c < "$d/$f"; else echo "$m"; fi; fi`,
        ),
        dump: inContainer(target.container, `${auth}${flavour.dumpScript}`),
        // One group, so `restore < file` (a backup's restore) feeds the file to the docker exec, not to the restart.
        restore: flavour.restartAfter ? `{ ${restore} && docker restart ${shellQuote(target.container)} >/dev/null; }` : restore,
        // Every logical database listed in INFO keyspace, each scanned to the end.
        checksum: inContainer(
          target.container,
          `${auth}set -e; s=${shellQuote(script)}; for db in $($cli INFO keyspace | sed -n 's/^db\\([0-9]*\\):.*/\\1/p'); do c=0; while :; do out=$($cli -n "$db" --raw EVAL "$s" 0 "$c"); c=$(printf '%s\\n' "$out" | head -n 1); printf '%s\\n' "$out" | tail -n +2 | sed "s/^/$db /"; [ "$c" = 0 ] && break; done; done`,
        ),
      };
    },
    passwordChange: (target, variable) => passwordChangeFor(flavour, target, variable),
    parseSize: (stdout) => parseByteCount(flavour.label, stdout),
    parseChecksum: (stdout) => parseRedisDigests(flavour.type, stdout),
  };
}

/** Reads `db hexkey count sha1` lines into entries named `db<n>:<key>`. */
function parseRedisDigests(type: RedisFlavour['type'], stdout: string) {
  const entries: ChecksumEntry[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const match = /^(\d+) ([0-9a-f]*) (\d+) ([0-9a-f]{40})$/.exec(line.trim());
    if (!match) throw new DatabaseAdapterError(`The ${type} checksum printed an unexpected line: ${line.slice(0, 80)}`);
    entries.push({ name: `db${match[1]}:${Buffer.from(match[2]!, 'hex').toString('utf8')}`, count: Number(match[3]), hash: match[4]! });
  }
  return checksumOf(type, entries);
}

/** Writes stdin to the data file's place, with saving switched off until the restart so nothing overwrites it. */
const REPLACE_RDB =
  `d=$($cli --raw CONFIG GET dir | tail -n 1); f=$($cli --raw CONFIG GET dbfilename | tail -n 1); ` +
  `if [ "$($cli --raw CONFIG GET appendonly | tail -n 1)" = yes ]; then echo 'appendonly is on: an RDB restore would be ignored at start-up' >&2; exit 3; fi; ` +
  `cat > "$d/$f.gantry-restore"; $cli CONFIG SET save '' >/dev/null; mv "$d/$f.gantry-restore" "$d/$f"`;

/** Redis (redis-cli --rdb; it waits repl-diskless-sync-delay, 5 s by default, before sending). */
export const redisDatabaseAdapter = redisFamilyAdapter({
  type: 'redis',
  label: 'Redis',
  cli: 'redis-cli',
  rules: { images: ['redis', 'redis-stack', 'redis-stack-server', 'valkey'], imageHints: ['redis', 'valkey'], env: ['REDIS_PASSWORD'], binaries: ['redis-server', 'valkey-server'] },
  dumpScript: 'set -e; f=$(mktemp); trap \'rm -f "$f"\' EXIT; $cli --rdb "$f" >&2; cat "$f"',
  restoreScript: REPLACE_RDB,
  restartAfter: true,
  luaHeader: '',
  passwordBy: 'acl',
});

/** KeyDB (a Redis fork: keydb-cli, the same RDB). */
export const keydbAdapter = redisFamilyAdapter({
  type: 'keydb',
  label: 'KeyDB',
  cli: 'keydb-cli',
  rules: { images: ['keydb'], imageHints: ['keydb'], env: ['KEYDB_PASSWORD'], binaries: ['keydb-server'] },
  dumpScript: 'set -e; f=$(mktemp); trap \'rm -f "$f"\' EXIT; $cli --rdb "$f" >&2; cat "$f"',
  restoreScript: REPLACE_RDB,
  restartAfter: true,
  luaHeader: '',
  passwordBy: 'acl',
});

/**
 * Dragonfly: `SAVE RDB` writes a Redis-compatible RDB into its dir, streamed then removed;
 * `DFLY LOAD` loads one into the running server (no restart).
 */
export const dragonflyAdapter = redisFamilyAdapter({
  type: 'dragonfly',
  label: 'Dragonfly',
  cli: 'redis-cli',
  rules: { images: ['dragonfly'], imageHints: ['dragonfly'], env: ['DFLY_requirepass', 'DFLY_REQUIREPASS'], binaries: ['dragonfly'] },
  dumpScript: `set -e; d=$($cli --raw CONFIG GET dir | tail -n 1); $cli SAVE RDB gantry-dump >/dev/null; trap 'rm -f "$d"/gantry-dump*' EXIT; cat "$d"/gantry-dump*.rdb`,
  restoreScript: `d=$($cli --raw CONFIG GET dir | tail -n 1); trap 'rm -f "$d/gantry-restore.rdb"' EXIT; cat > "$d/gantry-restore.rdb"; $cli FLUSHALL >/dev/null; test "$($cli --raw DFLY LOAD gantry-restore.rdb)" = OK`,
  restartAfter: false,
  luaHeader: '--!df flags=allow-undeclared-keys,disable-atomicity\n',
  passwordBy: 'requirepass',
});
