/**
 * ClickHouse: each table of the database as its CREATE statement plus its rows in Native format,
 * collected in a tar stream (the files sit in a temporary folder inside the container, never on
 * the operator's machine); restored by recreating every table. Works with the 18.16 server the
 * lab runs. The client is given no password on its command line: recent clients read
 * CLICKHOUSE_USER / CLICKHOUSE_PASSWORD from the container's env themselves.
 */
import { DatabaseAdapterError, type DatabaseAdapter, type DatabaseCredentials, type DatabaseSpec, type DatabaseTarget } from './adapter';
import { parseByteCount, parseChecksumLines } from './checksum';
import { envValue, inContainer, shellQuote } from './container-shell';
import { detectByRules } from './detection';

function credentials(spec: DatabaseSpec): DatabaseCredentials {
  const credentialEnv = ['CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD'].filter((name) => name in spec.env);
  const password = 'CLICKHOUSE_PASSWORD' in spec.env ? { from: 'env' as const, name: 'CLICKHOUSE_PASSWORD' } : null;
  return { user: envValue(spec, ['CLICKHOUSE_USER']) ?? 'default', database: envValue(spec, ['CLICKHOUSE_DB']) ?? 'default', password, credentialEnv };
}

/** Generates one query per table: name, row count, sum of cityHash64 of each row's text (order-free, duplicates counted). */
function checksumQueries(database: string): string {
  return `SELECT concat('SELECT ''', name_, ''', count(), toString(sum(cityHash64(toString(tuple(', cols, '))))) FROM ', db_, '.\`', name_, '\`;') FROM (SELECT table AS name_, any(database) AS db_, arrayStringConcat(groupArray(concat('\`', name, '\`')), ', ') AS cols FROM system.columns WHERE database = ${sqlString(database)} GROUP BY table) ORDER BY name_ FORMAT TabSeparatedRaw`;
}

/** Where a rotation's password override lives inside the container (gone when the container is recreated with the new value). */
const OVERRIDE = '/etc/clickhouse-server/users.d/zz-gantry-password.xml';

/** A ClickHouse string literal. */
function sqlString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** ClickHouse. */
export const clickhouseAdapter: DatabaseAdapter = {
  type: 'clickhouse',
  label: 'ClickHouse',
  dumpFormat: 'tar',
  restoreRestartsContainer: false,
  detect: (spec) => detectByRules({ type: 'clickhouse', images: ['clickhouse-server', 'clickhouse'], imageHints: ['clickhouse'], env: ['CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD', 'CLICKHOUSE_DB'], binaries: ['clickhouse-server'] }, spec),
  credentials,
  commands(target: DatabaseTarget) {
    const { database } = credentials(target.spec);
    const db = shellQuote(database!);
    const tables = `SELECT name FROM system.tables WHERE database = ${sqlString(database!)} ORDER BY name`;
    const cli = 'clickhouse-client';
    return {
      readiness: inContainer(target.container, `test "$(${cli} -q 'SELECT 1')" = 1`),
      size: inContainer(target.container, `${cli} -q ${shellQuote(`SELECT sum(data_uncompressed_bytes) FROM system.parts WHERE active AND database = ${sqlString(database!)}`)}`),
      dump: inContainer(
        target.container,
        `set -e; t=$(mktemp -d); trap 'rm -rf "$t"' EXIT; ${cli} -q ${shellQuote(tables)} | while IFS= read -r n; do ${cli} -d ${db} -q "SHOW CREATE TABLE \\\`$n\\\` FORMAT TabSeparatedRaw" > "$t/$n.sql"; ${cli} -d ${db} -q "SELECT * FROM \\\`$n\\\` FORMAT Native" > "$t/$n.native"; done; tar -C "$t" -cf - .`,
      ),
      restore: inContainer(
        target.container,
        `set -e; t=$(mktemp -d); trap 'rm -rf "$t"' EXIT; tar -C "$t" -xf -; ${cli} -q ${shellQuote(tables)} | while IFS= read -r n; do ${cli} -d ${db} -q "DROP TABLE IF EXISTS \\\`$n\\\`"; done; for s in "$t"/*.sql; do [ -e "$s" ] || continue; n=$(basename "$s" .sql); ${cli} -d ${db} -q "$(cat "$s")"; ${cli} -d ${db} -q "INSERT INTO \\\`$n\\\` FORMAT Native" < "$t/$n.native"; done`,
        { stdin: true },
      ),
      checksum: inContainer(target.container, `set -e; ${cli} -q ${shellQuote(checksumQueries(database!))} | while IFS= read -r q; do ${cli} -q "$q"; done`),
    };
  },
  passwordChange(target, variable) {
    if (variable !== 'CLICKHOUSE_PASSWORD') throw new DatabaseAdapterError(`Gantry rotates ClickHouse's CLICKHOUSE_PASSWORD, not ${variable}.`);
    const { user } = credentials(target.spec);
    // The client logs in from a config file in a temporary folder (never a command line); values XML-escaped.
    const client = `x() { printf '%s' "$1" | sed -e 's/&/\\&amp;/g' -e 's/</\\&lt;/g' -e 's/>/\\&gt;/g'; }; t=$(mktemp -d); trap 'rm -rf "$t"' EXIT; conf() { printf '<config><user>%s</user><password>%s</password></config>\\n' "$(x ${shellQuote(user!)})" "$(x "$1")" > "$t/$2.xml"; }; takes() { clickhouse-client --config-file "$t/$1.xml" -q 'SELECT 1' >/dev/null 2>&1; }; `;
    const wait = (which: string, what: string) => `for i in $(seq 1 60); do takes ${which} && { echo replaced; exit 0; }; sleep 0.5; done; echo ${shellQuote(`ClickHouse did not take ${what} within 30 s`)} >&2; exit 3`;
    return {
      // An override in users.d (read after the image's own files, reloaded by the server by itself) with the new password's SHA-256.
      set: inContainer(
        target.container,
        `IFS= read -r p; IFS= read -r c; ${client}conf "$c" old; conf "$p" new; takes old || { echo 'ClickHouse does not take the current password' >&2; exit 3; }; h=$(printf '%s' "$p" | sha256sum | cut -d ' ' -f 1); u=$(x ${shellQuote(user!)}); mkdir -p "$(dirname ${OVERRIDE})"; printf '<?xml version="1.0"?>\\n<yandex><users><%s><password remove="remove"/><password_double_sha1_hex remove="remove"/><password_sha256_hex>%s</password_sha256_hex></%s></users></yandex>\\n' "$u" "$h" "$u" > ${OVERRIDE}.tmp && chmod 644 ${OVERRIDE}.tmp && mv ${OVERRIDE}.tmp ${OVERRIDE}; ${wait('new', 'the new password')}`,
        { stdin: true },
      ),
      // Removing the override puts the container's own password (from its env at start) back.
      restore: inContainer(target.container, `IFS= read -r p; IFS= read -r c; ${client}conf "$p" old; rm -f ${OVERRIDE}; ${wait('old', 'its previous password')}`, { stdin: true }),
      retire: null,
      loginVariable: variable,
      describe: 'a users.d override with the new password’s SHA-256 (ClickHouse keeps one password per user: the old one is refused once the server reloads it)',
    };
  },
  parseSize: (stdout) => parseByteCount('ClickHouse', stdout),
  parseChecksum: (stdout) => parseChecksumLines('clickhouse', stdout, '\t'),
};
