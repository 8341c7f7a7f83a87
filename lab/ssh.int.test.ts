// The lab's SSH promises: every server answers with its own fixed host key, every client key
// kind works for root and deploy, wrong keys and wrong host keys are refused, servers reach
// each other as root.
import type { Client } from 'ssh2';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { LAB_SERVER_NAMES, labSshOptions } from './lab-client';
import { sshConnect, sshRun } from './lab-ssh';

const lab = inject('lab');
const open: Client[] = [];
async function connect(...args: Parameters<typeof labSshOptions>): Promise<Client> {
  const client = await sshConnect(labSshOptions(...args));
  open.push(client);
  return client;
}
afterAll(() => open.forEach((client) => client.end()));

describe.each(LAB_SERVER_NAMES)('server %s', (name) => {
  it('verifies its host key and logs root in with the plain key', async () => {
    let seen = '';
    const options = labSshOptions(lab, name);
    const verifier = options.hostVerifier;
    const client = await sshConnect({
      ...options,
      hostVerifier: (key: Buffer) => {
        seen = key.toString('base64');
        return verifier(key);
      },
    });
    open.push(client);
    expect(seen).toBe(lab.servers[name].hostKey.publicKey.split(' ')[1]);
    expect(await sshRun(client, 'id -un; hostname')).toBe(`root\n${name}`);
  });

  it('logs deploy in with every authorized key kind and with its password', async () => {
    for (const key of ['plain', 'passphrase', 'rsa'] as const) {
      const client = await connect(lab, name, { user: 'deploy', key });
      expect(await sshRun(client, 'id -un')).toBe('deploy');
    }
    const byPassword = await connect(lab, name, { user: 'deploy', password: true });
    expect(await sshRun(byPassword, 'id -Gn')).toContain('docker');
  });

  it('logs root in with the passphrase and RSA keys', async () => {
    for (const key of ['passphrase', 'rsa'] as const) {
      const client = await connect(lab, name, { key });
      expect(await sshRun(client, 'id -u')).toBe('0');
    }
  });

  it('refuses the unauthorized key and a root password', async () => {
    await expect(sshConnect(labSshOptions(lab, name, { key: 'unauthorized' }))).rejects.toThrow(/authentication/i);
    const rootByPassword = { ...labSshOptions(lab, name, { key: 'none' }), password: lab.servers[name].users.deploy.password };
    await expect(sshConnect(rootByPassword)).rejects.toThrow(/authentication/i);
  });

  it('is rejected when its host key does not match another server', async () => {
    const other = name === 'dev' ? 'uat' : 'dev';
    const wrong = { ...labSshOptions(lab, name), hostVerifier: labSshOptions(lab, other).hostVerifier };
    await expect(sshConnect(wrong)).rejects.toThrow(/verification failed/i);
  });

  it('lets deploy use docker (docker group) and root ssh to the other servers', async () => {
    const deploy = await connect(lab, name, { user: 'deploy' });
    expect(await sshRun(deploy, "docker info --format '{{.Name}}'")).toBe(name);
    const root = await connect(lab, name);
    for (const peer of LAB_SERVER_NAMES.filter((other) => other !== name)) {
      expect(await sshRun(root, `ssh -o BatchMode=yes ${peer} hostname`)).toBe(peer);
      expect(await sshRun(root, `ssh -o BatchMode=yes ${lab.servers[peer].host} hostname`)).toBe(peer);
    }
  });

  it('has no route out of the lab subnet', async () => {
    const root = await connect(lab, name);
    expect(await sshRun(root, 'ip -4 route show default | wc -l')).toBe('0');
  });
});

it('hands out distinct host keys and an ssh_config snippet for every server', () => {
  const fingerprints = LAB_SERVER_NAMES.map((name) => lab.servers[name].hostKey.fingerprint);
  expect(new Set(fingerprints).size).toBe(3);
  for (const fingerprint of fingerprints) expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  for (const name of LAB_SERVER_NAMES) {
    expect(lab.sshConfig).toContain(`Host gantry-${name}\n  HostName ${lab.servers[name].host}`);
  }
});
