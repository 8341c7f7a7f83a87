/**
 * MongoDB: `mongodump --archive` of every application database (admin, config and local stay:
 * the target keeps its own users), restored with `mongorestore --archive --drop` after dropping
 * the target's application databases; the checksum is the server's own `dbHash` per collection.
 * The tools get the root password from a config file written inside the container (mongodump,
 * mongorestore) or from `process.env` (mongosh), never from their command line.
 * Untested against a live server: MongoDB cannot be installed on the build machines (its
 * password change too is tested only as the commands it builds).
 */
import { DatabaseAdapterError, type DatabaseAdapter, type DatabaseCredentials, type DatabaseSpec, type DatabaseTarget } from './adapter';
import { parseByteCount, parseChecksumLines } from './checksum';
import { envValue, firstEnv, inContainer, passwordExpression, shellQuote } from './container-shell';
import { detectByRules } from './detection';

function credentials(spec: DatabaseSpec): DatabaseCredentials {
  const user = envValue(spec, ['MONGO_INITDB_ROOT_USERNAME']);
  const passwordVar = firstEnv(spec, ['MONGO_INITDB_ROOT_PASSWORD']);
  const passwordFile = firstEnv(spec, ['MONGO_INITDB_ROOT_PASSWORD_FILE']);
  const password = passwordVar ? { from: 'env' as const, name: passwordVar } : passwordFile ? { from: 'env-file' as const, name: passwordFile } : null;
  const credentialEnv = ['MONGO_INITDB_ROOT_USERNAME', 'MONGO_INITDB_ROOT_PASSWORD', 'MONGO_INITDB_ROOT_PASSWORD_FILE'].filter((name) => name in spec.env);
  return { user, database: envValue(spec, ['MONGO_INITDB_DATABASE']), password, credentialEnv };
}

const SYSTEM_DATABASES = "['admin', 'config', 'local']";

/** mongosh JavaScript that connects (authenticating from the env when a user is set) and binds `app` = the server. */
function connectJs(user: string | null): string {
  const auth = user ? `admin.auth(${JSON.stringify(user)}, process.env.GANTRY_MONGO_PW);` : '';
  return `const admin = db.getSiblingDB('admin'); ${auth} const appDbs = admin.adminCommand({ listDatabases: 1, nameOnly: true }).databases.map((d) => d.name).filter((n) => !${SYSTEM_DATABASES}.includes(n)).sort();`;
}

/** MongoDB. */
export const mongodbAdapter: DatabaseAdapter = {
  type: 'mongodb',
  label: 'MongoDB',
  dumpFormat: 'mongo-archive',
  restoreRestartsContainer: false,
  detect: (spec) => detectByRules({ type: 'mongodb', images: ['mongo', 'mongodb', 'mongodb-community-server'], imageHints: ['mongo'], env: ['MONGO_INITDB_ROOT_USERNAME', 'MONGO_INITDB_ROOT_PASSWORD', 'MONGO_INITDB_DATABASE'], binaries: ['mongod'] }, spec),
  credentials,
  commands(target: DatabaseTarget) {
    const { user, password } = credentials(target.spec);
    const env = password ? `export GANTRY_MONGO_PW=${passwordExpression(password)}; ` : '';
    // mongodump/mongorestore read the password from a YAML file (single-quoted, quotes doubled) removed on exit.
    const toolAuth = user && password
      ? `c=$(mktemp); trap 'rm -f "$c"' EXIT; printf "password: '%s'\\n" "$(printf '%s' "$GANTRY_MONGO_PW" | sed "s/'/''/g")" > "$c"; set -- --config="$c" -u ${shellQuote(user)} --authenticationDatabase admin; `
      : 'set --; ';
    const mongosh = (js: string) => `mongosh --quiet --norc --eval ${shellQuote(js)}`;
    const js = connectJs(user);
    return {
      readiness: inContainer(target.container, `${env}${mongosh(`${js} if (admin.runCommand({ ping: 1 }).ok !== 1) quit(1);`)}`),
      size: inContainer(target.container, `${env}${mongosh(`${js} print(appDbs.reduce((sum, n) => sum + db.getSiblingDB(n).stats().dataSize, 0));`)}`),
      dump: inContainer(target.container, `${env}set -e; ${toolAuth}mongodump --quiet --archive "$@" --nsExclude='admin.*' --nsExclude='config.*' --nsExclude='local.*'`),
      restore: inContainer(
        target.container,
        `${env}set -e; ${mongosh(`${js} appDbs.forEach((n) => db.getSiblingDB(n).dropDatabase());`)}; ${toolAuth}mongorestore --quiet --archive --drop "$@"`,
        { stdin: true },
      ),
      checksum: inContainer(
        target.container,
        `${env}${mongosh(`${js} for (const n of appDbs) { const d = db.getSiblingDB(n); const h = d.runCommand({ dbHash: 1 }); for (const c of Object.keys(h.collections).sort()) print(n + '.' + c + '\\t' + d.getCollection(c).countDocuments({}) + '\\t' + h.collections[c]); }`)}`,
      ),
    };
  },
  passwordChange(target, variable) {
    const { user } = credentials(target.spec);
    if (variable !== 'MONGO_INITDB_ROOT_PASSWORD') throw new DatabaseAdapterError(`Gantry rotates MongoDB's MONGO_INITDB_ROOT_PASSWORD, not ${variable}.`);
    if (!user) throw new DatabaseAdapterError(`${target.container} sets ${variable} but no MONGO_INITDB_ROOT_USERNAME: Gantry does not know whose password it is.`);
    // Both passwords reach mongosh through its environment (process.env), never its command line.
    const js = `const admin = db.getSiblingDB('admin'); admin.auth(${JSON.stringify(user)}, process.env.GANTRY_MONGO_PW); admin.changeUserPassword(${JSON.stringify(user)}, process.env.GANTRY_MONGO_NEW_PW);`;
    const set = inContainer(target.container, `IFS= read -r p; IFS= read -r c; export GANTRY_MONGO_PW="$c" GANTRY_MONGO_NEW_PW="$p"; mongosh --quiet --norc --eval ${shellQuote(js)} >/dev/null && echo replaced`, { stdin: true });
    return { set, restore: set, retire: null, loginVariable: variable, describe: 'db.changeUserPassword (MongoDB keeps one password per user: the old one is refused at once)' };
  },
  parseSize: (stdout) => parseByteCount('MongoDB', stdout),
  parseChecksum: (stdout) => parseChecksumLines('mongodb', stdout, '\t'),
};
