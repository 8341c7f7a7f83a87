/**
 * What one Gantry keeps about approvals on its own machine, in its data folder (never SQLite):
 * the operator's signing identity (a key file, its passphrase in the OS keychain, or an ssh-agent
 * key) and the policy it pinned per server, like a pinned host key. Neither decides a run on its
 * own: the pin is the trust anchor every server policy is checked against, the identity only signs.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { GantryError } from '@shared/ipc/result';
import { policyFile, principal, publicKeyLine, type PolicyFile } from '@shared/approvals/documents';
import type { SecretStore } from '../keychain/secret-store';
import type { Identity } from './sign-documents';
import { agentKeys, agentSigner, keyFileSigner } from './sshsig';

const identityFile = z.discriminatedUnion('kind', [
  z.object({ format: z.literal(1), kind: z.literal('key-file'), principal, keyPath: z.string().min(1).max(4096), passphraseRef: z.string().max(200).nullable() }).strict(),
  z.object({ format: z.literal(1), kind: z.literal('agent'), principal, publicKey: publicKeyLine }).strict(),
]);
/** The operator's signing identity as stored (no secret in it). */
export type IdentitySetting = z.infer<typeof identityFile>;

const pinsFile = z.object({ format: z.literal(1), pins: z.record(z.string(), z.object({ policy: policyFile, pinnedAt: z.string() }).strict()) }).strict();

/** The approvals files of one data folder. */
export class ApprovalsLocalState {
  private readonly dir: string;

  constructor(
    dataDir: string,
    private readonly secrets: SecretStore,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.dir = join(dataDir, 'approvals');
  }

  /** The stored identity setting, or null. */
  identitySetting(): IdentitySetting | null {
    const value = this.read('identity.json');
    if (value === null) return null;
    const parsed = identityFile.safeParse(value);
    if (!parsed.success) throw new GantryError('identity_unreadable', `The signing identity in ${join(this.dir, 'identity.json')} cannot be read; set it again in Approvals.`);
    return parsed.data;
  }

  /** Saves the identity (a passphrase goes to the OS keychain); checks first that it can sign. */
  saveIdentity(setting: { principal: string; keyPath?: string | undefined; passphrase?: string | undefined; agentPublicKey?: string | undefined }): IdentitySetting {
    let stored: IdentitySetting;
    if ((setting.keyPath === undefined) === (setting.agentPublicKey === undefined)) throw new GantryError('invalid_identity', 'Give either a key file or an ssh-agent public key.');
    if (setting.keyPath !== undefined) {
      const ref = setting.passphrase ? `approval-key:${setting.principal}` : null;
      try {
        keyFileSigner(readKey(setting.keyPath), setting.passphrase);
      } catch (error) {
        if (error instanceof GantryError) throw error;
        throw new GantryError('identity_unusable', `${setting.keyPath} cannot sign: ${(error as Error).message}`);
      }
      if (ref && setting.passphrase) this.secrets.set(ref, setting.passphrase);
      stored = { format: 1, kind: 'key-file', principal: setting.principal, keyPath: setting.keyPath, passphraseRef: ref };
    } else {
      stored = { format: 1, kind: 'agent', principal: setting.principal, publicKey: (setting.agentPublicKey ?? '').trim().split(/\s+/).slice(0, 2).join(' ') };
    }
    const parsed = identityFile.safeParse(stored);
    if (!parsed.success) throw new GantryError('invalid_identity', 'That is not an SSH public key line (ssh-ed25519, ecdsa-sha2-… or ssh-rsa, then the key).');
    this.write('identity.json', parsed.data);
    return stored;
  }

  /** The identity to sign with; refused with what to do when none is set up. */
  identity(): Identity {
    const setting = this.identitySetting();
    if (!setting) throw new GantryError('no_identity', 'Set up your signing key in Approvals first (a key file or an ssh-agent key).');
    if (setting.kind === 'agent') {
      const socket = this.env.SSH_AUTH_SOCK;
      if (!socket) throw new GantryError('no_agent', 'Your signing key is in ssh-agent, but SSH_AUTH_SOCK is not set for Gantry.');
      return { principal: setting.principal, signer: agentSigner(socket, setting.publicKey) };
    }
    const passphrase = setting.passphraseRef ? (this.secrets.get(setting.passphraseRef) ?? undefined) : undefined;
    try {
      return { principal: setting.principal, signer: keyFileSigner(readKey(setting.keyPath), passphrase) };
    } catch (error) {
      throw new GantryError('identity_unusable', `Your signing key ${setting.keyPath} cannot sign: ${(error as Error).message}`);
    }
  }

  /** The keys the operator's ssh-agent holds (SSH_AUTH_SOCK of Gantry's environment), or why none can be listed. */
  async agentKeys(): Promise<{ keys: string[]; problem: string | null }> {
    const socket = this.env.SSH_AUTH_SOCK;
    if (!socket) return { keys: [], problem: 'No ssh-agent: SSH_AUTH_SOCK is not set for Gantry. Start Gantry from a session with an agent, or use a key file.' };
    try {
      const keys = await agentKeys(socket);
      return { keys, problem: keys.length === 0 ? 'The ssh-agent holds no key: add one with ssh-add.' : null };
    } catch (error) {
      return { keys: [], problem: `The ssh-agent at ${socket} cannot be asked: ${(error as Error).message}` };
    }
  }

  /** The policy this Gantry pinned for a server, or null. */
  pinned(serverId: string): PolicyFile | null {
    return this.pins().pins[serverId]?.policy ?? null;
  }

  /** The servers this Gantry pinned a policy for. */
  pinnedServers(): string[] {
    return Object.keys(this.pins().pins);
  }

  /** Pins (or re-pins) a server's policy. */
  pin(serverId: string, policy: PolicyFile): void {
    const pins = this.pins();
    pins.pins[serverId] = { policy, pinnedAt: new Date().toISOString() };
    this.write('pins.json', pins);
  }

  private pins(): z.infer<typeof pinsFile> {
    const value = this.read('pins.json');
    if (value === null) return { format: 1, pins: {} };
    const parsed = pinsFile.safeParse(value);
    if (!parsed.success) throw new GantryError('pins_unreadable', `The pinned approval policies in ${join(this.dir, 'pins.json')} cannot be read.`);
    return parsed.data;
  }

  private read(name: string): unknown {
    const path = join(this.dir, name);
    if (!existsSync(path)) return null;
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as unknown;
    } catch {
      return undefined;
    }
  }

  private write(name: string, value: unknown): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const path = join(this.dir, name);
    writeFileSync(`${path}.tmp`, JSON.stringify(value, null, 2), { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
  }
}

function readKey(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new GantryError('identity_unusable', `Cannot read the key file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
