/**
 * Image transfer against the lab: only the layers uat lacks are sent and uat ends with the very
 * same image id; server to server with a one-time key that leaves nothing behind on either
 * server, also when the transfer is cancelled or the target's network is cut mid-way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labFault } from '../../lab/lab-client';
import { ensureImageOnTarget } from '../migrations/image-transfer';
import type { ServerConnection } from '../servers/server-connection';
import { closeLabHosts, labHosts } from './testing/lab-hosts';
import { transferLeftoversAfter } from './testing/leftovers';

const REPO = 'gantry-test/transfer';
let dev: ServerConnection;
let uat: ServerConnection;
const ids: Record<'v1' | 'v2', string> = { v1: '', v2: '' };

async function sh(host: ServerConnection, command: string): Promise<string> {
  const result = await host.exec(command, {});
  if (result.code !== 0) throw new Error(`${command}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Leftovers of a direct transfer dev → uat, given up to `ms` to go. */
const leftoversAfter = (ms: number) => transferLeftoversAfter(dev, uat, ms);

beforeAll(async () => {
  ({ dev, uat } = labHosts(['dev', 'uat']));
  // A base layer no server has (a nonce in an exported python image), v1 adds 8 MB, v2 30 MB.
  await sh(
    dev,
    [
      'set -e',
      `docker rm -fv gantry-transfer-nonce >/dev/null 2>&1 || true`,
      `docker run --name gantry-transfer-nonce gantry-lab/python:3.11 sh -c "date +%s%N > /nonce"`,
      `docker export gantry-transfer-nonce | docker import -c 'CMD ["python3"]' - ${REPO}:base >/dev/null`,
      'docker rm gantry-transfer-nonce >/dev/null',
      'd=$(mktemp -d)',
      `printf 'FROM ${REPO}:base\\nRUN head -c 8M /dev/urandom > /v1\\n' > $d/Dockerfile && DOCKER_BUILDKIT=0 docker build -q -t ${REPO}:v1 $d >/dev/null 2>&1`,
      `printf 'FROM ${REPO}:v1\\nRUN head -c 30M /dev/urandom > /v2\\n' > $d/Dockerfile && DOCKER_BUILDKIT=0 docker build -q -t ${REPO}:v2 $d >/dev/null 2>&1`,
      'rm -rf $d',
    ].join('\n'),
  );
  ids.v1 = await sh(dev, `docker image inspect -f '{{.Id}}' ${REPO}:v1`);
  ids.v2 = await sh(dev, `docker image inspect -f '{{.Id}}' ${REPO}:v2`);
  await sh(uat, `docker rmi ${REPO}:v1 ${REPO}:v2 ${REPO}:base >/dev/null 2>&1; true`);
});

afterAll(async () => {
  await labFault('dev', 'net-fast').catch(() => {});
  await labFault('uat', 'net-restore').catch(() => {});
  await uat?.exec(`docker rmi ${REPO}:v1 ${REPO}:v2 >/dev/null 2>&1; true`, {});
  await dev?.exec(`docker rmi ${REPO}:v2 ${REPO}:v1 ${REPO}:base >/dev/null 2>&1; true`, {});
  await closeLabHosts({ dev, uat });
});

