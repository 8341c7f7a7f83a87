/**
 * Against the lab's real sshd and the real OS keychain (run under `bash .ci/with-keyring.sh`):
 * every login method, clear errors for wrong credentials, host-key pinning, ProxyJump, and no
 * secret in SQLite or the logs.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerInput } from '@shared/servers/server-schemas';
import { labEnv, startSshAgent, startTestEngine, type LabEnv, type TestEngine } from './testing/servers-harness';

let lab: LabEnv;
let engine: TestEngine;
let agent: ReturnType<typeof startSshAgent>;

beforeAll(() => {
  lab = labEnv();
  agent = startSshAgent(lab.keys.plain);
  engine = startTestEngine({ env: { SSH_AUTH_SOCK: agent.socket }, knownHostsFiles: [lab.knownHostsFile] });
});

afterAll(async () => {
  await engine?.close();
  agent?.stop();
});

function draft(name: string, server: 'dev' | 'uat' | 'prod', username: string, auth: ServerInput['auth']): ServerInput {
  return { name, host: lab.servers[server].host, port: 22, username, auth };
}

/** Saves a server with its lab fingerprint pinned and returns its id. */
async function saveLabServer(input: ServerInput, server: 'dev' | 'uat' | 'prod'): Promise<string> {
  const { server: saved } = await engine.call('servers:save', { server: input, pin: { fingerprint: lab.servers[server].hostKey.fingerprint, algorithm: 'ssh-ed25519' } });
  return saved.id;
}

async function whoami(serverId: string): Promise<string> {
  const result = await engine.app.servers.connections.get(serverId).exec('id -un; hostname', { signal: AbortSignal.timeout(20_000) });
  expect(result.code).toBe(0);
  return result.stdout.trim().replace('\n', '@');
}

