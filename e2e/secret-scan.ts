/**
 * The secret sweep's search: a secret in clear and in the encodings it would take on its way
 * into a file or a page (URL-encoded, base64 at any alignment, base64url, JSON-escaped), over
 * every file of a folder. Used by e2e/secret-sweep.spec.ts and, for the DOM every e2e test saved,
 * by e2e/dom-sweep.teardown.ts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { LabDetails } from '../lab/lab-client';

/** A value the sweep looks for, with a label that says where it came from (never the value). */
export interface SweptSecret {
  label: string;
  value: string;
}

/** One hit: which file, which secret, in which encoding. */
export interface SecretFinding {
  file: string;
  label: string;
  encoding: string;
}

/** The forms of `value` the sweep searches for; base64 in the three alignments a surrounding text can give it. */
export function encodingsOf(value: string): { encoding: string; needle: string }[] {
  const forms = new Map<string, string>([
    ['clear', value],
    ['URL-encoded', encodeURIComponent(value)],
    ['form-encoded', encodeURIComponent(value).replace(/%20/g, '+')],
    ['JSON-escaped', JSON.stringify(value).slice(1, -1)],
  ]);
  const bytes = Buffer.from(value, 'utf8');
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Characters that also depend on the bytes around the value are cut off on both sides.
    const start = offset === 0 ? 0 : 4;
    const end = Math.floor((offset + bytes.length) / 3) * 4;
    const stable = encoded.slice(start, end);
    if (stable.length >= 8) {
      forms.set(`base64 (alignment ${offset})`, stable);
      forms.set(`base64url (alignment ${offset})`, stable.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  const seen = new Set<string>();
  return [...forms].filter(([, needle]) => !seen.has(needle) && seen.add(needle)).map(([encoding, needle]) => ({ encoding, needle }));
}

/** Every file under `folder` (recursively); none when it does not exist. */
export function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .map((name) => join(folder, name))
    .filter((path) => statSync(path).isFile());
}

/** Searches each file's bytes (as latin1, so binary SQLite pages are searched too) for every form of every secret. */
export function findSecrets(files: string[], secrets: SweptSecret[], root = ''): SecretFinding[] {
  const needles = secrets.flatMap((secret) => encodingsOf(secret.value).map((form) => ({ ...form, label: secret.label, bytes: Buffer.from(form.needle, 'utf8').toString('latin1') })));
  const findings: SecretFinding[] = [];
  for (const file of files) {
    const text = readFileSync(file).toString('latin1');
    for (const needle of needles) if (text.includes(needle.bytes)) findings.push({ file: root ? relative(root, file) : file, label: needle.label, encoding: needle.encoding });
  }
  return findings;
}

/** The DOM snapshots e2e tests saved (e2e/dom-dumps.ts) under Playwright's output folder. */
export function domDumpFiles(outputRoot: string): string[] {
  return filesUnder(outputRoot).filter((path) => /[\\/]dom[\\/]/.test(path) && /\.(html|txt)$/.test(path));
}

/**
 * The secrets the e2e specs and the lab put into servers and forms: none may ever be on a page
 * (beyond a value revealed on request or typed into a password field, which the snapshots leave
 * out). Each literal names the spec that seeds it; `fixtureSecretsStillSeeded` checks they do.
 */
export const FIXTURE_SECRET_LITERALS: { label: string; value: string; seededIn: string }[] = [
  { label: 'migrations e2e database password', value: 'e2e-db-pw-7731', seededIn: 'e2e/migrations.spec.ts' },
  { label: 'environments e2e API_TOKEN', value: 'e2e-secret-token', seededIn: 'e2e/environments-lab.spec.ts' },
  { label: 'environments e2e DATABASE_URL password', value: 'link-secret-pw', seededIn: 'e2e/environments-lab.spec.ts' },
  { label: 'servers e2e wrong password', value: 'definitely-wrong', seededIn: 'e2e/servers.spec.ts' },
];

/** The fixture literals plus the lab's own secrets (users' passwords, the key passphrase), when the lab is known. */
export function knownFixtureSecrets(lab?: LabDetails): SweptSecret[] {
  const secrets: SweptSecret[] = FIXTURE_SECRET_LITERALS.map(({ label, value }) => ({ label, value }));
  if (!lab) return secrets;
  secrets.push({ label: 'lab key passphrase', value: lab.keys.passphrase.passphrase });
  for (const [name, server] of Object.entries(lab.servers)) {
    for (const [user, details] of Object.entries(server.users)) {
      const password = (details as { password?: string }).password;
      if (password) secrets.push({ label: `lab ${name} ${user} password`, value: password });
    }
  }
  return secrets;
}

/** The fixture literals that their spec no longer contains (the list went stale). */
export function fixtureSecretsStillSeeded(repoRoot: string): string[] {
  return FIXTURE_SECRET_LITERALS.filter(({ value, seededIn }) => !readFileSync(join(repoRoot, seededIn), 'utf8').includes(value)).map(({ label, seededIn }) => `${label} (${seededIn})`);
}

/** A finding list as a readable message. */
export function describeFindings(findings: SecretFinding[]): string {
  return findings.map((finding) => `${finding.file}: ${finding.label} (${finding.encoding})`).join('\n');
}
