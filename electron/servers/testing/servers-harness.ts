/**
 * Test-only harness for the servers area: the lab's connection details (`lab.sh env`), its fault
 * switches, a real ssh-agent, and an engine whose secrets go to the real OS keychain under a
 * throwaway service name. Never imported by the app.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { RequestChannel, RequestOf, ResponseOf } from '@shared/ipc/contract';
import type { ErrorValue } from '@shared/ipc/result';
import { createApp, type AppOptions, type GantryApp } from '../../app/create-app';
import { createOsKeychain, type SecretStore } from '../../keychain/secret-store';

/** One lab server as `lab.sh env` describes it. */
export interface LabServer {
  name: string;
  host: string;
  port: number;
  hostKey: { fingerprint: string; publicKey: string };
  users: { root: { username: string }; deploy: { username: string; password: string } };
}

/** What `lab.sh env` prints (the parts these tests use). */
export interface LabEnv {
  hostAddress: string;
  knownHostsFile: string;
  keys: { plain: string; passphrase: { path: string; passphrase: string }; rsa: string; unauthorized: string };
  servers: Record<'dev' | 'uat' | 'prod', LabServer>;
}

const LAB = join(import.meta.dirname, '..', '..', '..', 'lab', 'lab.sh');

/** Reads the lab's connection details. */
export function labEnv(): LabEnv {
  return JSON.parse(execFileSync('bash', [LAB, 'env'], { encoding: 'utf8' })) as LabEnv;
}

/** Flips a lab fault switch (sshd-stop, sshd-start, docker-stop, docker-start, ...). */
export function labFault(server: string, action: string): void {
  execFileSync('bash', [LAB, 'fault', server, action], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
}

/** A real ssh-agent holding `keyFile`; `stop` kills it. */
export function startSshAgent(keyFile: string): { socket: string; stop(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-agent-'));
  const socket = join(dir, 'agent.sock');
  const output = execFileSync('ssh-agent', ['-s', '-a', socket], { encoding: 'utf8' });
  const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(output)?.[1]);
  const added = spawnSync('ssh-add', [keyFile], { env: { ...process.env, SSH_AUTH_SOCK: socket }, encoding: 'utf8' });
  if (added.status !== 0) throw new Error(`ssh-add failed: ${added.stderr}`);
  return {
    socket,
    stop() {
      if (pid) process.kill(pid);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An engine on a temp data folder with the real keychain under a unique test service. */
export interface TestEngine {
  app: GantryApp;
  dataDir: string;
  secrets: SecretStore;
  keychainService: string;
  /** Calls a channel through the router (as the UI would) and returns the value or throws the error value. */
  call<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  /** Calls a channel and returns its error value (fails if the call succeeded). */
  callError<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ErrorValue>;
  close(): Promise<void>;
}

/** Starts a test engine; secrets go to the real Secret Service (run under .ci/with-keyring.sh). */
export function startTestEngine(servers: AppOptions['servers'] = {}): TestEngine {
  const dataDir = mkdtempSync(join(tmpdir(), 'gantry-servers-'));
  const keychainService = `Gantry-test-${randomUUID().slice(0, 8)}`;
  const secrets = createOsKeychain(keychainService);
  const app = createApp({ dataDir, version: '0.0.0-test', secretStore: secrets, servers });
  const call = async <C extends RequestChannel>(channel: C, request: RequestOf<C>) => {
    const result = await app.router.dispatch(channel, request, { bridge: 'browser' });
    if (!result.ok) throw Object.assign(new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`), { value: result.error });
    return result.value as ResponseOf<C>;
  };
  const callError = async <C extends RequestChannel>(channel: C, request: RequestOf<C>) => {
    const result = await app.router.dispatch(channel, request, { bridge: 'browser' });
    if (result.ok) throw new Error(`${channel} was expected to fail but returned ${JSON.stringify(result.value)}`);
    return result.error;
  };
  return {
    app,
    dataDir,
    secrets,
    keychainService,
    call,
    callError,
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