describe('logging in', () => {
  it('shows the host key on first contact and pins it only after confirmation', async () => {
    const input = draft('first-contact', 'dev', 'root', { method: 'key-file', keyPath: lab.keys.plain });
    const first = await engine.call('servers:test', { server: input });
    const hostKeyStep = first.steps.find((step) => step.id === 'host-key')!;
    expect(hostKeyStep.status).toBe('needs-confirmation');
    expect(first.hostKey?.fingerprint).toBe(lab.servers.dev.hostKey.fingerprint);
    expect(first.hostKey?.status).toBe('new');
    // The lab's known_hosts lists dev, so the dialog can show that the key matches it.
    expect(first.hostKey?.knownHosts.map((entry) => entry.fingerprint)).toContain(lab.servers.dev.hostKey.fingerprint);
    expect(first.steps.find((step) => step.id === 'auth')!.status).toBe('skipped');

    const confirmed = await engine.call('servers:test', { server: input, trustFingerprint: first.hostKey!.fingerprint });
    expect(confirmed.steps.map((step) => [step.id, step.status])).toEqual([
      ['tcp', 'ok'],
      ['host-key', 'ok'],
      ['auth', 'ok'],
      ['exec', 'ok'],
      ['docker', 'ok'],
    ]);
  });

  it('logs in with a key file, a passphrase-protected key, a password, ssh-agent and a key kept in the keychain', async () => {
    const rsaKey = readFileSync(lab.keys.rsa, 'utf8');
    const cases: [ServerInput, string][] = [
      [draft('key-file', 'dev', 'root', { method: 'key-file', keyPath: lab.keys.plain }), 'root@dev'],
      [draft('passphrase-key', 'uat', 'deploy', { method: 'key-file', keyPath: lab.keys.passphrase.path, passphrase: lab.keys.passphrase.passphrase }), 'deploy@uat'],
      [draft('password', 'prod', 'deploy', { method: 'password', password: lab.servers.prod.users.deploy.password }), 'deploy@prod'],
      [draft('agent', 'uat', 'root', { method: 'agent' }), 'root@uat'],
      [draft('stored-key', 'prod', 'root', { method: 'key-stored', privateKey: rsaKey }), 'root@prod'],
    ];
    for (const [input, expected] of cases) {
      const id = await saveLabServer(input, input.host === lab.servers.dev.host ? 'dev' : input.host === lab.servers.uat.host ? 'uat' : 'prod');
      expect(await whoami(id), input.name).toBe(expected);
    }
    // The secrets really are in the Secret Service, under Gantry's (test) service name.
    const listed = execFileSync('secret-tool', ['search', '--all', 'service', engine.keychainService], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(listed.match(/^\[/gm)?.length).toBe(3); // passphrase, password, stored key
  });

  it('says clearly when the key, the password or the passphrase is wrong', async () => {
    const wrongKey = await engine.call('servers:test', { server: draft('wrong-key', 'dev', 'root', { method: 'key-file', keyPath: lab.keys.unauthorized }), trustFingerprint: lab.servers.dev.hostKey.fingerprint });
    const wrongKeyAuth = wrongKey.steps.find((step) => step.id === 'auth')!;
    expect(wrongKeyAuth).toMatchObject({ status: 'failed', errorCode: 'ssh_auth_failed' });
    expect(wrongKeyAuth.message).toContain(`the key file ${lab.keys.unauthorized} was not accepted`);

    const password = await saveLabServer(draft('wrong-password', 'prod', 'deploy', { method: 'password', password: 'not-the-password' }), 'prod');
    await expect(engine.app.servers.connections.get(password).exec('true')).rejects.toMatchObject({ code: 'ssh_auth_failed', message: expect.stringContaining('the password was not accepted') });

    const passphrase = await engine.callError('servers:save', {
      server: draft('wrong-passphrase', 'uat', 'deploy', { method: 'key-file', keyPath: lab.keys.passphrase.path, passphrase: 'wrong' }),
    });
    expect(passphrase).toMatchObject({ code: 'ssh_key_passphrase_wrong' });
    const missing = await engine.callError('servers:save', { server: draft('no-passphrase', 'uat', 'deploy', { method: 'key-file', keyPath: lab.keys.passphrase.path }) });
    expect(missing).toMatchObject({ code: 'ssh_key_passphrase_required' });
    expect((await engine.call('servers:list', {})).servers.map((s) => s.name)).not.toContain('wrong-passphrase');
  });
});

describe('host keys', () => {
  it('refuses a changed host key loudly and needs the explicit re-pin action', async () => {
    // dev's record pinned to uat's key: exactly what a swapped or intercepted server looks like.
    const { server } = await engine.call('servers:save', {
      server: draft('changed-key', 'dev', 'root', { method: 'key-file', keyPath: lab.keys.plain }),
      pin: { fingerprint: lab.servers.uat.hostKey.fingerprint, algorithm: 'ssh-ed25519' },
    });
    const connection = engine.app.servers.connections.get(server.id);
    await expect(connection.exec('true')).rejects.toMatchObject({ code: 'host_key_changed', message: expect.stringMatching(/^HOST KEY CHANGED.*refused to connect/s) });

    const test = await engine.call('servers:test', { id: server.id });
    expect(test.hostKey).toMatchObject({ status: 'changed', fingerprint: lab.servers.dev.hostKey.fingerprint, pinnedFingerprint: lab.servers.uat.hostKey.fingerprint });

    const quiet = await engine.callError('servers:pin-host-key', { id: server.id, fingerprint: lab.servers.dev.hostKey.fingerprint });
    expect(quiet.code).toBe('host_key_changed');
    const wrong = await engine.callError('servers:pin-host-key', { id: server.id, fingerprint: lab.servers.prod.hostKey.fingerprint, replace: true });
    expect(wrong.code).toBe('host_key_mismatch');
    await expect(engine.app.servers.connections.get(server.id).exec('true')).rejects.toMatchObject({ code: 'host_key_changed' });

    const repinned = await engine.call('servers:pin-host-key', { id: server.id, fingerprint: lab.servers.dev.hostKey.fingerprint, replace: true });
    expect(repinned.server.hostKeyFingerprint).toBe(lab.servers.dev.hostKey.fingerprint);
    expect(await whoami(server.id)).toBe('root@dev');
  });

  it('imports the pin from known_hosts without connecting', async () => {
    const { server } = await engine.call('servers:save', { server: draft('from-known-hosts', 'prod', 'root', { method: 'key-file', keyPath: lab.keys.plain }) });
    expect(server.hostKeyFingerprint).toBeNull();
    await expect(engine.app.servers.connections.get(server.id).exec('true')).rejects.toMatchObject({ code: 'host_key_unknown' });
    const imported = await engine.call('servers:import-known-host', { id: server.id });
    expect(imported).toMatchObject({ file: lab.knownHostsFile, server: { hostKeyFingerprint: lab.servers.prod.hostKey.fingerprint } });
    expect(await whoami(server.id)).toBe('root@prod');
  });
});

describe('ProxyJump', () => {
  it('reaches uat through dev, with both host keys checked', async () => {
    const dev = await saveLabServer(draft('bastion-dev', 'dev', 'root', { method: 'key-file', keyPath: lab.keys.plain }), 'dev');
    const input: ServerInput = { ...draft('uat-via-dev', 'uat', 'deploy', { method: 'key-file', keyPath: lab.keys.plain }), jumpHostIds: [dev] };
    const test = await engine.call('servers:test', { server: input, trustFingerprint: lab.servers.uat.hostKey.fingerprint });
    expect(test.steps.every((step) => step.status === 'ok'), JSON.stringify(test.steps)).toBe(true);
    const uat = await saveLabServer(input, 'uat');
    expect(await whoami(uat)).toBe('deploy@uat');
    // Through a jump host a quick command's output, exit status and close often arrive in one
    // read: every one of them must still report its exit code, never "connection lost".
    const quick = await Promise.all(Array.from({ length: 40 }, (_, i) => engine.app.servers.connections.get(uat).exec(`echo ${i}`).then((r) => `${r.code}:${r.stdout.trim()}`, (e: Error) => e.message)));
    expect(quick).toEqual(Array.from({ length: 40 }, (_, i) => `0:${i}`));
    // On uat the connection comes from dev's address, not from this machine.
    const peer = await engine.app.servers.connections.get(uat).exec('echo "$SSH_CONNECTION"');
    expect(peer.stdout.split(' ')[0]).toBe(lab.servers.dev.host);

    const deleteBastion = await engine.callError('servers:delete', { id: dev });
    expect(deleteBastion).toMatchObject({ code: 'conflict', message: expect.stringContaining('uat-via-dev') });
  });
});

describe('secrets', () => {
  it('leaves no secret material in the SQLite file or the logs', async () => {
    engine.app.db.$client.pragma('wal_checkpoint(TRUNCATE)');
    const files = [join(engine.dataDir, 'gantry.db'), join(engine.dataDir, 'gantry.db-wal'), ...readdirSync(join(engine.dataDir, 'logs')).map((f) => join(engine.dataDir, 'logs', f))];
    const contents = files.map((file) => {
      try {
        return readFileSync(file).toString('latin1');
      } catch {
        return '';
      }
    });
    const rsaBody = readFileSync(lab.keys.rsa, 'utf8').split('\n')[5]!;
    const secrets = [lab.servers.prod.users.deploy.password, lab.keys.passphrase.passphrase, rsaBody, 'not-the-password', 'PRIVATE KEY'];
    for (const secret of secrets) for (const content of contents) expect(content.includes(secret), `secret found: ${secret.slice(0, 4)}…`).toBe(false);
    expect(contents[0]!.length).toBeGreaterThan(0);
  });

  it('deletes the keychain entry with the server', async () => {
    const { servers } = await engine.call('servers:list', {});
    const password = servers.find((s) => s.name === 'password')!;
    expect(engine.secrets.get(`server:${password.id}`)).toContain(lab.servers.prod.users.deploy.password);
    await engine.call('servers:delete', { id: password.id });
    expect(engine.secrets.get(`server:${password.id}`)).toBeNull();
  });
});
