/**
 * A real engine process for lab tests that kill it: the built browser-mode entry started on a data
 * folder, driven over its WebSocket bridge exactly as the UI drives it. Needs the build
 * (`npx electron-vite build`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { RequestChannel, RequestOf, ResponseOf } from '@shared/ipc/contract';
import type { BridgeServerFrame } from '@shared/ipc/bridge';

const BROWSER_ENTRY = join(import.meta.dirname, '..', '..', '..', 'out', 'main', 'browser.js');

/** One engine process and its bridge. */
export interface EngineProcess {
  child: ChildProcess;
  call<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  /** SIGKILL: the engine dies mid-whatever, as in a crash. */
  kill(): void;
}

/** Starts an engine on `dataDir` (with extra environment) and connects to its bridge. */
export async function startEngineProcess(dataDir: string, env: Record<string, string> = {}): Promise<EngineProcess> {
  if (!existsSync(BROWSER_ENTRY)) throw new Error('out/main/browser.js is missing: run `npx electron-vite build` before the integration tests');
  const child = spawn(process.execPath, [BROWSER_ENTRY], { env: { ...process.env, ...env, GANTRY_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<URL>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open: (\S+)/.exec(output);
      if (match?.[1]) resolve(new URL(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`engine exited (${code}): ${output}`)));
  });
  const token = url.hash.replace('#token=', '');
  const ws = new WebSocket(`ws://${url.host}/bridge?token=${token}`, { headers: { Origin: url.origin } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.on('error', () => undefined);
  const waiting = new Map<number, (frame: BridgeServerFrame) => void>();
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as BridgeServerFrame;
    if (frame.type === 'result') waiting.get(frame.id)?.(frame);
  });
  let id = 1;
  return {
    child,
    async call(channel, request) {
      const frameId = id++;
      const frame = await new Promise<BridgeServerFrame>((resolve) => {
        waiting.set(frameId, resolve);
        ws.send(JSON.stringify({ type: 'invoke', id: frameId, channel, request }));
      });
      if (frame.type !== 'result' || !frame.result.ok) throw new Error(`${channel} failed: ${JSON.stringify(frame)}`);
      return frame.result.value as ResponseOf<typeof channel>;
    },
    kill() {
      ws.terminate();
      child.kill('SIGKILL');
    },
  };
}

/** What a lab test needs of the lab to set up a project (from `inject('lab')`). */
export interface LabServers {
  keys: { plain: string };
  servers: Record<'dev' | 'uat', { host: string; hostKey: { fingerprint: string; publicKey: string } }>;
}

/** Saves dev and uat as servers (keys pinned) and creates a dev → uat project bound to them; returns its ids. */
export async function labProject(engine: EngineProcess, lab: LabServers, name: string): Promise<{ projectId: string; dev: string; uat: string }> {
  const serverIds: Record<string, string> = {};
  for (const server of ['dev', 'uat'] as const) {
    const { server: saved } = await engine.call('servers:save', {
      server: { name: `${name}-${server}`, host: lab.servers[server].host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
      pin: { fingerprint: lab.servers[server].hostKey.fingerprint, algorithm: lab.servers[server].hostKey.publicKey.split(' ')[0]! },
    });
    serverIds[server] = saved.id;
  }
  const { project } = await engine.call('projects:create', { name, environments: [{ name: 'dev' }, { name: 'uat' }] });
  const chain = (await engine.call('inventory:graph', { projectId: project.id })).environments;
  await engine.call('environments:bind', { environmentId: chain[0]!.id, serverId: serverIds.dev! });
  await engine.call('environments:bind', { environmentId: chain[1]!.id, serverId: serverIds.uat! });
  return { projectId: project.id, dev: chain[0]!.id, uat: chain[1]!.id };
}

/** Runs a command on a lab server with plain OpenSSH (not through Gantry); rejects with its stderr. */
export function labSh<S extends 'dev' | 'uat' | 'prod'>(lab: { keys: { plain: string }; knownHostsFile: string; servers: Record<S, { host: string }> }, server: S, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', ['-i', lab.keys.plain, '-o', `UserKnownHostsFile=${lab.knownHostsFile}`, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', `root@${lab.servers[server].host}`, command]);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`${server}: ${command}: ${err}`))));
  });
}
