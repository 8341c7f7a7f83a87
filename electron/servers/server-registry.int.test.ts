/**
 * Server records and the real OS keychain (run under `bash .ci/with-keyring.sh`): what an edit
 * keeps, what it throws away, and that a row never carries the secret itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerInput } from '@shared/servers/server-schemas';
import { labEnv, startTestEngine, type LabEnv, type TestEngine } from './testing/servers-harness';

let lab: LabEnv;
let engine: TestEngine;

beforeAll(() => {
  lab = labEnv();
  engine = startTestEngine({ knownHostsFiles: [] });
});

afterAll(async () => {
  await engine?.close();
});

const base = (name: string): Omit<ServerInput, 'auth'> => ({ name, host: lab.servers.prod.host, username: 'deploy' });

describe('server records', () => {
  it('keeps the stored password when an edit leaves it blank, and drops it when the login method changes', async () => {
    const password = lab.servers.prod.users.deploy.password;
    const pin = { fingerprint: lab.servers.prod.hostKey.fingerprint, algorithm: 'ssh-ed25519' };
    const { server } = await engine.call('servers:save', { server: { ...base('edit-me'), auth: { method: 'password', password } }, pin });
    const row = engine.app.servers.registry.row(server.id);
    expect(row.secretRef).toBe(`server:${server.id}`);
    expect(JSON.stringify(row)).not.toContain(password);

    await engine.call('servers:save', { id: server.id, server: { ...base('edit-me'), labels: ['prod'], auth: { method: 'password' } }, pin });
    expect(engine.secrets.get(`server:${server.id}`)).toContain(password);
    expect((await engine.app.servers.connections.get(server.id).exec('id -un')).stdout).toBe('deploy\n');

    await engine.call('servers:save', { id: server.id, server: { ...base('edit-me'), auth: { method: 'key-file', keyPath: lab.keys.plain } } });
    expect(engine.secrets.get(`server:${server.id}`)).toBeNull();
    expect(engine.app.servers.registry.row(server.id).secretRef).toBeNull();
    // The edit dropped the old connection; the next command logs in with the key.
    expect((await engine.app.servers.connections.get(server.id).exec('id -un')).stdout).toBe('deploy\n');
  });

  it('forgets the pinned key when the server moves to another address', async () => {
    const { server } = await engine.call('servers:save', {
      server: { ...base('mover'), auth: { method: 'key-file', keyPath: lab.keys.plain } },
      pin: { fingerprint: lab.servers.prod.hostKey.fingerprint, algorithm: 'ssh-ed25519' },
    });
    const { server: moved } = await engine.call('servers:save', { id: server.id, server: { ...base('mover'), host: lab.servers.uat.host, auth: { method: 'key-file', keyPath: lab.keys.plain } } });
    expect(moved.hostKeyFingerprint).toBeNull();
    await expect(engine.app.servers.connections.get(server.id).exec('true')).rejects.toMatchObject({ code: 'host_key_unknown' });
  });

  it('rejects bad input with a message naming the problem', async () => {
    const missingKey = await engine.callError('servers:save', { server: { ...base('no-key-file'), auth: { method: 'key-file', keyPath: '/nonexistent/id_ed25519' } } });
    expect(missingKey).toMatchObject({ code: 'ssh_key_missing', message: expect.stringContaining('/nonexistent/id_ed25519 does not exist') });
    const publicKey = await engine.callError('servers:save', { server: { ...base('pub-key'), auth: { method: 'key-stored', privateKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG' } } });
    expect(publicKey.code).toBe('ssh_key_invalid');
    const badHost = await engine.callError('servers:save', { server: { ...base('bad-host'), host: 'deploy@host', auth: { method: 'agent' } } });
    expect(badHost).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('without spaces or a user@ prefix') });
    const duplicate = await engine.callError('servers:save', { server: { ...base('edit-me'), auth: { method: 'agent' } } });
    expect(duplicate).toMatchObject({ code: 'conflict', message: expect.stringContaining('"edit-me" already exists') });
    const unknownJump = await engine.callError('servers:save', { server: { ...base('jumpy'), jumpHostIds: ['nope'], auth: { method: 'agent' } } });
    expect(unknownJump.message).toContain('Jump host nope does not exist');
  });
});
