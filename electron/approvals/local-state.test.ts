// The signing identity and the policy pins live in the data folder (0600), never a secret in clear:
// a key file's passphrase goes to the secret store and is read back to sign.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SecretStore } from '../keychain/secret-store';
import { ApprovalsLocalState } from './local-state';
import { signPolicy } from './sign-documents';
import { signMessage, verifyMessage } from './sshsig';

/** A fake secret store in memory (the OS keychain is exercised by the servers tests). */
function fakeSecretStore(): SecretStore & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return { values, set: (account, secret) => void values.set(account, secret), get: (account) => values.get(account) ?? null, delete: (account) => void values.delete(account) };
}

describe('the approvals files of a data folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-approvals-state-'));
  const keyPath = join(dir, 'alice');
  execFileSync('ssh-keygen', ['-t', 'ed25519', '-q', '-N', 'correct horse', '-C', 'alice', '-f', keyPath]);
  const publicKey = readFileSync(`${keyPath}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');

  it('keeps a passphrase-protected key by path, its passphrase in the secret store, and signs with it', async () => {
    const secrets = fakeSecretStore();
    const state = new ApprovalsLocalState(join(dir, 'data'), secrets);
    expect(() => state.saveIdentity({ principal: 'alice', keyPath, passphrase: 'wrong' })).toThrow(/cannot sign/);
    state.saveIdentity({ principal: 'alice', keyPath, passphrase: 'correct horse' });
    const file = readFileSync(join(dir, 'data', 'approvals', 'identity.json'), 'utf8');
    expect(file).not.toContain('correct horse');
    expect(statSync(join(dir, 'data', 'approvals', 'identity.json')).mode & 0o777).toBe(0o600);
    expect(secrets.values.get('approval-key:alice')).toBe('correct horse');
    const identity = new ApprovalsLocalState(join(dir, 'data'), secrets).identity();
    expect(identity.signer.publicKey).toBe(publicKey);
    expect(verifyMessage(await signMessage(identity.signer, 'hello'), 'hello', { publicKey })).toBeNull();
  });

  it('refuses to sign without an identity, and an agent identity without SSH_AUTH_SOCK', () => {
    const state = new ApprovalsLocalState(join(dir, 'empty'), fakeSecretStore(), {});
    expect(() => state.identity()).toThrow(/Set up your signing key in Approvals first/);
    state.saveIdentity({ principal: 'bob', agentPublicKey: `${publicKey} bob@laptop` });
    expect(state.identitySetting()).toEqual({ format: 1, kind: 'agent', principal: 'bob', publicKey });
    expect(() => state.identity()).toThrow(/SSH_AUTH_SOCK is not set/);
    expect(() => state.saveIdentity({ principal: 'bob', agentPublicKey: 'not a key' })).toThrow(/not an SSH public key line/);
  });

  it('pins a policy per server and reads it back', async () => {
    const secrets = fakeSecretStore();
    const state = new ApprovalsLocalState(join(dir, 'data'), secrets);
    state.saveIdentity({ principal: 'alice', keyPath, passphrase: 'correct horse' });
    const signed = await signPolicy(state.identity(), {
      format: 1,
      kind: 'gantry-policy',
      version: 1,
      previous: null,
      protectedEnvironments: [],
      members: [{ principal: 'alice', publicKey, roles: ['request', 'approve', 'deploy'] }],
      approvalsRequired: 1,
      changedBy: 'alice',
      changedAt: new Date().toISOString(),
    });
    expect(state.pinned('prod')).toBeNull();
    state.pin('prod', signed);
    expect(new ApprovalsLocalState(join(dir, 'data'), secrets).pinned('prod')).toEqual(signed);
    expect(state.pinnedServers()).toEqual(['prod']);
  });
});

describe('an identity held by ssh-agent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-approvals-agent-'));
  const socket = join(dir, 'agent.sock');
  const keyPath = join(dir, 'carol');
  execFileSync('ssh-keygen', ['-t', 'ed25519', '-q', '-N', '', '-C', 'carol', '-f', keyPath]);
  const publicKey = readFileSync(`${keyPath}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  let agent: ChildProcess | undefined;
  afterAll(() => agent?.kill());

  it('says why no agent key can be listed, then lists the agent’s keys and signs through the one chosen', async () => {
    expect(await new ApprovalsLocalState(join(dir, 'none'), fakeSecretStore(), {}).agentKeys()).toEqual({ keys: [], problem: expect.stringMatching(/^No ssh-agent: SSH_AUTH_SOCK is not set/) });
    agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    for (let tries = 0; tries < 50; tries++) {
      const status = spawnSync('ssh-add', ['-l'], { env: { SSH_AUTH_SOCK: socket } }).status;
      if (status === 0 || status === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const state = new ApprovalsLocalState(join(dir, 'data'), fakeSecretStore(), { SSH_AUTH_SOCK: socket });
    expect(await state.agentKeys()).toEqual({ keys: [], problem: 'The ssh-agent holds no key: add one with ssh-add.' });
    execFileSync('ssh-add', [keyPath], { env: { SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
    expect(await state.agentKeys()).toEqual({ keys: [publicKey], problem: null });
    state.saveIdentity({ principal: 'carol', agentPublicKey: `${publicKey} carol@laptop` });
    expect(state.identitySetting()).toEqual({ format: 1, kind: 'agent', principal: 'carol', publicKey });
    const signature = await signMessage(state.identity().signer, 'hello');
    expect(verifyMessage(signature, 'hello', { publicKey })).toBeNull();
  });
});
