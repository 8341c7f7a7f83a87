// Every fault switch produces a real failure that Gantry would see, and its opposite undoes it.
// Faults are applied to prod only and always undone in `finally`, so other tests are unaffected.
import { Socket } from 'node:net';
import type { Client } from 'ssh2';
import { expect, inject, it } from 'vitest';
import { labFault, labSshOptions } from './lab-client';
import { sshConnect, sshExec, sshRun } from './lab-ssh';

const lab = inject('lab');
const prod = lab.servers.prod;

/** 'open' | 'refused' | 'timeout' for a TCP connect to prod:22 within `ms`. */
function probeSsh(ms = 2_000): Promise<'open' | 'refused' | 'timeout' | 'error'> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (result: 'open' | 'refused' | 'timeout' | 'error') => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(ms, () => done('timeout'));
    socket.once('connect', () => done('open'));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(error.code === 'ECONNREFUSED' ? 'refused' : error.code === 'EHOSTUNREACH' ? 'timeout' : 'error'),
    );
    socket.connect(prod.port, prod.host);
  });
}

async function withProd<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = await sshConnect(labSshOptions(lab, 'prod'));
  try {
    return await run(client);
  } finally {
    client.end();
  }
}

it('sshd-stop refuses new SSH connections; sshd-start accepts them again', async () => {
  try {
    await labFault('prod', 'sshd-stop');
    expect(await probeSsh()).toBe('refused');
    await expect(sshConnect(labSshOptions(lab, 'prod'))).rejects.toThrow(/ECONNREFUSED/);
  } finally {
    await labFault('prod', 'sshd-start');
  }
  expect(await probeSsh()).toBe('open');
  expect(await withProd((client) => sshRun(client, 'hostname'))).toBe('prod');
});

it('docker-stop makes the engine unreachable over SSH; docker-start brings it back', async () => {
  try {
    await labFault('prod', 'docker-stop');
    const result = await withProd((client) => sshExec(client, 'docker version --format "{{.Server.Version}}"'));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Cannot connect to the Docker daemon|docker\.sock/);
  } finally {
    await labFault('prod', 'docker-start');
  }
  expect(await withProd((client) => sshRun(client, "docker info --format '{{.Name}}'"))).toBe('prod');
});

it('net-cut makes the server unreachable (connections time out); net-restore reconnects it', async () => {
  try {
    await labFault('prod', 'net-cut');
    expect(await probeSsh()).toBe('timeout');
    // Cut for its peers too, not just for the host.
    const fromDev = await sshConnect(labSshOptions(lab, 'dev'));
    try {
      const result = await sshExec(fromDev, `timeout 3 bash -c 'exec 3<>/dev/tcp/${prod.host}/22'`);
      expect(result.code).not.toBe(0);
    } finally {
      fromDev.end();
    }
  } finally {
    await labFault('prod', 'net-restore');
  }
  await expect.poll(() => probeSsh(), { timeout: 15_000, interval: 250 }).toBe('open');
});

it('net-slow holds what the server sends to about 2.5 MB/s; net-fast lifts the limit', async () => {
  /** MB/s of 8 MB read from prod over SSH. */
  const rate = () =>
    withProd(async (client) => {
      const started = performance.now();
      const result = await sshExec(client, 'head -c 8000000 /dev/zero');
      expect(result.stdout.length).toBe(8_000_000);
      return 8 / ((performance.now() - started) / 1000);
    });
  try {
    await labFault('prod', 'net-slow');
    const slow = await rate();
    await labFault('prod', 'net-fast');
    const fast = await rate();
    expect(slow).toBeLessThan(3.2);
    expect(fast).toBeGreaterThan(slow * 2);
  } finally {
    await labFault('prod', 'net-fast');
  }
});

it('disk-fill leaves no space for Docker (writes fail with ENOSPC); disk-free gives it back', async () => {
  const available = (client: Client) => sshRun(client, 'df -B1 --output=avail /var/lib/docker | tail -1').then(Number);
  const before = await withProd(available);
  expect(before).toBeGreaterThan(1_000_000_000);
  try {
    await labFault('prod', 'disk-fill');
    await withProd(async (client) => {
      expect(await available(client)).toBeLessThan(1_000_000);
      const write = await sshExec(
        client,
        'docker run --rm --init gantry-lab/debian:bookworm dd if=/dev/zero of=/big bs=1M count=64',
      );
      expect(write.code).not.toBe(0);
      expect(write.stderr).toMatch(/no space left on device/i);
    });
  } finally {
    await labFault('prod', 'disk-free');
  }
  expect(await withProd(available)).toBeGreaterThan(before - 100_000_000);
});
