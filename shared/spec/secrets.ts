/**
 * Recognising secret material inside a resource spec (env values, command arguments, labels,
 * health-check commands) and masking it. This is the one place that decides what counts as a
 * secret in a spec; free-text patterns (URL credentials, `password=...`, private keys) come from
 * shared/redact.ts so both agree.
 *
 * Two uses: `maskSpec` for anything shown (UI, logs, diffs), and `sealSpec` for anything stored
 * (history rows): sealing keeps the masked text readable and appends a keyed fingerprint of the
 * original value supplied by the main side, so a stored spec still changes when a secret does.
 */
import { MASK, redactSecrets } from '../redact';
import type { ResourceSpec } from './resource-spec';

export { MASK };

/** Words that make an env key (or a label key) name a secret wherever they appear in it. */
const secretWords = new Set(['PASSWORD', 'PASSWORDS', 'PASSWD', 'PASS', 'PASSPHRASE', 'PWD', 'SECRET', 'SECRETS', 'TOKEN', 'TOKENS', 'CREDENTIAL', 'CREDENTIALS', 'APIKEY', 'PRIVATEKEY', 'SALT', 'DSN']);
/** Words that name a secret only as the last word: `APP_KEY`, `REDIS_AUTH` but not `KEY_PREFIX`, `AUTH_ENABLED`. */
const secretLastWords = new Set(['KEY', 'AUTH']);
/** Command-line flags whose value is a secret: `--requirepass`, `--password`, `--auth-token`, `--api-key`. */
const secretFlag = /^--?[a-z0-9-]*(pass|secret|token|key|auth|credential)[a-z0-9-]*$/i;

function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
}

/** True when an env var (or label) named `key` holds a secret, e.g. `POSTGRES_PASSWORD`, `dbPass`, `APP_KEY`, `GITHUB_TOKEN`. */
export function isSecretEnvKey(key: string): boolean {
  const words = keyWords(key);
  if (words.length === 1 && words[0] === 'PWD') return false; // the shell's working directory
  const last = words.at(-1);
  if (last !== undefined && secretLastWords.has(last)) return true;
  // `API_KEY_ID`, `PRIVATE_KEY_FILE`: two words that spell one secret word.
  return words.some((word, i) => secretWords.has(word) || (i + 1 < words.length && secretWords.has(`${word}${words[i + 1]}`)));
}

/**
 * The value as it may be shown: all of it masked when the key names a secret, otherwise only the
 * secret parts inside it (credentials in a URL, `password=...` pairs, private key blocks).
 */
export function maskEnvValue(key: string, value: string): string {
  if (value === '') return value;
  if (isSecretEnvKey(key)) return MASK;
  return redactSecrets(value);
}

/** Short flags that take a password for one program: `redis-cli -a secret`. */
const secretShortFlags: Record<string, string[]> = { 'redis-cli': ['-a'], 'keydb-cli': ['-a'] };

function takesSecret(flag: string, program: string): boolean {
  return secretFlag.test(flag) || (secretShortFlags[program]?.includes(flag) ?? false);
}

/**
 * Masks secret arguments of a command: values after a secret flag (`--requirepass x`,
 * `--token=x`, `redis-cli -a x`), `mysql -px`, and free-text secrets. An argument holding a
 * shell command (`CMD-SHELL`, `sh -c`) is masked word by word.
 */
export function maskCommand(args: readonly string[]): string[] {
  let program = '';
  return args.map((arg, i) => {
    if (/\s/.test(arg.trim())) {
      const masked = maskCommand(arg.split(/\s+/).filter(Boolean));
      let word = 0;
      return arg.replace(/\S+/g, () => masked[word++] ?? '');
    }
    // A new command starts after `-c` or a shell separator: `sh -c "redis-cli -a x ping"`.
    if (/^(-c|&&|\|\||;|\|)$/.test(arg)) program = '';
    else if (!arg.startsWith('-') && program === '') program = arg.replace(/^["']/, '').split('/').at(-1) ?? '';
    const previous = i > 0 ? args[i - 1] : undefined;
    if (previous !== undefined && takesSecret(previous, program) && !arg.startsWith('-')) return MASK;
    const eq = arg.indexOf('=');
    if (arg.startsWith('-') && eq > 0 && takesSecret(arg.slice(0, eq), program)) return `${arg.slice(0, eq)}=${MASK}`;
    if (/^(mysql|mysqladmin|mysqldump|mariadb|mariadb-admin|mariadb-dump)$/.test(program) && /^-p.+/.test(arg)) return `-p${MASK}`;
    return redactSecrets(arg);
  });
}

/**
 * Receives each secret-bearing value of a spec: `masked` is what may be shown, `original` the
 * clear value. Returns what the value becomes.
 */
export type SecretReplacer = (masked: string, original: string) => string;

function replaceRecord(record: Record<string, string>, onSecret: SecretReplacer): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => {
      const masked = maskEnvValue(key, value);
      return [key, masked === value ? value : onSecret(masked, value)];
    }),
  );
}

function replaceCommand(args: string[] | null, onSecret: SecretReplacer): string[] | null {
  if (args === null) return null;
  const masked = maskCommand(args);
  return args.map((arg, i) => (masked[i] === arg ? arg : onSecret(masked[i] ?? MASK, arg)));
}

/** Returns a copy of `spec` in which every secret-bearing value was passed through `onSecret`. */
export function replaceSpecSecrets(spec: ResourceSpec, onSecret: SecretReplacer): ResourceSpec {
  return {
    ...spec,
    entrypoint: replaceCommand(spec.entrypoint, onSecret),
    command: replaceCommand(spec.command, onSecret),
    env: replaceRecord(spec.env, onSecret),
    labels: replaceRecord(spec.labels, onSecret),
    healthcheck: spec.healthcheck ? { ...spec.healthcheck, test: replaceCommand(spec.healthcheck.test, onSecret) ?? [] } : null,
  };
}

/** A copy of `spec` with every secret masked: the form to show in the UI, logs and diffs. */
export function maskSpec(spec: ResourceSpec): ResourceSpec {
  return replaceSpecSecrets(spec, (masked) => masked);
}

/** Matches the fingerprint suffix `sealSpec` appends, e.g. ` ‹hmac:0123abcd…›`. */
export const sealedFingerprint = / ‹hmac:[0-9a-f]+›$/;

/**
 * A copy of `spec` safe to store: each secret is masked and followed by `‹hmac:…›`, the keyed
 * fingerprint the main side computes, so the stored spec (and its hash) changes when a secret
 * changes while the secret itself never reaches the database.
 */
export function sealSpec(spec: ResourceSpec, fingerprint: (secret: string) => string): ResourceSpec {
  return replaceSpecSecrets(spec, (masked, original) => `${masked} ‹hmac:${fingerprint(original)}›`);
}
