/**
 * Test and benchmark helper (never imported by the app): real pooled connections to the lab's
 * servers (root unless asked), with their host keys pinned from `lab.sh env`, exactly as the engine holds them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSshTuning } from '../../servers/ssh-connect';
import { ServerConnection } from '../../servers/server-connection';

/** The lab servers this helper connects to. */
export type LabName = 'dev' | 'uat' | 'prod';

interface LabEnvJson {
  keys: { plain: string };
  servers: Record<LabName, { host: string; port: number; hostKey: { fingerprint: string } }>;
}

const LAB = join(import.meta.dirname, '..', '..', '..', 'lab', 'lab.sh');

/** A connection to each named lab server as root, or `user` (close them with `closeLabHosts`). */
export function labHosts(names: LabName[], user: 'root' | 'deploy' = 'root'): Record<LabName, ServerConnection> {
  const env = JSON.parse(execFileSync('bash', [LAB, 'env'], { encoding: 'utf8' })) as LabEnvJson;
  const privateKey = readFileSync(env.keys.plain);
  const hosts = {} as Record<LabName, ServerConnection>;
  for (const name of names) {
    const server = env.servers[name];
    const label = user === 'root' ? `${name} (${server.host})` : `${name} (${user}@${server.host})`;
    hosts[name] = new ServerConnection({
      label,
      resolveTarget: async () => ({
        label,
        host: server.host,
        port: server.port,
        username: user,
        credentials: { method: 'key', privateKey, source: env.keys.plain },
        pinnedFingerprint: server.hostKey.fingerprint,
        via: [],
      }),
      tuning: defaultSshTuning,
      maxChannels: 8,
      reconnect: { attempts: 4, baseDelayMs: 500, maxDelayMs: 4000 },
      onState: () => {},
    });
  }
  return hosts;
}

/** Closes what `labHosts` opened. */
export async function closeLabHosts(hosts: Partial<Record<LabName, ServerConnection>>): Promise<void> {
  await Promise.all(Object.values(hosts).map((host) => host?.close()));
}
