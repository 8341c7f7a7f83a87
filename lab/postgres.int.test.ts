// Real databases in the lab: a PostgreSQL dump taken on dev restores on uat with the same rows,
// and the web app's /health follows its database's reachability.
import { randomBytes } from 'node:crypto';
import type { Client } from 'ssh2';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { labSshOptions } from './lab-client';
import { sshConnect, sshPipe, sshRun } from './lab-ssh';

const lab = inject('lab');
const id = randomBytes(4).toString('hex');
const pg = `lab-pg-${id}`;
const net = `lab-net-${id}`;
const web = `lab-web-${id}`;
let dev: Client;
let uat: Client;

const checksumSql =
  "SELECT count(*) || ':' || md5(string_agg(id || ',' || name || ',' || amount, ';' ORDER BY id)) FROM orders";

async function startPostgres(client: Client): Promise<void> {
  await sshRun(
    client,
    `docker network create ${net} >/dev/null && docker run -d --init --name ${pg} --network ${net} ` +
      `-e POSTGRES_USER=app -e POSTGRES_PASSWORD=secret -e POSTGRES_DB=shop gantry-lab/postgres:15 >/dev/null`,
  );
  // Ready means accepting TCP connections with the real password, not just a socket. initdb
  // fsyncs; on a busy 2-core machine the first start can take a minute.
  await sshRun(
    client,
    `docker exec -e PGPASSWORD=secret ${pg} sh -c 'for i in $(seq 900); do psql -h 127.0.0.1 -U app -d shop -c "select 1" >/dev/null 2>&1 && exit 0; sleep 0.2; done; exit 1'`,
  );
}

async function removeAll(client: Client | undefined): Promise<void> {
  if (!client) return;
  await sshRun(client, `docker rm -fv ${pg} ${web} >/dev/null 2>&1; docker network rm ${net} >/dev/null 2>&1; true`);
}

beforeAll(async () => {
  dev = await sshConnect(labSshOptions(lab, 'dev'));
  uat = await sshConnect(labSshOptions(lab, 'uat', { user: 'deploy' }));
  await Promise.all([startPostgres(dev), startPostgres(uat)]);
});
afterAll(async () => {
  await Promise.all([removeAll(dev), removeAll(uat)]);
  dev?.end();
  uat?.end();
});

it('restores a pg_dump from dev on uat with matching row checksums', async () => {
  await sshRun(
    dev,
    `docker exec -i ${pg} psql -v ON_ERROR_STOP=1 -q -U app -d shop`,
    `CREATE TABLE orders (id int PRIMARY KEY, name text NOT NULL, amount numeric(10,2) NOT NULL);
     INSERT INTO orders SELECT g, 'order-' || md5(g::text), (g % 997) * 1.25 FROM generate_series(1, 50000) g;`,
  );
  const source = await sshRun(dev, `docker exec ${pg} psql -U app -d shop -At -c "${checksumSql}"`);
  expect(source).toMatch(/^50000:[0-9a-f]{32}$/);

  await sshPipe(dev, `docker exec ${pg} pg_dump -U app -d shop -Fc`, uat, `docker exec -i ${pg} pg_restore -U app -d shop --no-owner --exit-on-error`);
  const restored = await sshRun(uat, `docker exec ${pg} psql -U app -d shop -At -c "${checksumSql}"`);
  expect(restored).toBe(source);
});

it('reports the database reachable from the web app, and unreachable once it stops', async () => {
  await sshRun(
    dev,
    `docker run -d --init --name ${web} --network ${net} -p 18080:8080 ` +
      `-e DATABASE_URL=postgres://app:secret@${pg}:5432/shop gantry-lab/webapp:1 >/dev/null`,
  );
  const base = `http://${lab.servers.dev.host}:18080`;
  const get = async (path: string) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(base + path, { signal: AbortSignal.timeout(10_000) });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      } catch (error) {
        if (attempt > 150) throw error; // ~30 s for the app to start on a busy machine
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };
  expect(await get('/')).toEqual({ status: 200, body: { app: 'gantry-lab-webapp', version: '1' } });
  const healthy = await get('/health');
  expect(healthy.status).toBe(200);
  expect(healthy.body.db).toBe('reachable');

  await sshRun(dev, `docker stop ${pg} >/dev/null`);
  const unhealthy = await get('/health');
  expect(unhealthy.status).toBe(503);
  expect(unhealthy.body.db).toBe('unreachable');
});
