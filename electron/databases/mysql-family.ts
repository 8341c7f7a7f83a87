/**
 * MySQL and MariaDB: `mysqldump --single-transaction` of the one application database, restored
 * into a freshly recreated database of the same name. The client reads the password from
 * MYSQL_PWD, set inside the container from the container's own env.
 */
import type { DatabaseType } from '@shared/spec/resource-spec';
import type { DatabaseAdapter, DatabaseCredentials, DatabaseSpec, DatabaseTarget, PasswordChange } from './adapter';
import { DatabaseAdapterError } from './adapter';
import { parseByteCount, parseChecksumLines } from './checksum';
import { EXACT_SIZE_BELOW, firstEnv, envValue, inContainer, passwordExpression, shellQuote } from './container-shell';
import { detectByRules, type DetectionRules } from './detection';

/** What differs between MySQL and MariaDB. */
interface MysqlFlavour {
  type: Extract<DatabaseType, 'mysql' | 'mariadb'>;
  label: string;
  /** Env prefixes in the order the image reads them. */
  prefixes: string[];
  client: string;
  dump: string;
  rules: Omit<DetectionRules, 'type'>;
}

function credentialsFor(flavour: MysqlFlavour, spec: DatabaseSpec): DatabaseCredentials {
  const names = (suffix: string) => flavour.prefixes.map((prefix) => `${prefix}_${suffix}`);
  const rootPassword = firstEnv(spec, names('ROOT_PASSWORD'));
  const rootFile = firstEnv(spec, names('ROOT_PASSWORD_FILE'));
  const appUser = envValue(spec, names('USER'));
  const appPassword = firstEnv(spec, names('PASSWORD'));
  const appFile = firstEnv(spec, names('PASSWORD_FILE'));
  const credentialEnv = ['ROOT_PASSWORD', 'ROOT_PASSWORD_FILE', 'USER', 'PASSWORD', 'PASSWORD_FILE'].flatMap(names).filter((name) => name in spec.env);
  const database = envValue(spec, names('DATABASE'));
  // Root when its password is known (it can drop and recreate the database), else the app user.
  if (rootPassword || rootFile) {
    return { user: 'root', database, password: rootPassword ? { from: 'env', name: rootPassword } : { from: 'env-file', name: rootFile! }, credentialEnv };
  }
  if (appUser && (appPassword || appFile)) {
    return { user: appUser, database, password: appPassword ? { from: 'env', name: appPassword } : { from: 'env-file', name: appFile! }, credentialEnv };
  }
  return { user: 'root', database, password: null, credentialEnv };
}

/** A `SELECT` per base table: name, row count, md5 over the sorted md5s of its rows (NULL told apart from text). */
const CHECKSUM_QUERIES = [
  'SET SESSION group_concat_max_len = 1073741824;',
  "SELECT CONCAT('SELECT ', QUOTE(c.table_name), ', COUNT(*), IFNULL(MD5(GROUP_CONCAT(h ORDER BY h SEPARATOR ''''))', ', ''empty'') FROM (SELECT MD5(CONCAT_WS(0x1f, ',",
  "GROUP_CONCAT(CONCAT('IFNULL(HEX(`', REPLACE(c.column_name, '`', '``'), '`), ''N'')') ORDER BY c.ordinal_position SEPARATOR ', '),",
  "')) AS h FROM `', REPLACE(c.table_name, '`', '``'), '`) s;')",
  "FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name",
  "WHERE c.table_schema = DATABASE() AND t.table_type = 'BASE TABLE' GROUP BY c.table_name ORDER BY c.table_name;",
].join(' ');

