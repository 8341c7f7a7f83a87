/**
 * The team as OpenSSH writes it: `allowed_signers` lines (`principal[,principal] [options] key`),
 * read when an operator sets up a policy and written next to the policy on the server, so
 * `ssh-keygen -Y verify -f allowed_signers -n gantry-approval` checks the same signatures Gantry does.
 */
import { principal as principalSchema, publicKeyLine, type PolicyBody } from './documents';

/** One parsed line: its principals and key, or the reason it was not understood. */
export type AllowedSignerLine = { line: number; principals: string[]; publicKey: string; namespaces: string[] | null } | { line: number; error: string };

const KEY_TYPES = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521))$/;

/** Reads allowed_signers text; comments and blank lines are skipped, options other than namespaces ignored. */
export function parseAllowedSigners(text: string): AllowedSignerLine[] {
  const parsed: AllowedSignerLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const words = splitWords(line);
    const keyAt = words.findIndex((word) => KEY_TYPES.test(word));
    if (keyAt < 1 || !words[keyAt + 1]) return parsed.push({ line: index + 1, error: 'expected "principal [options] key-type base64-key"' });
    const principals = words[0]!.split(',');
    const bad = principals.find((name) => !principalSchema.safeParse(name).success);
    if (bad !== undefined) return parsed.push({ line: index + 1, error: `"${bad}" is not a principal Gantry accepts (letters, digits, . _ @ + -; no wildcards)` });
    const publicKey = `${words[keyAt]} ${words[keyAt + 1]}`;
    if (!publicKeyLine.safeParse(publicKey).success) return parsed.push({ line: index + 1, error: 'the key is not a valid base64 SSH public key' });
    const options = words.slice(1, keyAt).join(',');
    const namespaces = /namespaces="([^"]*)"/.exec(options)?.[1]?.split(',') ?? null;
    parsed.push({ line: index + 1, principals, publicKey, namespaces });
  });
  return parsed;
}

/** The policy's members as allowed_signers lines, each limited to the `gantry-approval` namespace. */
export function allowedSignersText(policy: Pick<PolicyBody, 'members'>): string {
  return policy.members.map((member) => `${member.principal} namespaces="gantry-approval" ${member.publicKey}\n`).join('');
}

function splitWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    if (!quoted && /\s/.test(char)) {
      if (current) words.push(current);
      current = '';
    } else current += char;
  }
  if (current) words.push(current);
  return words;
}
