/**
 * Typed access to the Gantry lab (three real servers: dev, uat, prod) for integration tests and
 * benchmarks. Reads the lab's details from `bash lab/lab.sh env` and flips its fault switches.
 * Never imports the app: the lab is test infrastructure only.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Absolute path of lab/lab.sh. */
export const LAB_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'lab.sh');

/** The lab's servers, in promotion order. */
export const LAB_SERVER_NAMES = ['dev', 'uat', 'prod'] as const;

/** One of the lab's servers. */
export type LabServerName = (typeof LAB_SERVER_NAMES)[number];

/** Fault switches `lab.sh fault <server> <action>` understands; each has an opposite. */
export type LabFaultAction =
  | 'sshd-stop'
  | 'sshd-start'
  | 'ssh-drop'
  | 'docker-stop'
  | 'docker-start'
  | 'net-cut'
  | 'net-restore'
  | 'net-slow'
  | 'net-fast'
  | 'disk-fill'
  | 'disk-free';

/** How to reach one lab server and what it holds. */
export interface LabServer {
  name: LabServerName;
  /** Address on the lab subnet (reachable from the host and from the other servers). */
  host: string;
  port: number;
  /** Host alias in the `sshConfig` snippet (root); `${sshAlias}-deploy` logs in as deploy. */
  sshAlias: string;
  running: boolean;
  hostKey: {
    /** As OpenSSH prints it: `SHA256:` + unpadded base64. */
    fingerprint: string;
    /** `ssh-ed25519 AAAA...` (type and base64 blob). */
    publicKey: string;
  };
  users: {
    root: { username: 'root'; home: string };
    /** Non-root, in the docker group; key login and password login. */
    deploy: { username: 'deploy'; home: string; password: string; groups: string[] };
  };
  /** The server's Docker socket as a host path (lab setup and test assertions only). */
  dockerSocket: string;
  dockerHost: string;
  dockerDataRoot: string;
  /** Named network namespace of the server (`ip -n <netns> ...`). */
  netns: string;
  stateDir: string;
  /** Image tags present in the server's engine after `up`. */
  images: string[];
}

/** Everything `lab.sh env` reports. */
export interface LabDetails {
  version: 1;
  subnet: string;
  /** The host's own address on the lab subnet. */
  hostAddress: string;
  hostInterface: string;
  stateDir: string;
  cacheDir: string;
  labScript: string;
  /** known_hosts with every server's host key (by address, `gantry-<name>` and `<name>`). */
  knownHostsFile: string;
  keys: {
    /** Unencrypted ed25519 key authorized for root and deploy everywhere. */
    plain: string;
    /** Passphrase-protected ed25519 key authorized for root and deploy everywhere. */
    passphrase: { path: string; passphrase: string };
    /** RSA key authorized for root and deploy everywhere. */
    rsa: string;
    /** A valid key authorized nowhere (for wrong-key tests). */
    unauthorized: string;
    /** The key servers use to reach each other as root. */
    serverToServer: string;
  };
  servers: Record<LabServerName, LabServer>;
  /** ssh_config snippet: Host gantry-<name> (root) and gantry-<name>-deploy. */
  sshConfig: string;
  /** host:port of the image registry on dev (plain HTTP; every server's dockerd trusts it). */
  registry: string;
  /** The lab's domains: a DNS on the host's lab address, and prod's Caddy getting certificates from Pebble. */
  domains: {
    /** `gantry-lab.test`; each server's base domain is `<server>.gantry-lab.test`. */
    base: string;
    /** Where every server's resolver points (dnsmasq). */
    dns: string;
    servers: Record<LabServerName, string>;
    proxy: { server: LabServerName; kind: 'caddy-admin'; container: string; adminApi: string; acmeDirectory: string; pebbleRoots: string };
  };
}

async function runLab(args: string[], timeoutMs: number): Promise<string> {
  try {
    const { stdout } = await execFileAsync('bash', [LAB_SCRIPT, ...args], {
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(`lab.sh ${args.join(' ')} failed: ${failure.stderr?.trim() || failure.message}`, {
      cause: error,
    });
  }
}

/** Reads the lab's connection details (`bash lab/lab.sh env`). */
export async function labDetails(): Promise<LabDetails> {
  return JSON.parse(await runLab(['env'], 60_000)) as LabDetails;
}

/** Flips one fault switch on a server and resolves once it has taken effect. */
export async function labFault(server: LabServerName, action: LabFaultAction): Promise<void> {
  await runLab(['fault', server, action], 120_000);
}

/** SHA256 fingerprint of a raw SSH public key blob, formatted as OpenSSH prints it. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** An ssh2 `hostVerifier` that accepts only the given server's host key. */
export function labHostVerifier(server: LabServer): (key: Buffer) => boolean {
  return (key) => sshFingerprint(key) === server.hostKey.fingerprint;
}

/** Which of the lab's client keys to log in with. */
export type LabKeyKind = 'plain' | 'passphrase' | 'rsa' | 'unauthorized';

/** ssh2 connect options for a lab server, verifying its host key. */
export function labSshOptions(
  lab: LabDetails,
  server: LabServerName,
  options: { user?: 'root' | 'deploy'; key?: LabKeyKind | 'none'; password?: boolean } = {},
): {
  host: string;
  port: number;
  username: string;
  privateKey?: Buffer;
  passphrase?: string;
  password?: string;
  hostVerifier: (key: Buffer) => boolean;
  readyTimeout: number;
} {
  const target = lab.servers[server];
  const user = options.user ?? 'root';
  const key = options.key ?? (options.password ? 'none' : 'plain');
  const config: ReturnType<typeof labSshOptions> = {
    host: target.host,
    port: target.port,
    username: user,
    hostVerifier: labHostVerifier(target),
    readyTimeout: 15_000,
  };
  if (key === 'passphrase') {
    config.privateKey = readFileSync(lab.keys.passphrase.path);
    config.passphrase = lab.keys.passphrase.passphrase;
  } else if (key !== 'none') {
    config.privateKey = readFileSync(key === 'plain' ? lab.keys.plain : lab.keys[key]);
  }
  if (options.password) config.password = target.users.deploy.password;
  return config;
}

declare module 'vitest' {
  /** Provided by lab/global-setup.ts: `inject('lab')`. */
  export interface ProvidedContext {
    lab: LabDetails;
  }
}