function mysqlFamilyAdapter(flavour: MysqlFlavour): DatabaseAdapter {
  const credentials = (spec: DatabaseSpec) => credentialsFor(flavour, spec);
  return {
    type: flavour.type,
    label: flavour.label,
    dumpFormat: 'sql',
    restoreRestartsContainer: false,
    detect: (spec) => detectByRules({ type: flavour.type, ...flavour.rules }, spec),
    credentials,
    commands(target: DatabaseTarget) {
      const { user, database, password } = credentials(target.spec);
      if (!database) throw new DatabaseAdapterError(`${target.container} names no database (${flavour.prefixes.map((p) => `${p}_DATABASE`).join(' or ')}): Gantry copies one application database.`);
      const auth = password ? `export MYSQL_PWD=${passwordExpression(password)}; ` : '';
      const who = `-u${shellQuote(user!)}`;
      const client = `${flavour.client} ${who} -N -B`;
      const db = shellQuote(database);
      const quotedName = `\`${database.replaceAll('`', '``')}\``;
      const dumpLine = `${flavour.dump} ${who} --single-transaction --quick --routines --triggers --events --hex-blob --no-tablespaces ${db}`;
      const recreate = `DROP DATABASE IF EXISTS ${quotedName}; CREATE DATABASE ${quotedName}; USE ${quotedName};`;
      return {
        readiness: inContainer(target.container, `${auth}test "$(${client} -e 'SELECT 1')" = 1`),
        // The engine's statistics lag behind fresh writes (seen at 1–2% of the dump): up to 256 MiB
        // by them, the dump itself is counted (read-only, seconds); past that the statistics are kept.
        size: inContainer(
          target.container,
          `${auth}n=$(${client} -e ${shellQuote('SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables WHERE table_schema = DATABASE()')} ${db}); if [ "$n" -lt ${EXACT_SIZE_BELOW} ]; then ${dumpLine} | wc -c; else echo "$n"; fi`,
        ),
        dump: inContainer(target.container, `${auth}exec ${dumpLine}`),
        restore: inContainer(target.container, `${auth}{ printf '%s\\n' ${shellQuote(recreate)}; cat; } | ${client} ${db}`, { stdin: true }),
        checksum: inContainer(target.container, `${auth}set -e; q=$(${client} -e ${shellQuote(CHECKSUM_QUERIES)} ${db}); [ -z "$q" ] || printf 'SET SESSION group_concat_max_len = 1073741824;\\n%s\\n' "$q" | ${client} ${db}`),
      };
    },
    passwordChange: (target, variable) => passwordChangeFor(flavour, target, variable),
    parseSize: (stdout) => parseByteCount(flavour.label, stdout),
    parseChecksum: (stdout) => parseChecksumLines(flavour.type, stdout, '\t'),
  };
}

/**
 * `ALTER USER` for every account (user@host) of the user `variable` belongs to: root's password
 * (`*_ROOT_PASSWORD`, root@localhost and root@% alike) or the app user's (`*_PASSWORD` of
 * `*_USER`). Logged in as root when its password is known (it reads mysql.user), else as the app
 * user changing its own. MySQL 8.0.14+ keeps the old password valid beside the new one (`RETAIN
 * CURRENT PASSWORD`) until `retire` discards it; MariaDB (and older MySQL) has one password per
 * account, so the old one is refused at once.
 */
