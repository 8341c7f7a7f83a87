// OpenSSH is the oracle: `ssh-keygen -Y verify` must accept what Gantry signs (key file and
// ssh-agent), and Gantry must accept what `ssh-keygen -Y sign` makes — and both must refuse a
// changed message, another namespace and another key.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentKeys, agentSigner, APPROVAL_NAMESPACE, keyFileSigner, keyFingerprint, signMessage, verifyMessage } from './sshsig';

const dir = mkdtempSync(join(tmpdir(), 'gantry-sshsig-'));
const KEY_TYPES = [
  { type: 'ed25519', args: ['-t', 'ed25519'] },
  { type: 'rsa', args: ['-t', 'rsa', '-b', '2048'] },
  { type: 'ecdsa', args: ['-t', 'ecdsa', '-b', '256'] },
] as const;

function keygen(name: string, args: readonly string[], passphrase = ''): { path: string; publicKey: string } {
  const path = join(dir, name);
  execFileSync('ssh-keygen', [...args, '-q', '-N', passphrase, '-C', name, '-f', path]);
  return { path, publicKey: readFileSync(`${path}.pub`, 'utf8').trim() };
}

/** Runs `ssh-keygen -Y verify` for `principal`; true when OpenSSH accepts the signature. */
function opensshVerifies(signature: string, message: string, principal: string, publicKey: string, namespace = APPROVAL_NAMESPACE): boolean {
  const signers = join(dir, 'allowed_signers');
  writeFileSync(signers, `${principal} namespaces="${namespace}" ${publicKey}\n`);
  writeFileSync(join(dir, 'message.sig'), signature);
  try {
    execFileSync('ssh-keygen', ['-Y', 'verify', '-f', signers, '-I', principal, '-n', namespace, '-s', join(dir, 'message.sig')], { input: message, stdio: ['pipe', 'pipe', 'pipe'] });
    return true;
  } catch {
    return false;
  }
}

/** `ssh-keygen -Y sign` over `message` with the key file at `path`. */
function opensshSigns(path: string, message: string, namespace = APPROVAL_NAMESPACE): string {
  const file = join(dir, `to-sign-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, message);
  execFileSync('ssh-keygen', ['-Y', 'sign', '-f', path, '-n', namespace, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  return readFileSync(`${file}.sig`, 'utf8');
}

const message = '{"requestId":"r-1","planDigest":"sha256:abc"}';

describe.each(KEY_TYPES)('SSHSIG with an $type key', ({ type, args }) => {
  const key = keygen(`alice-${type}`, args);
  const other = keygen(`mallory-${type}`, args);

  it('ssh-keygen -Y verify accepts what Gantry signs, and refuses a changed message or another namespace', async () => {
    const signature = await signMessage(keyFileSigner(readFileSync(key.path)), message);
    expect(opensshVerifies(signature, message, 'alice', key.publicKey)).toBe(true);
    expect(opensshVerifies(signature, `${message} `, 'alice', key.publicKey)).toBe(false);
    expect(opensshVerifies(signature, message, 'alice', other.publicKey)).toBe(false);
    const elsewhere = await signMessage(keyFileSigner(readFileSync(key.path)), message, 'file');
    expect(opensshVerifies(elsewhere, message, 'alice', key.publicKey)).toBe(false);
  });

  it('Gantry accepts what ssh-keygen -Y sign makes, and refuses a changed message, another key or namespace', () => {
    const signature = opensshSigns(key.path, message);
    expect(verifyMessage(signature, message, { publicKey: key.publicKey })).toBeNull();
    expect(verifyMessage(signature, `${message} `, { publicKey: key.publicKey })).toBe('the signature does not match the signed text');
    expect(verifyMessage(signature, message, { publicKey: other.publicKey })).toMatch(/^signed by another key \(SHA256:/);
    expect(verifyMessage(opensshSigns(key.path, message, 'git'), message, { publicKey: key.publicKey })).toBe('signed for namespace "git", not "gantry-approval"');
  });

  it('names the key by the fingerprint ssh-keygen -l prints', () => {
    const printed = execFileSync('ssh-keygen', ['-l', '-f', `${key.path}.pub`]).toString().split(' ')[1];
    expect(keyFingerprint(key.publicKey)).toBe(printed);
  });
});

describe('SSHSIG through ssh-agent', () => {
  let agent: ChildProcess;
  const socket = join(dir, 'agent.sock');
  const key = keygen('bob-agent', ['-t', 'ed25519'], 'a passphrase the agent holds');
  const rsa = keygen('bob-agent-rsa', ['-t', 'rsa', '-b', '2048']);

  beforeAll(async () => {
    agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    for (let tries = 0; tries < 50; tries++) {
      try {
        execFileSync('ssh-add', ['-l'], { env: { SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
        break;
      } catch (error) {
        // exit 1 = agent up with no keys; 2 = not up yet
        if ((error as { status?: number }).status === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    execFileSync('ssh-add', [rsa.path], { env: { SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
    execFileSync('sh', ['-c', `SSH_ASKPASS_REQUIRE=force SSH_ASKPASS=${join(dir, 'askpass')} ssh-add ${key.path}`], { env: { ...process.env, SSH_AUTH_SOCK: socket, DISPLAY: ':0' }, stdio: 'ignore' });
  });
  afterAll(() => {
    agent?.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(join(dir, 'askpass'), "#!/bin/sh\necho 'a passphrase the agent holds'\n", { mode: 0o700 });

  it('lists the agent keys, and ssh-keygen -Y verify accepts an ed25519 and an RSA signature made through the agent', async () => {
    const keys = await agentKeys(socket);
    expect(keys.map(keyFingerprint).sort()).toEqual([keyFingerprint(key.publicKey), keyFingerprint(rsa.publicKey)].sort());
    for (const publicKey of [key.publicKey, rsa.publicKey]) {
      const signature = await signMessage(agentSigner(socket, publicKey), message);
      expect(opensshVerifies(signature, message, 'bob', publicKey)).toBe(true);
      expect(verifyMessage(signature, message, { publicKey })).toBeNull();
    }
  });
});
