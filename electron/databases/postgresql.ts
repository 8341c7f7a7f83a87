/**
 * PostgreSQL: `pg_dump -Fc` (uncompressed: the copy step compresses the stream) and
 * `pg_restore` after dropping every user schema; credentials from the official image's
 * POSTGRES_USER / POSTGRES_PASSWORD(_FILE) / POSTGRES_DB.
 */
import { DatabaseAdapterError, type DatabaseAdapter, type DatabaseCredentials, type DatabaseSpec, type DatabaseTarget } from './adapter';
import { parseByteCount, parseChecksumLines } from './checksum';
import { envValue, firstEnv, inContainer, passwordExpression, shellQuote } from './container-shell';
import { detectByRules } from './detection';

function credentials(spec: DatabaseSpec): DatabaseCredentials {
  const user = envValue(spec, ['POSTGRES_USER', 'POSTGRESQL_USERNAME']) ?? 'postgres';
  const database = envValue(spec, ['POSTGRES_DB', 'POSTGRESQL_DATABASE']) ?? user;
  const passwordVar = firstEnv(spec, ['POSTGRES_PASSWORD', 'POSTGRESQL_PASSWORD']);
  const passwordFile = firstEnv(spec, ['POSTGRES_PASSWORD_FILE']);
  const password = passwordVar ? { from: 'env' as const, name: passwordVar } : passwordFile ? { from: 'env-file' as const, name: passwordFile } : null;
  const credentialEnv = ['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_PASSWORD_FILE', 'POSTGRESQL_USERNAME', 'POSTGRESQL_PASSWORD'].filter((name) => name in spec.env);
  return { user, database, password, credentialEnv };
}

/** Row text that does not depend on the server's session settings. */
const SESSION = "export PGOPTIONS='-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres -c extra_float_digits=1 -c bytea_output=hex';";

/** Generates one query per user table: name, row count, md5 over the sorted md5s of its rows. */
const CHECKSUM_QUERIES = `SELECT format('SELECT %L, count(*), coalesce(md5(string_agg(h, '''' ORDER BY h COLLATE "C")), ''empty'') FROM (SELECT md5(t::text) AS h FROM %I.%I t) s;', schemaname || '.' || tablename, schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY schemaname, tablename`;

/** Drops every user schema (and so everything in it) and recreates an empty `public`. */
const RESET = `DO $$ DECLARE s text; BEGIN FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' LOOP EXECUTE format('DROP SCHEMA %I CASCADE', s); END LOOP; END $$; CREATE SCHEMA public;`;

/** PostgreSQL. */
export const postgresqlAdapter: DatabaseAdapter = {
  type: 'postgresql',
  label: 'PostgreSQL',
  dumpFormat: 'pg-custom',
  restoreRestartsContainer: false,
  detect: (spec) =>
    detectByRules({ type: 'postgresql', images: ['postgres', 'postgresql', 'postgis'], imageHints: ['postgres', 'postgis', 'timescale'], env: ['POSTGRES_PASSWORD', 'POSTGRES_USER', 'POSTGRES_DB', 'PGDATA'], binaries: ['postgres'] }, spec),
  credentials,
  commands(target: DatabaseTarget) {
    const { user, database, password } = credentials(target.spec);
    const auth = `${password ? `export PGPASSWORD=${passwordExpression(password)}; ` : ''}${SESSION} `;
    const conn = `-U ${shellQuote(user!)} -d ${shellQuote(database!)}`;
    const psql = `psql -X -q -v ON_ERROR_STOP=1 -tA ${conn}`;
    return {
      readiness: inContainer(target.container, `${auth}test "$(${psql} -c 'SELECT 1')" = 1`),
      size: inContainer(target.container, `${auth}${psql} -c ${shellQuote('SELECT coalesce(sum(pg_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN (\'r\', \'m\', \'t\') AND n.nspname NOT IN (\'pg_catalog\', \'information_schema\')')}`),
      dump: inContainer(target.container, `${auth}exec pg_dump -Fc -Z0 --no-owner --no-privileges ${conn}`),
      restore: inContainer(target.container, `${auth}${psql} -c ${shellQuote(RESET)} && exec pg_restore --no-owner --no-privileges --exit-on-error ${conn}`, { stdin: true }),
      checksum: inContainer(target.container, `${auth}set -e; q=$(${psql} -c ${shellQuote(CHECKSUM_QUERIES)}); [ -z "$q" ] || printf '%s\\n' "$q" | ${psql} -F '|'`),
    };
  },
  passwordChange(target, variable) {
    const { user, database } = credentials(target.spec);
    if (!['POSTGRES_PASSWORD', 'POSTGRESQL_PASSWORD'].includes(variable)) throw new DatabaseAdapterError(`Gantry rotates PostgreSQL's POSTGRES_PASSWORD, not ${variable}.`);
    const conn = `-U ${shellQuote(user!)} -d ${shellQuote(database!)}`;
    // As the role itself over the local socket (its current password in PGPASSWORD where the socket asks); quotes doubled for SQL.
    const set = inContainer(
      target.container,
      `IFS= read -r p; IFS= read -r c; export PGPASSWORD="$c"; q=$(printf '%s' "$p" | sed "s/'/''/g"); printf '%s%s%s\\n' ${shellQuote(`ALTER ROLE "${user!.replaceAll('"', '""')}" PASSWORD '`)} "$q" ${shellQuote("';")} | psql -X -q -v ON_ERROR_STOP=1 ${conn} && echo replaced`,
      { stdin: true },
    );
    return {
      set,
      restore: set,
      retire: null,
      loginVariable: variable,
      describe: 'ALTER ROLE … PASSWORD (PostgreSQL keeps one password per role: the old one is refused at once)',
    };
  },
  parseSize: (stdout) => parseByteCount('PostgreSQL', stdout),
  parseChecksum: (stdout) => parseChecksumLines('postgresql', stdout, '|'),
};
