/**
 * The lab as the e2e specs set it up and check it: a server's own Docker socket for what its
 * operator would do by hand, lab.sh without the test keyring's session, the lab's servers saved
 * into a test's engine and a project bound to them, and the wait for an engine job.
 */
import { execFileSync } from 'node:child_process';
import type { LabDetails, LabServerName } from '../lab/lab-client';
import type { EngineClient } from './engine-client';

/**
 * Runs a shell command line on a lab server as its operator would, through the server's own
 * Docker socket (lab setup and assertions only; Gantry itself goes over SSH). Independent of
 * sshd, so another test's sshd fault on the shared lab cannot break a test's setup.
 */
export function runOnLabServer(lab: LabDetails, server: LabServerName, command: string): string {
  return execFileSync('sh', ['-c', command], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: lab.servers[server].dockerHost } }).trim();
}

/**
 * Runs lab.sh without the test keyring's session variables: a dockerd that lab.sh (re)starts
 * would otherwise inherit XDG_RUNTIME_DIR from the throwaway keyring folder, and its health-check
 * execs fail once that folder is gone.
 */
export function labScript(...args: string[]): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(XDG_RUNTIME_DIR|XDG_DATA_HOME|DBUS_SESSION_BUS_ADDRESS|GANTRY_KEYRING_READY)$/.test(key)));
  return execFileSync('bash', ['lab/lab.sh', ...args], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'ignore'] });
}

/** Waits (polling every 200 ms, `timeoutMs` at most) until an engine job is no longer running. */
export async function waitForJob(client: EngineClient, jobId: string, timeoutMs = 120_000): Promise<void> {
  for (let i = 0; i < timeoutMs / 200; i++) {
    const job = (await client.invoke('jobs:list', {})).jobs.find((each) => each.jobId === jobId);
    if (job && job.state !== 'running') return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`job ${jobId} did not finish`);
}

/** Saves each lab server as `<prefix>-<server>` (root, the lab's plain key, its host key pinned); returns their ids by server. */
export async function saveLabServers<S extends LabServerName>(client: EngineClient, lab: LabDetails, prefix: string, servers: readonly S[]): Promise<Record<S, string>> {
  const ids = {} as Record<S, string>;
  for (const server of servers) {
    const details = lab.servers[server];
    const { server: saved } = await client.invoke('servers:save', {
      server: { name: `${prefix}-${server}`, host: details.host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
      pin: { fingerprint: details.hostKey.fingerprint, algorithm: details.hostKey.publicKey.split(' ')[0]! },
    });
    ids[server] = saved.id;
  }
  return ids;
}

/** Creates a project with `environments` in promotion order and binds the n-th to `serverIds[n]`; returns the project's id and its environments' ids in that order. */
export async function createBoundProject(client: EngineClient, name: string, environments: { name: string; production?: boolean }[], serverIds: readonly string[]): Promise<{ projectId: string; environmentIds: string[] }> {
  const { project } = await client.invoke('projects:create', { name, environments });
  const chain = (await client.invoke('inventory:graph', { projectId: project.id })).environments.sort((a, b) => a.position - b.position);
  for (const [index, environment] of chain.entries()) await client.invoke('environments:bind', { environmentId: environment.id, serverId: serverIds[index]! });
  return { projectId: project.id, environmentIds: chain.map((environment) => environment.id) };
}
