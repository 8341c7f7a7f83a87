/**
 * A database data copy over the image transfer's routes, against the lab: a password-protected
 * PostgreSQL (its restore reads "$POSTGRES_PASSWORD", so the one-time key's forced command carries
 * double quotes) streamed dev → uat straight from server to server, its codec measured, equal
 * content checksums on both servers (PostgreSQL's own checksum query); through this machine when
 * asked; and no key, folder or agent left on either server after a copy, after a cancel mid-stream
 * and after uat's network was cut mid-stream and restored — nor a restore still running on uat.
 * Run: flock /tmp/gantry-labtest.lock bash .ci/with-keyring.sh npx vitest run --project integration electron/transfer/data-copy-route
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labFault } from '../../lab/lab-client';
import { compareChecksums, type DatabaseChecksum } from '../databases/checksum';
import { liveDatabaseTarget, streamDump, type CopyEnd } from '../databases/copy-stream';
import { adapterFor } from '../databases/registry';
import type { ServerConnection } from '../servers/server-connection';
import { closeLabHosts, labHosts } from './testing/lab-hosts';
import { transferLeftoversAfter } from './testing/leftovers';

const DB = 'gantry-route-db';
const ROWS = 600_000;
const postgres = adapterFor('postgresql');
let dev: ServerConnection;
let uat: ServerConnection;

async function sh(host: ServerConnection, command: string): Promise<string> {
  const result = await host.exec(command, {});
  if (result.code !== 0) throw new Error(`${command.slice(0, 200)}: ${result.stderr}`);
  return result.stdout.trim();
}

async function end(host: ServerConnection): Promise<CopyEnd> {
  return { host, target: await liveDatabaseTarget(host, DB) };
}

async function checksum(host: ServerConnection): Promise<DatabaseChecksum> {
  return postgres.parseChecksum(await sh(host, postgres.commands((await end(host)).target).checksum));
}

async function waitReady(host: ServerConnection): Promise<void> {
  const readiness = postgres.commands((await end(host)).target).readiness;
  for (let tries = 0; tries < 180; tries++) {
    if ((await host.exec(readiness, {})).code === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${DB} on ${host.label} never answered`);
}

/** A restore still running on uat for this copy (its processes, as uat's dockerd sees them). */
async function restoresRunning(): Promise<string> {
  return sh(uat, `docker top ${DB} -eo pid,args | grep -E '^ *[0-9]+ +(pg_restore|psql)'; true`);
}

const leftovers = (ms: number) => transferLeftoversAfter(dev, uat, ms);

async function copy(options: { route?: 'auto' | 'relay'; signal?: AbortSignal; onBytes?: (dumpBytes: number) => void } = {}) {
  const log: string[] = [];
  const estimateBytes = postgres.parseSize(await sh(dev, postgres.commands((await end(dev)).target).size));
  const outcome = streamDump(await end(dev), await end(uat), postgres, {
    signal: options.signal ?? AbortSignal.timeout(300_000),
    estimateBytes,
    ...(options.route ? { route: options.route } : {}),
    onLog: (line) => log.push(line),
    onBytes: (dumpBytes) => options.onBytes?.(dumpBytes),
  });
  return { outcome, log, estimateBytes };
}

beforeAll(async () => {
  ({ dev, uat } = labHosts(['dev', 'uat']));
  for (const [host, password] of [[dev, 'route-dev-pw'], [uat, 'route-uat-pw']] as const) {
    await sh(host, `docker rm -fv ${DB} >/dev/null 2>&1; docker run -d --name ${DB} -e POSTGRES_USER=app -e POSTGRES_PASSWORD=${password} -e POSTGRES_DB=app gantry-lab/postgres:15 >/dev/null`);
  }
  await Promise.all([waitReady(dev), waitReady(uat)]);
  await sh(
    dev,
    `docker exec ${DB} psql -U app -d app -q -v ON_ERROR_STOP=1 -c "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, note text); INSERT INTO items SELECT g, 'item ' || g, g * 1.5, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, ${ROWS}) g; ANALYZE items;"`,
  );
}, 180_000);

