/**
 * The one module that decides what counts as a secret and masks it, in free text (log lines,
 * errors, cron lines, stored JSON), in env values and in command arguments. shared/spec/secrets.ts
 * walks a resource spec with these rules. What it catches, tested by redact.test.ts's table:
 * private key blocks, credentials in URLs (`scheme://user:pass@host`), Go/MySQL DSNs
 * (`user:pass@tcp(host:3306)/db`), Oracle JDBC (`scott/tiger@`), `key=value` pairs whose key names
 * a secret (libpq `password=`, JDBC/ODBC `;Pwd=`, `DB_PASSWORD=`, JSON `"token":"…"`),
 * `Authorization`/bearer/basic headers, and secret command arguments (`--requirepass x`,
 * `redis-cli -a x`, `mysql -px`, `mongosh -p x`, `curl -u user:pass`). Hosts, ports and database
 * names stay readable. It is a last line of defence: code should not put secrets into text.
 */

/** What replaces a masked secret. */
export const MASK = '••••••';

/** Words that make an env key (or a label key) name a secret wherever they appear in it. */
const secretWords = new Set(['PASSWORD', 'PASSWORDS', 'PASSWD', 'PASS', 'PASSPHRASE', 'PWD', 'SECRET', 'SECRETS', 'TOKEN', 'TOKENS', 'CREDENTIAL', 'CREDENTIALS', 'APIKEY', 'PRIVATEKEY', 'SALT', 'REQUIREPASS', 'MASTERAUTH']);
/** Words that name a secret only as the last word: `APP_KEY`, `REDIS_AUTH` but not `KEY_PREFIX`, `AUTH_ENABLED`. */
const secretLastWords = new Set(['KEY', 'AUTH']);

function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
}

function namesSecretWord(words: string[]): boolean {
  // `API_KEY_ID`, `PRIVATE_KEY_FILE`: two words that spell one secret word.
  return words.some((word, i) => secretWords.has(word) || (i + 1 < words.length && secretWords.has(`${word}${words[i + 1]}`)));
}

/** True when an env var (or label) named `key` holds a secret, e.g. `POSTGRES_PASSWORD`, `dbPass`, `APP_KEY`, `GITHUB_TOKEN`. */
export function isSecretEnvKey(key: string): boolean {
  const words = keyWords(key);
  if (words.length === 1 && words[0] === 'PWD') return false; // the shell's working directory
  const last = words.at(-1);
  if (last !== undefined && secretLastWords.has(last)) return true;
  return namesSecretWord(words);
}

/**
 * Whether a key met in free text (`key=value`, `"key":"value"`, `Key: value`) names a secret.
 * Env-style names follow `isSecretEnvKey`; camelCase field names of Gantry's own JSON (`hostKey`,
 * `portKey`) and the bare words `key`/`auth` need a stronger word, and `PWD=/path` is a folder.
 */
function isSecretTextKey(key: string, value: string): boolean {
  const words = keyWords(key);
  if (words.length === 1 && words[0] === 'PWD') return !/^[/~]/.test(value);
  if (words.length === 1 && secretLastWords.has(words[0] ?? '')) return false;
  if (/[a-z][A-Z]/.test(key)) return namesSecretWord(words);
  return isSecretEnvKey(key);
}

