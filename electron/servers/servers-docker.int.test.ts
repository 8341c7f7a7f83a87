/**
 * Against the lab: Docker over the pooled SSH connection (list, create, remove on every server),
 * 50 concurrent Docker calls sharing one connection, specific Docker errors, and what happens
 * when sshd stops mid-operation and comes back. Run under `bash .ci/with-keyring.sh`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerInput } from '@shared/servers/server-schemas';
import { labEnv, labFault, startTestEngine, type LabEnv, type TestEngine } from './testing/servers-harness';

type LabName = 'dev' | 'uat' | 'prod';
let lab: LabEnv;
let engine: TestEngine;
const ids: Partial<Record<string, string>> = {};

async function labServer(server: LabName, username: 'root' | 'deploy'): Promise<string> {
  const key = `${server}-${username}`;
  if (ids[key]) return ids[key];
  const input: ServerInput = { name: key, host: lab.servers[server].host, username, auth: { method: 'key-file', keyPath: lab.keys.plain } };
  const { server: saved } = await engine.call('servers:save', { server: input, pin: { fingerprint: lab.servers[server].hostKey.fingerprint, algorithm: 'ssh-ed25519' } });
  ids[key] = saved.id;
  return saved.id;
}

/** Established TCP connections to the server's :22 whose client port is `localPort`, as the server sees them. */
async function serverSideConnections(serverId: string, localPort: number): Promise<number> {
  const ss = await engine.app.servers.connections.get(serverId).exec(`ss -tnH state established '( sport = :22 )'`);
  return ss.stdout.split('\n').filter((line) => line.trim().endsWith(`:${localPort}`)).length;
}

beforeAll(() => {
  lab = labEnv();
  engine = startTestEngine({ knownHostsFiles: [], tuning: { keepaliveIntervalMs: 5000, keepaliveCountMax: 3, readyTimeoutMs: 5000 }, pool: { reconnect: { attempts: 2, baseDelayMs: 200, maxDelayMs: 400 } } });
});

afterAll(async () => {
  await engine?.close();
});

describe('Docker over SSH', () => {
  it.each(['dev', 'uat', 'prod'] as const)('lists, creates and removes a container on %s', async (server) => {
    const docker = engine.app.servers.connections.get(await labServer(server, 'deploy')).docker();
    const name = `gantry-servers-test-${process.pid}`;
    const container = await docker.createContainer({ name, Image: 'gantry-lab/debian:bookworm', Cmd: ['sleep', '60'], Labels: { 'gantry.test': 'servers' } });
    try {
      const listed = await docker.listContainers({ all: true, filters: { name: [name] } });
      expect(listed.map((c) => c.Names[0])).toEqual([`/${name}`]);
      await container.start();
      expect((await container.inspect()).State.Running).toBe(true);
    } finally {
      await container.remove({ force: true });
    }
    expect(await docker.listContainers({ all: true, filters: { name: [name] } })).toEqual([]);
  });

  it('runs 50 concurrent Docker calls over one SSH connection', async () => {
    const id = await labServer('uat', 'root');
    const connection = engine.app.servers.connections.get(id);
    const docker = connection.docker();
    await docker.ping();
    const localPort = connection.stats().localPort!;
    expect(await serverSideConnections(id, localPort)).toBe(1);

    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, connection.stats().channels.active)), 5);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? docker.listContainers({ all: true }) : docker.version().then((v) => v.Version))),
    );
    clearInterval(watch);
    expect(results).toHaveLength(50);
    expect(results.filter((r) => typeof r === 'string' && r.length > 0)).toHaveLength(25);
    // One connection the whole time: the server still sees exactly our one TCP connection.
    expect(connection.stats()).toMatchObject({ connects: 1, localPort });
    // Each request's channel closes once Docker has answered and dial-stdio exits.
    await expect.poll(() => connection.stats().channels, { timeout: 5000 }).toEqual({ active: 0, waiting: 0 });
    expect(await serverSideConnections(id, localPort)).toBe(1);
    // Work was multiplexed, within the cap that keeps below OpenSSH's MaxSessions.
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(8);
  });

  it('cancels a Docker call and an exec through their AbortSignal', async () => {
    // As deploy: OpenSSH ignores signal requests in root sessions (no privilege separation there).
    const connection = engine.app.servers.connections.get(await labServer('dev', 'deploy'));
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = connection.exec('sleep 30', { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    await expect(sleeping).rejects.toMatchObject({ code: 'cancelled' });
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(connection.docker().listContainers({ abortSignal: AbortSignal.abort() })).rejects.toThrow();
    await expect(connection.exec('echo still-here')).resolves.toMatchObject({ code: 0, stdout: 'still-here\n' });
    // The remote sleep was killed, not left running: its channel (and slot) is gone within moments.
    await expect.poll(() => connection.stats().channels.active, { timeout: 3000 }).toBe(0);
    expect((await connection.exec(`pgrep -af '^sleep 30$' || true`)).stdout).not.toMatch(/sleep 30/);
  });

  it('says when the docker command cannot be found for the SSH user, and what to check', async () => {
    const root = engine.app.servers.connections.get(await labServer('prod', 'root'));
    const deployId = await labServer('prod', 'deploy');
    const deploy = engine.app.servers.connections.get(deployId).docker();
    // The deploy user's shell (bash reads ~/.bashrc for ssh commands) finds no docker on its PATH.
    try {
      await root.exec(`printf 'export PATH=/nonexistent\\n' > /home/deploy/.bashrc && chown deploy /home/deploy/.bashrc`);
      await expect(deploy.listContainers()).rejects.toMatchObject({ code: 'docker_not_installed', message: expect.stringContaining("PATH includes it") });
      const probe = await engine.call('servers:probe', { id: deployId });
      const done = await engine.app.jobs.finished(probe.jobId);
      expect(done).toMatchObject({ type: 'done', result: { dockerVersion: null, problems: [{ code: 'docker_not_installed' }] } });
    } finally {
      await root.exec('rm -f /home/deploy/.bashrc');
    }
    await expect(deploy.listContainers()).resolves.toBeInstanceOf(Array);
  });

  it('says when the user may not use the Docker socket, and when the daemon is down', async () => {
    const root = engine.app.servers.connections.get(await labServer('prod', 'root'));
    const deploy = engine.app.servers.connections.get(await labServer('prod', 'deploy')).docker();
    const socket = (await root.exec('readlink -f /var/run/docker.sock')).stdout.trim();
    const mode = (await root.exec(`stat -c %a ${socket}`)).stdout.trim();
    try {
      await root.exec(`chmod 600 ${socket}`);
      await expect(deploy.listContainers()).rejects.toMatchObject({ code: 'docker_permission_denied', message: expect.stringContaining('docker group') });
    } finally {
      await root.exec(`chmod ${mode} ${socket}`);
    }
    await expect(deploy.listContainers()).resolves.toBeInstanceOf(Array);

    try {
      labFault('prod', 'docker-stop');
      await expect(deploy.listContainers()).rejects.toMatchObject({ code: 'docker_daemon_down', message: expect.stringContaining('not running') });
      const probe = await engine.call('servers:probe', { id: await labServer('prod', 'deploy') });
      const done = await engine.app.jobs.finished(probe.jobId);
      expect(done).toMatchObject({ type: 'done', result: { dockerVersion: null, problems: [{ code: 'docker_daemon_down' }] } });
    } finally {
      labFault('prod', 'docker-start');
    }
    await expect(deploy.listContainers()).resolves.toBeInstanceOf(Array);
  });
});

