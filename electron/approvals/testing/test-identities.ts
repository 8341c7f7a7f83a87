/** Test identities: real ed25519 keys made by ssh-keygen in a temp folder, one per operator name. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Identity } from '../sign-documents';
import { keyFileSigner } from '../sshsig';

/** A test operator: identity plus where their key file lives. */
export interface TestIdentity extends Identity {
  keyPath: string;
}

/** Makes a fresh ed25519 key for each name (no passphrase). */
export function makeIdentities<N extends string>(names: readonly N[]): Record<N, TestIdentity> {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-identities-'));
  const result = {} as Record<N, TestIdentity>;
  for (const name of names) {
    const keyPath = join(dir, name);
    execFileSync('ssh-keygen', ['-t', 'ed25519', '-q', '-N', '', '-C', name, '-f', keyPath]);
    result[name] = { principal: name, signer: keyFileSigner(readFileSync(keyPath)), keyPath };
  }
  return result;
}