const privateKeyBlock = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g;
/** `scheme://user:pass@host`, also with an empty user (`redis://:pass@host`); a password may hold an `@` when another follows. */
const urlCredentials = /\b([a-z][a-z0-9+.-]*:\/\/[^:/\s@"'?#]*):((?:[^\s"'@]|@(?=[^\s"'@/]*@))+)@/gi;
/** `https://<token>@host`: a user part long enough to be an access token rather than a name. */
const urlToken = /\b(https?:\/\/)([A-Za-z0-9_-]{20,})@/g;
/** Go/MySQL DSN: `user:pass@tcp(host:3306)/db`, `user:pass@(host:3306)/`, `user:pass@unix(/sock)/db`, `user:pass@/db`. */
const goDsn = /(^|[\s"'=,;(])([^\s:@"'/=(),;]+):(?!\/\/)([^\s"']*?)@(?=(?:tcp6?|udp|unix)?\(|\/)/g;
/** Oracle JDBC thin: `jdbc:oracle:thin:scott/tiger@host:1521:SID`. */
const oracleJdbc = /(jdbc:oracle:[a-z]+:)([^/\s@"':]+)\/([^@\s"']+)@/gi;
/** `Authorization: Bearer x`, `Proxy-Authorization: Basic x`, JSON `"authorization":"token x"`; the scheme stays. */
const authorizationHeader = /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(bearer|basic|token|bot|apikey|digest|negotiate|ntlm|aws4-hmac-sha256)\s+)?([^\r\n"']+)/gi;
/** A bearer or basic credential on its own: `Bearer eyJ…`, `Basic dXNlcjpwYXNz=`; a plain word (`Basic authentication`) is prose. */
const bareCredential = /\b(Bearer|Basic)\s+(?=[A-Za-z+/_.~-]*[0-9+/=_.~-])([A-Za-z0-9+/_.~-]{8,}=*)/g;
/** A key and its separator: `password=`, `Pwd = `, `"token":"`, `X-Api-Key: `. */
const keyAndSeparator = /([A-Za-z0-9_.-]*[A-Za-z0-9])(\s*["']?\s*[:=]\s*)(["'{]?)/g;

/** Where a value that starts at `start` ends, given the quote (or ODBC brace) that opened it. */
function valueEnd(text: string, start: number, opener: string): number {
  if (opener === '"' || opener === "'") {
    for (let i = start; i < text.length; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === opener) return i;
    }
    return text.length;
  }
  if (opener === '{') {
    const close = text.indexOf('}', start);
    return close < 0 ? text.length : close;
  }
  const rest = /^[^\s"',;}&)\]]*/.exec(text.slice(start));
  return start + (rest?.[0].length ?? 0);
}

function maskPairs(text: string): string {
  let out = '';
  let copied = 0;
  keyAndSeparator.lastIndex = 0;
  for (let match = keyAndSeparator.exec(text); match !== null; match = keyAndSeparator.exec(text)) {
    const [whole, key = '', separator = '', opener = ''] = match;
    const json = separator.includes('"') && separator.trimEnd().endsWith(':');
    const start = match.index + whole.length;
    const end = valueEnd(text, start, opener);
    const value = text.slice(start, end);
    // JSON stays JSON: objects, arrays and `"passwordSet":true` are kept, a bare number becomes a masked string.
    const jsonStructure = json && (opener === '{' || /^(\[|true\b|false\b|null\b)/.test(value));
    if (value === '' || value.startsWith(MASK) || jsonStructure || !isSecretTextKey(key, value)) {
      keyAndSeparator.lastIndex = match.index + key.length + separator.length;
      continue;
    }
    out += text.slice(copied, start) + (json && opener === '' ? `"${MASK}"` : MASK);
    copied = end;
    keyAndSeparator.lastIndex = Math.max(end, start + 1);
  }
  return out + text.slice(copied);
}

/** Flags whose value is a secret: `--requirepass`, `--password`, `--auth-token`, `--api-key`, Go-style `-token`. */
function isSecretFlag(flag: string): boolean {
  if (!/^--?[a-z][a-z0-9-]*$/i.test(flag)) return false;
  const words = keyWords(flag.replace(/^-+/, ''));
  if (['FILE', 'PATH', 'STDIN', 'DIR', 'ENV', 'TYPE', 'METHOD', 'MECHANISM', 'DATABASE', 'SOURCE', 'ENABLED', 'URL', 'HEADER'].includes(words.at(-1) ?? '')) return false;
  if (words.length > 0 && (namesSecretWord(words) || ['KEY', 'AUTH'].includes(words.at(-1) ?? ''))) return true;
  return false;
}

const mysqlPrograms = /^(mysql|mysqladmin|mysqldump|mysqlcheck|mysqlimport|mysqlpump|mysqlshow|mariadb|mariadb-admin|mariadb-dump|mariadb-check)$/;
/** Short flags that take a password (or `user:password`) for one program: `redis-cli -a x`, `mongosh -p x`, `sqlcmd -P x`. */
const secretShortFlags: Record<string, string[]> = {
  'redis-cli': ['-a'],
  'keydb-cli': ['-a'],
  'valkey-cli': ['-a'],
  mongo: ['-p'],
  mongosh: ['-p'],
  mongodump: ['-p'],
  mongorestore: ['-p'],
  mongoexport: ['-p'],
  mongoimport: ['-p'],
  sqlcmd: ['-P'],
  sshpass: ['-p'],
  bcp: ['-P'],
  'docker login': ['-p'],
  'podman login': ['-p'],
  curl: ['-u', '--user', '--proxy-user'],
};
const knownPrograms = new Set([...Object.keys(secretShortFlags), 'docker', 'podman', 'redis-server', 'keydb-server', 'valkey-server', 'sh', 'bash', 'ssh', 'scp', 'rsync', 'psql', 'pg_dump', 'pg_dumpall', 'pg_restore', 'sudo', 'exec', 'env']);

/** Masks one command word given the word before it and the program it belongs to. */
function maskWord(arg: string, previous: string | undefined, program: string): string {
  if (arg.startsWith(MASK)) return arg;
  if (previous !== undefined && !arg.startsWith('-')) {
    // `mysql --password shop` prompts for the password: `shop` is the database.
    const prompts = mysqlPrograms.test(program) && previous === '--password';
    if ((isSecretFlag(previous) && !prompts) || /^(requirepass|masterauth)$/i.test(previous)) return MASK;
    if (secretShortFlags[program]?.includes(previous)) return program === 'curl' && arg.includes(':') ? `${arg.slice(0, arg.indexOf(':'))}:${MASK}` : MASK;
  }
  const eq = arg.indexOf('=');
  if (arg.startsWith('-') && eq > 0 && isSecretFlag(arg.slice(0, eq))) return `${arg.slice(0, eq)}=${MASK}`;
  if (mysqlPrograms.test(program) && /^-p.+/.test(arg)) return `-p${MASK}`;
  if (program === 'redis-cli' && /^-a.+/.test(arg)) return `-a${MASK}`;
  return arg;
}

/** Masks the secret words of a sequence of command words; the program is the last known one since a separator. */
function maskWords(words: readonly string[]): string[] {
  let program = '';
  return words.map((word, i) => {
    const bare = word.replace(/^["']|["']$/g, '');
    if (/^(-c|&&|\|\||;|\|)$/.test(bare)) program = '';
    const name = bare.split('/').at(-1) ?? '';
    if (knownPrograms.has(name) || mysqlPrograms.test(name)) program = name;
    else if (bare === 'login' && (program === 'docker' || program === 'podman')) program = `${program} login`;
    return maskWord(word, i > 0 ? words[i - 1]?.replace(/^["']|["']$/g, '') : undefined, program);
  });
}

/** Returns `text` with every secret it recognises masked; hosts, ports and database names stay. */
export function redactSecrets(text: string): string {
  const patterned = maskPairs(
    text
      .replace(privateKeyBlock, `[private key ${MASK}]`)
      .replace(authorizationHeader, (_m, head: string, scheme: string | undefined) => `${head}${scheme ? `${scheme} ` : ''}${MASK}`)
      .replace(bareCredential, `$1 ${MASK}`)
      .replace(urlCredentials, `$1:${MASK}@`)
      .replace(urlToken, `$1${MASK}@`)
      .replace(oracleJdbc, `$1$2/${MASK}@`)
      .replace(goDsn, (match: string, before: string, user: string, password: string) => (password.includes(MASK) ? match : `${before}${user}:${MASK}@`)),
  );
  // Command words, also inside JSON arrays (`"--requirepass","x"`): the separators are kept as they were.
  const tokens = patterned.match(/[^\s"'[\],]+/g);
  if (tokens === null) return patterned;
  const masked = maskWords(tokens);
  let index = 0;
  return patterned.replace(/[^\s"'[\],]+/g, () => masked[index++] ?? '');
}

/**
 * The value as it may be shown: all of it masked when the key names a secret, otherwise only the
 * secret parts inside it (credentials in a URL or DSN, `password=...` pairs, private key blocks).
 */
export function maskEnvValue(key: string, value: string): string {
  if (value === '') return value;
  if (isSecretEnvKey(key)) return MASK;
  return redactSecrets(value);
}

/**
 * Masks secret arguments of a command: values after a secret flag (`--requirepass x`,
 * `--token=x`, `redis-cli -a x`), `mysql -px`, and free-text secrets. An argument holding a
 * shell command (`CMD-SHELL`, `sh -c`) is masked word by word, keeping its spacing.
 */
export function maskCommand(args: readonly string[]): string[] {
  return maskWords(args).map((arg) => redactSecrets(arg));
}

/** Keys of Gantry's own JSON whose values are identifiers, never secrets (`set-database-password:<uuid>` reads like a pair). */
const identifierKeys = new Set(['id', 'stepId', 'kind', 'resourceId', 'migrationId', 'dependsOn']);

/**
 * Masks the secrets of a JSON document value by value and writes it again, so its structure
 * survives: a string holding `<password>%s</password>` or a step id such as
 * `set-database-password:<uuid>` can neither break the JSON nor lose the id. Text that is not
 * JSON is masked as text.
 */
export function redactJson(json: string): string {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return redactSecrets(json);
  }
  return JSON.stringify(redactJsonValue(value, null));
}

function redactJsonValue(value: unknown, key: string | null): unknown {
  if (key !== null && identifierKeys.has(key)) return value;
  if (typeof value === 'string') return key !== null && isSecretTextKey(key, value) && value !== '' ? MASK : redactSecrets(value);
  if (Array.isArray(value)) return value.every((item) => typeof item === 'string') ? maskCommand(value as string[]) : value.map((item) => redactJsonValue(item, null));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, redactJsonValue(item, name)]));
  return value;
}