describe('the pool when sshd goes away', () => {
  it('fails the running operation clearly, refuses while sshd is down, and reconnects when it is back', async () => {
    const id = await labServer('dev', 'root');
    const connection = engine.app.servers.connections.get(id);
    await connection.exec('true');
    const localPort = connection.stats().localPort!;
    const running = connection.exec('sleep 30');
    try {
      labFault('dev', 'sshd-stop');
      // Stopping sshd leaves established sessions alone; end ours the way a restart or reboot would.
      const pid = (await connection.exec(`ss -tnpH state established '( sport = :22 and dport = :${localPort} )' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2`)).stdout.trim();
      expect(pid).toMatch(/^\d+$/);
      await connection.exec(`kill ${pid}`).catch(() => {});
      await expect(running).rejects.toMatchObject({ code: 'ssh_connection_lost', message: expect.stringContaining('was lost while a command was running') });
      await expect(connection.exec('true')).rejects.toMatchObject({ code: 'ssh_unreachable', message: expect.stringContaining('Is sshd running?') });
      expect(connection.stats().state).toBe('failed');
    } finally {
      labFault('dev', 'sshd-start');
    }
    await expect(connection.exec('hostname')).resolves.toMatchObject({ code: 0, stdout: 'dev\n' });
    expect(connection.stats()).toMatchObject({ state: 'connected', connects: 2 });
  });

  it('probes a server: OS, Docker, free space, published ports, reverse proxy and latency', async () => {
    const id = await labServer('uat', 'root');
    const docker = engine.app.servers.connections.get(id).docker();
    const name = `gantry-probe-caddy-${process.pid}`;
    // A port of its own, so a parallel run on the shared lab cannot collide with it.
    const hostPort = 20000 + (process.pid % 20000);
    const caddy = await docker.createContainer({ name, Image: 'gantry-lab/caddy:2', HostConfig: { PortBindings: { '80/tcp': [{ HostPort: String(hostPort) }] } } });
    try {
      await caddy.start();
      const { jobId } = await engine.call('servers:probe', { id });
      const done = await engine.app.jobs.finished(jobId);
      expect(done.type).toBe('done');
      const { servers } = await engine.call('servers:list', {});
      const probe = servers.find((s) => s.id === id)!.probe!;
      expect(probe.os).toMatch(/Debian/);
      expect(probe.dockerVersion).toMatch(/^20\.10/);
      expect(probe.dockerRootDir).toBe('/var/lib/docker');
      expect(probe.dockerFreeBytes).toBeGreaterThan(0);
      expect(probe.dockerTotalBytes).toBeLessThan(20 * 1024 ** 3); // the lab's own per-server disk, not the host's
      expect(probe.publishedPorts).toContainEqual({ port: hostPort, protocol: 'tcp', container: name });
      expect(probe.reverseProxy).toBe('caddy');
      expect(probe.latencyMs).toBeGreaterThan(0);
      expect(probe.problems).toEqual([]);
    } finally {
      await caddy.remove({ force: true });
    }
  });
});