afterAll(async () => {
  await labFault('uat', 'net-restore').catch(() => undefined);
  await labFault('dev', 'net-fast').catch(() => undefined);
  for (const host of [dev, uat]) await host?.exec(`docker rm -fv ${DB} >/dev/null 2>&1; true`, {}).catch(() => undefined);
  await closeLabHosts({ dev, uat });
});

describe('data copy over the direct route (lab)', () => {
  it('goes straight from dev to uat with a one-time key, its codec measured: equal checksums on both servers, no key left', async () => {
    const { outcome, log, estimateBytes } = await copy();
    const result = await outcome;
    console.log(`direct copy: ${JSON.stringify(result)}\n${log.join('\n')}`);
    expect(estimateBytes).toBeGreaterThan(48 * 1024 * 1024);
    expect(result.route).toBe('direct');
    expect(log.join('\n')).toMatch(/^Straight from dev \(.*\) to uat \(.*\) \(.*:22\), with a one-time key: dev \(.*\) reaches its sshd$/m);
    expect(log.join('\n')).toMatch(/^Compression: measured link \d+ MB\/s, .* is fastest/m);
    expect(result.dumpBytes).toBeGreaterThan(40e6);
    if (result.codec !== 'none') expect(result.sentBytes).toBeLessThan(result.dumpBytes);
    const [onDev, onUat] = [await checksum(dev), await checksum(uat)];
    expect(compareChecksums(onDev, onUat).differences).toEqual([]);
    expect(onUat.entries.find((entry) => entry.name === 'public.items')?.count).toBe(ROWS);
    expect(await leftovers(15_000)).toEqual([]);
  }, 300_000);

  it('through this machine when the direct route is not asked for: equal checksums, and the log says so', async () => {
    await sh(uat, `docker exec ${DB} psql -U app -d app -q -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"`);
    const { outcome, log } = await copy({ route: 'relay' });
    const result = await outcome;
    expect(result.route).toBe('relay');
    expect(log[0]).toBe('Through this machine: the direct route was not asked for');
    expect(compareChecksums(await checksum(dev), await checksum(uat)).differences).toEqual([]);
    expect(await leftovers(5_000)).toEqual([]);
  }, 300_000);

  it('cancelled mid-stream: no key, folder or agent left on either server, and no restore still running on uat', async () => {
    await labFault('dev', 'net-slow');
    try {
      const controller = new AbortController();
      let seen = 0;
      let looked: Promise<string> | null = null;
      const { outcome, log } = await copy({
        signal: controller.signal,
        onBytes: (dumpBytes) => {
          seen = dumpBytes;
          // Cancel once uat's restore is seen running (so its absence afterwards means something).
          if (dumpBytes > 5e6 && !looked) looked = restoresRunning().finally(() => controller.abort());
        },
      });
      await expect(outcome).rejects.toMatchObject({ code: 'cancelled' });
      expect(seen).toBeGreaterThan(5e6);
      expect(await looked).toMatch(/pg_restore/);
      expect(log.join('\n')).toMatch(/Straight from dev/);
    } finally {
      await labFault('dev', 'net-fast');
    }
    expect(await leftovers(20_000)).toEqual([]);
    expect(await restoresRunning()).toBe('');
  }, 300_000);

  it("uat's network cut mid-stream: the copy fails saying so, and once uat is back no key is left on either server", async () => {
    await labFault('dev', 'net-slow');
    let cut = false;
    try {
      const { outcome } = await copy({
        onBytes: (dumpBytes) => {
          if (dumpBytes > 5e6 && !cut) {
            cut = true;
            void labFault('uat', 'net-cut');
          }
        },
      });
      await expect(outcome).rejects.toThrow(/went silent|broke off|failed/);
      expect(cut).toBe(true);
    } finally {
      await labFault('uat', 'net-restore');
      await labFault('dev', 'net-fast');
    }
    expect(await leftovers(45_000)).toEqual([]);
    // uat's sshd learns of the dead session once the link is back; the receiver is ended then at the latest.
    const until = Date.now() + 60_000;
    while ((await restoresRunning()) !== '' && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await restoresRunning()).toBe('');
  }, 400_000);
});
