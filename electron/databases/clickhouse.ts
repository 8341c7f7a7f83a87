/**
 * ClickHouse: each table of the database as its CREATE statement plus its rows in Native format,
 * collected in a tar stream (the files sit in a temporary folder inside the container, never on
 * the operator's machine); restored by recreating every table. Works with the 18.16 server the
 * lab runs. The client is given no password on its command line: recent clients read
 * CLICKHOUSE_USER / CLICKHOUSE_PASSWORD from the container's env themselves.
 */
import type { DatabaseAdapter, DatabaseCredentials, DatabaseSpec, DatabaseTarget } from './adapter';
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
  parseSize: (stdout) => parseByteCount('ClickHouse', stdout),
  parseChecksum: (stdout) => parseChecksumLines('clickhouse', stdout, '\t'),
};