describe('image transfer (lab)', () => {
  it('a cold target gets every layer straight from dev and ends with the same image id', async () => {
    const log: string[] = [];
    const outcome = await ensureImageOnTarget({ source: dev, target: uat, imageRef: `${REPO}:v1`, imageId: ids.v1, signal: AbortSignal.timeout(180_000), onLog: (line) => log.push(line) });
    expect(outcome.method).toBe('streamed');
    expect(outcome.stream).toMatchObject({ route: 'direct', layersSkipped: 0, layersTotal: 2 });
    expect(log.join('\n')).toMatch(/Straight from dev .* with a one-time key/);
    expect(log.join('\n')).toMatch(/Compression: measured link \d+ MB\/s/);
    expect(await sh(uat, `docker image inspect -f '{{.Id}}' ${REPO}:v1`)).toBe(ids.v1);
    expect(await leftoversAfter(15_000)).toEqual([]);
  });

  it('with v1 there, v2 sends only its new layer and uat has the very same v2', async () => {
    const log: string[] = [];
    const outcome = await ensureImageOnTarget({ source: dev, target: uat, imageRef: `${REPO}:v2`, imageId: ids.v2, signal: AbortSignal.timeout(180_000), onLog: (line) => log.push(line) });
    expect(outcome.stream).toMatchObject({ layersSkipped: 2, layersTotal: 3 });
    // The new layer is 30 MB of random bytes plus tar headers; the image is ~200 MB.
    expect(outcome.bytes).toBeGreaterThan(30e6);
    expect(outcome.bytes).toBeLessThan(35e6);
    expect(log[0]).toMatch(/has 2 of the image's 3 layers: sending the other 1/);
    expect(await sh(uat, `docker image inspect -f '{{.Id}}' ${REPO}:v2`)).toBe(ids.v2);
  });

  it('through this machine, too, only the missing layer travels and the id is the same', async () => {
    await sh(uat, `docker rmi ${REPO}:v2 >/dev/null`);
    const outcome = await ensureImageOnTarget({ source: dev, target: uat, imageRef: `${REPO}:v2`, imageId: ids.v2, signal: AbortSignal.timeout(180_000), route: 'relay' });
    expect(outcome.stream).toMatchObject({ route: 'relay', layersSkipped: 2 });
    expect(outcome.bytes).toBeLessThan(35e6);
    expect(await sh(uat, `docker image inspect -f '{{.Id}}' ${REPO}:v2`)).toBe(ids.v2);
  });

  it('from a login that cannot read the image store, every layer is sent and the log says why', async () => {
    await sh(uat, `docker rmi ${REPO}:v2 >/dev/null`);
    const { dev: deployOnDev } = labHosts(['dev'], 'deploy');
    try {
      const log: string[] = [];
      const outcome = await ensureImageOnTarget({ source: deployOnDev, target: uat, imageRef: `${REPO}:v2`, imageId: ids.v2, signal: AbortSignal.timeout(180_000), onLog: (line) => log.push(line) });
      expect(outcome.stream).toMatchObject({ layersSkipped: 0, layersTotal: 3 });
      expect(log[0]).toMatch(/Sending every layer with docker save \(2 of 3 are already on uat .*not root\)/);
      expect(await sh(uat, `docker image inspect -f '{{.Id}}' ${REPO}:v2`)).toBe(ids.v2);
      expect(await leftoversAfter(15_000)).toEqual([]);
      expect(await sh(deployOnDev, 'ls -d /tmp/gantry-transfer-* 2>/dev/null; true')).toBe('');
    } finally {
      await closeLabHosts({ dev: deployOnDev });
    }
  });

  it('cancelled mid-way, a direct transfer leaves no key on either server', async () => {
    await sh(uat, `docker rmi ${REPO}:v2 ${REPO}:v1 >/dev/null`);
    await labFault('dev', 'net-slow');
    try {
      const controller = new AbortController();
      let seen = 0;
      const transfer = ensureImageOnTarget({
        source: dev,
        target: uat,
        imageRef: `${REPO}:v1`,
        imageId: ids.v1,
        signal: controller.signal,
        onProgress: (sent) => {
          seen = sent;
          if (sent > 5e6) controller.abort();
        },
      });
      await expect(transfer).rejects.toThrow(/cancel/i);
      expect(seen).toBeGreaterThan(5e6);
    } finally {
      await labFault('dev', 'net-fast');
    }
    expect(await leftoversAfter(20_000)).toEqual([]);
    expect((await uat.exec(`docker image inspect ${REPO}:v1`, {})).code).not.toBe(0);
  });

  it('the target cut off mid-way: the transfer stops, and once the network is back no key is left', async () => {
    await labFault('dev', 'net-slow');
    let cut = false;
    try {
      const transfer = ensureImageOnTarget({
        source: dev,
        target: uat,
        imageRef: `${REPO}:v1`,
        imageId: ids.v1,
        signal: AbortSignal.timeout(120_000),
        onProgress: (sent) => {
          if (sent > 5e6 && !cut) {
            cut = true;
            void labFault('uat', 'net-cut');
          }
        },
      });
      await expect(transfer).rejects.toThrow(/stalled|broke off|failed/);
      expect(cut).toBe(true);
    } finally {
      await labFault('uat', 'net-restore');
      await labFault('dev', 'net-fast');
    }
    expect(await leftoversAfter(30_000)).toEqual([]);
  });
});