function passwordChangeFor(flavour: MysqlFlavour, target: DatabaseTarget, variable: string): PasswordChange {
  const spec = target.spec;
  const names = (suffix: string) => flavour.prefixes.map((prefix) => `${prefix}_${suffix}`);
  const login = credentialsFor(flavour, spec);
  let user: string;
  if (names('ROOT_PASSWORD').includes(variable)) user = 'root';
  else if (names('PASSWORD').includes(variable)) {
    const appUser = envValue(spec, names('USER'));
    if (!appUser) throw new DatabaseAdapterError(`${target.container} sets ${variable} but no ${names('USER').join(' or ')}: Gantry does not know whose password it is.`);
    user = appUser;
  } else throw new DatabaseAdapterError(`${variable} is not a ${flavour.label} password Gantry rotates (${[...names('ROOT_PASSWORD'), ...names('PASSWORD')].join(', ')}).`);
  if (login.user !== 'root' && user !== login.user) throw new DatabaseAdapterError(`Changing ${user}'s password needs the root password, which ${target.container} does not set.`);
  const loginVariable = login.password?.from === 'env' ? login.password.name : null;
  const auth = loginVariable ? 'export MYSQL_PWD="$c"; ' : login.password ? `export MYSQL_PWD=${passwordExpression(login.password)}; ` : '';
  const client = `${flavour.client} -u${shellQuote(login.user!)} -N -B`;
  const sqlString = (value: string) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
  // One account per line: 'user'@'host' (as root), or the login user's own account.
  const accounts =
    login.user === 'root'
      ? `a=$(${client} -e ${shellQuote(`SELECT CONCAT(QUOTE(User), '@', QUOTE(Host)) FROM mysql.user WHERE User = ${sqlString(user)}`)}) || exit 3; [ -n "$a" ] || { echo ${shellQuote(`${flavour.label} has no user ${user}`)} >&2; exit 3; }; `
      : 'a="CURRENT_USER()"; ';
  const head = `IFS= read -r p; IFS= read -r c; ${auth}q=$(printf '%s' "$p" | sed -e 's/\\\\/\\\\\\\\/g' -e "s/'/''/g"); ${accounts}`;
  const each = (template: string) => `printf '%s\\n' "$a" | while IFS= read -r u; do printf ${shellQuote(template)} "$u"${template.split('%s').length > 2 ? ' "$q"' : ''}; done`;
  const plain = `${each("ALTER USER %s IDENTIFIED BY '%s';\\n")} | ${client}`;
  const retain = `${each("ALTER USER %s IDENTIFIED BY '%s' RETAIN CURRENT PASSWORD;\\n")} | ${client} 2>/dev/null`;
  const set = flavour.type === 'mysql' ? `${head}if ${retain}; then echo retained; else ${plain} && echo replaced; fi` : `${head}${plain} && echo replaced`;
  const discard = `${each('ALTER USER %s DISCARD OLD PASSWORD;\\n')} | ${client}`;
  return {
    set: inContainer(target.container, set, { stdin: true }),
    restore: inContainer(target.container, flavour.type === 'mysql' ? `${head}${plain} && { ${discard} 2>/dev/null || true; } && echo replaced` : `${head}${plain} && echo replaced`, { stdin: true }),
    retire: flavour.type === 'mysql' ? inContainer(target.container, `${head}${discard}`, { stdin: true }) : null,
    loginVariable,
    describe:
      flavour.type === 'mysql'
        ? `ALTER USER … RETAIN CURRENT PASSWORD for every account of ${user} (the old password stays valid until the dependants run with the new one, then DISCARD OLD PASSWORD; a server without dual passwords, e.g. MariaDB, takes a plain ALTER USER)`
        : `ALTER USER for every account of ${user} (MariaDB keeps one password per account: the old one is refused at once)`,
  };
}

/** MySQL (the official image's MYSQL_* variables; `mysql` and `mysqldump`). */
export const mysqlDatabaseAdapter = mysqlFamilyAdapter({
  type: 'mysql',
  label: 'MySQL',
  prefixes: ['MYSQL'],
  client: 'mysql',
  dump: 'mysqldump',
  rules: { images: ['mysql', 'percona', 'percona-server'], imageHints: ['mysql', 'percona'], env: ['MYSQL_ROOT_PASSWORD', 'MYSQL_DATABASE', 'MYSQL_USER', 'MYSQL_ALLOW_EMPTY_PASSWORD'], binaries: ['mysqld'] },
});

/** MariaDB (MARIADB_* variables, falling back to MYSQL_* as the image does; `mariadb` and `mariadb-dump`). */
export const mariadbAdapter = mysqlFamilyAdapter({
  type: 'mariadb',
  label: 'MariaDB',
  prefixes: ['MARIADB', 'MYSQL'],
  client: 'mariadb',
  dump: 'mariadb-dump',
  rules: { images: ['mariadb'], imageHints: ['mariadb'], env: ['MARIADB_ROOT_PASSWORD', 'MARIADB_DATABASE', 'MARIADB_USER'], binaries: ['mariadbd'] },
});
