/**
 * A Redis backup on the lab's prod, through the backup module's own functions and a real pooled
 * connection: it is proven by restoring it into a throwaway container (removed afterwards), and
 * "Restore this backup" brings the data back after it changed. A restore that also restarts the
 * container once fed the backup to the restart instead of to the restore (an empty RDB): the
 * restored keys are read back with redis-cli, not only through Gantry's checksum.
 * Needs the lab: bash .ci/with-keyring.sh npx vitest run --project integration electron/databases/redis-backup.int.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerConnection } from '../servers/server-connection';
import { closeLabHosts, labHosts } from '../transfer/testing/lab-hosts';
import { restoreBackup, takeBackup } from './backup';
import { liveDatabaseTarget } from './copy-stream';
import { adapterFor } from './registry';

const DB = 'redisbk-it-db';
const VOLUME = 'redisbk-it-data';
const redis = adapterFor('redis');
const { prod } = labHosts(['prod']);
const resourceId = 'redisbk-it';

async function sh(host: ServerConnection, command: string): Promise<string> {
  const result = await host.exec(command, {});
  if (result.code !== 0) throw new Error(`${command.slice(0, 160)}: ${result.stderr}`);
  return result.stdout.trim();
}

const cli = (args: string) => sh(prod, `docker exec ${DB} sh -c 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli --no-auth-warning ${args}'`);
const cleanup = `docker rm -fv ${DB} >/dev/null 2>&1; docker volume rm ${VOLUME} >/dev/null 2>&1; rm -rf "$HOME/.gantry/backups/${resourceId}"; true`;

beforeAll(async () => {
  await sh(prod, cleanup);
  await sh(prod, `docker run -d --name ${DB} -e REDIS_PASSWORD=rbk-pw-1 -v ${VOLUME}:/data gantry-lab/redis:7 >/dev/null`);
  for (let tries = 0; tries < 60; tries++) {
    if ((await prod.exec(redis.commands(await liveDatabaseTarget(prod, DB)).readiness, {})).code === 0) break;
    await new Promise((done) => setTimeout(done, 500));
  }
  await cli('SET greeting hello');
  await cli('HSET user:1 name ada role admin');
  await cli('-n 2 RPUSH queue a b c');
}, 120_000);

afterAll(async () => {
  await sh(prod, cleanup).catch(() => undefined);
  await closeLabHosts({ prod });
});

describe('a Redis backup on prod', () => {
  it('is verified in a throwaway container, and Restore this backup brings changed data back', async () => {
    const target = await liveDatabaseTarget(prod, DB);
    const record = await takeBackup(prod, { adapter: redis, target, resourceId, resourceName: 'cache', migrationId: 'redisbk0-it' });
    expect(record.verified).toMatch(/restored into a throwaway container with the source's content checksum \(3 entries\)/);
    expect(await sh(prod, "docker ps -a --filter name=gantry-verify --format '{{.Names}}'")).toBe('');

    await cli('DEL greeting');
    await cli('SET intruder yes');
    await cli('-n 2 LPOP queue');
    const restored = await restoreBackup(prod, redis, await liveDatabaseTarget(prod, DB), record);
    expect(restored.matches).toBe(true);
    // Read back by Redis's own client: the backup's keys, and not the one set after it.
    expect(await cli('GET greeting')).toBe('hello');
    expect(await cli('HGET user:1 role')).toBe('admin');
    expect(await cli('-n 2 LRANGE queue 0 -1')).toBe('a\nb\nc');
    expect(await cli('EXISTS intruder')).toBe('0');
  }, 180_000);
});
