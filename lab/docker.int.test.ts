// The lab's Docker promises: one engine per server (own ID, data, containers), reachable over
// SSH with dockerode, every lab image present everywhere, images movable server to server.
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import type { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LAB_SERVER_NAMES, type LabServerName, labSshOptions } from './lab-client';
import { sshConnect, sshPipe, sshRun } from './lab-ssh';

const lab = inject('lab');

/** dockerode over SSH (docker system dial-stdio), one SSH connection per request. */
function dockerOverSsh(name: LabServerName, user: 'root' | 'deploy' = 'root'): Docker {
  const { host, port, username, ...sshOptions } = labSshOptions(lab, name, { user });
  return new Docker({ protocol: 'ssh', host, port, username, sshOptions });
}

const ssh = {} as Record<LabServerName, Client>;
beforeAll(async () => {
  for (const name of LAB_SERVER_NAMES) ssh[name] = await sshConnect(labSshOptions(lab, name));
});
afterAll(() => LAB_SERVER_NAMES.forEach((name) => ssh[name]?.end()));

describe.each(LAB_SERVER_NAMES)('engine on %s', (name) => {
  it('answers over SSH with its own identity and data root on its own disk', async () => {
    const info = await dockerOverSsh(name, 'deploy').info();
    expect(info.Name).toBe(name);
    expect(info.DockerRootDir).toBe('/var/lib/docker');
    const df = await sshRun(ssh[name], 'df --output=source,size /var/lib/docker | tail -1');
    expect(df).toMatch(/^\/dev\/loop\d+\s+\d+$/);
  });

  it('holds every lab image', async () => {
    const tags = (await dockerOverSsh(name).listImages()).flatMap((image) => image.RepoTags ?? []);
    for (const image of lab.servers[name].images) expect(tags).toContain(image);
  });
});

it('gives every server its own engine ID', async () => {
  const ids = await Promise.all(LAB_SERVER_NAMES.map(async (name) => (await dockerOverSsh(name).info()).ID));
  expect(new Set(ids).size).toBe(3);
});

it('keeps a container created on dev invisible on uat and prod', async () => {
  const containerName = `lab-isolation-${randomBytes(4).toString('hex')}`;
  const dev = dockerOverSsh('dev');
  const container = await dev.createContainer({ Image: 'gantry-lab/debian:bookworm', name: containerName, Cmd: ['true'] });
  try {
    const onDev = await dev.listContainers({ all: true, filters: { name: [containerName] } });
    expect(onDev.map((c) => c.Id)).toContain(container.id);
    for (const other of ['uat', 'prod'] as const) {
      const elsewhere = await dockerOverSsh(other).listContainers({ all: true, filters: { name: [containerName] } });
      expect(elsewhere).toEqual([]);
    }
  } finally {
    await container.remove({ force: true });
  }
});

it('streams `docker save` from dev into `docker load` on uat', async () => {
  const marker = randomBytes(8).toString('hex');
  const tag = `lab-transfer/${marker}:1`;
  await sshRun(ssh.dev, `docker run --init --name lab-transfer-${marker} gantry-lab/debian:bookworm sh -c 'echo ${marker} >/marker'`);
  await sshRun(ssh.dev, `docker commit lab-transfer-${marker} ${tag} >/dev/null && docker rm lab-transfer-${marker} >/dev/null`);
  try {
    const devId = await sshRun(ssh.dev, `docker image inspect --format '{{.Id}}' ${tag}`);
    expect((await sshRun(ssh.uat, `docker images -q ${tag}`))).toBe('');
    const { bytes, output } = await sshPipe(ssh.dev, `docker save ${tag}`, ssh.uat, 'docker load');
    expect(bytes).toBeGreaterThan(1_000_000);
    expect(output.stdout).toContain(tag);
    expect(await sshRun(ssh.uat, `docker image inspect --format '{{.Id}}' ${tag}`)).toBe(devId);
    expect(await sshRun(ssh.uat, `docker run --rm --init ${tag} cat /marker`)).toBe(marker);
  } finally {
    await sshRun(ssh.dev, `docker rmi -f ${tag} >/dev/null 2>&1 || true`);
    await sshRun(ssh.uat, `docker rmi -f ${tag} >/dev/null 2>&1 || true`);
  }
});

it('keeps an image pushed to the registry on dev pullable on uat, with its registry digest', async () => {
  const marker = randomBytes(8).toString('hex');
  const tag = `${lab.registry}/lab-registry/${marker}:1`;
  await sshRun(ssh.dev, `docker run --init --name lab-registry-${marker} gantry-lab/debian:bookworm sh -c 'echo ${marker} >/marker'`);
  await sshRun(ssh.dev, `docker commit lab-registry-${marker} ${tag} >/dev/null && docker rm lab-registry-${marker} >/dev/null && docker push -q ${tag} >/dev/null`);
  try {
    const digests = await sshRun(ssh.dev, `docker image inspect --format '{{json .RepoDigests}}' ${tag}`);
    expect(digests).toContain(`${lab.registry}/lab-registry/${marker}@sha256:`);
    await sshRun(ssh.uat, `docker pull -q ${tag} >/dev/null`);
    expect(await sshRun(ssh.uat, `docker run --rm --init ${tag} cat /marker`)).toBe(marker);
  } finally {
    await sshRun(ssh.dev, `docker rmi -f ${tag} >/dev/null 2>&1 || true`);
    await sshRun(ssh.uat, `docker rmi -f ${tag} >/dev/null 2>&1 || true`);
  }
});

it('gives every server a cron of its own: a crontab line on uat runs on uat only', async () => {
  const marker = randomBytes(8).toString('hex');
  const file = `/var/lib/docker/lab-cron-${marker}`;
  await sshRun(ssh.uat, `(crontab -l 2>/dev/null; echo '* * * * * hostname > ${file} # lab-cron-${marker}') | crontab -`);
  try {
    for (const other of ['dev', 'prod'] as const) expect(await sshRun(ssh[other], `crontab -l 2>/dev/null | grep -c lab-cron-${marker} || true`)).toBe('0');
    let ran = '';
    for (let i = 0; i < 150 && !ran; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
      ran = await sshRun(ssh.uat, `cat ${file} 2>/dev/null || true`);
    }
    expect(ran).toBe('uat');
  } finally {
    await sshRun(ssh.uat, `crontab -l 2>/dev/null | grep -v lab-cron-${marker} | crontab -; rm -f ${file}`);
  }
});
