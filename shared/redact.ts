/**
 * Masking of secret material in free text (log lines, error messages). It catches the common
 * shapes — private key blocks, credentials inside URLs, `password=...`-style pairs — and is a
 * last line of defence: code should not put secrets into text in the first place.
 */

/** What replaces a masked secret. */
export const MASK = '••••••';

const privateKeyBlock = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const urlCredentials = /\b([a-z][a-z0-9+.-]*:\/\/[^:/\s@"']+):([^@\s"'/]+)@/gi;
const secretPair = /\b([A-Za-z0-9_.-]*(?:password|passwd|passphrase|secret|token|api[_-]?key|private[_-]?key|credential)[A-Za-z0-9_.-]*)(\s*["']?\s*[:=]\s*["']?)([^\s"',;}&]+)/gi;

/** Returns `text` with private keys, URL credentials and secret-looking `key=value` pairs masked. */
export function redactSecrets(text: string): string {
  return text
    .replace(privateKeyBlock, `[private key ${MASK}]`)
    .replace(urlCredentials, `$1:${MASK}@`)
    .replace(secretPair, (_match, key: string, separator: string) => `${key}${separator}${MASK}`);
}
