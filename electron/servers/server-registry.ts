/**
 * Server records in SQLite and their secrets in the keychain. A row holds the keychain account
 * name (`secretRef`), never the secret; the secret is written to the keychain first, so a
 * keychain that refuses means nothing is saved.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { GantryError } from '@shared/ipc/result';
import { type serverInput, serverProbe, type AuthInput, type ServerProbe, type ServerView } from '@shared/servers/server-schemas';
import type { GantryDatabase } from '../store/open-database';
import { servers } from '../store/schema';
import type { SecretStore } from '../keychain/secret-store';
import { checkPrivateKey, defaultAgentPath, type ConnectTarget, type SshCredentials } from './ssh-connect';

/** A server row as stored. */
export type ServerRow = typeof servers.$inferSelect;
/** A server as submitted, after validation and defaults. */
export type ParsedServerInput = z.output<typeof serverInput>;

const storedSecret = z.object({ password: z.string().optional(), passphrase: z.string().optional(), privateKey: z.string().optional() }).strict();
type StoredSecret = z.infer<typeof storedSecret>;

/** Records and secrets of servers; the one place that reads or writes either. */
export class ServerRegistry {
  constructor(
    private readonly db: GantryDatabase,
    private readonly secrets: SecretStore,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly now: () => number = Date.now,
  ) {}

  /** Every server, sorted by name. */
  rows(): ServerRow[] {
    return this.db.select().from(servers).all().sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One server; throws `not_found` for an unknown id. */
  row(id: string): ServerRow {
    const row = this.db.select().from(servers).where(eq(servers.id, id)).get();
    if (!row) throw new GantryError('not_found', `No server with id ${id}. It may have been deleted.`);
    return row;
  }

  /** A display label such as `uat (deploy@10.213.47.12:22)`. */
  labelOf(id: string): string {
    return labelFor(this.row(id));
  }

  /** A row as the UI sees it (no secret), with the live connection state supplied by the caller. */
  view(row: ServerRow, connection: ServerView['connection']): ServerView {
    const probe = row.lastProbeJson ? serverProbe.safeParse(JSON.parse(row.lastProbeJson)) : null;
    return {
      id: row.id,
      name: row.name,
      host: row.host,
      port: row.port,
      username: row.username,
      authMethod: row.authMethod as ServerView['authMethod'],
      keyPath: row.keyPath,
      hasStoredSecret: row.secretRef !== null,
      hostKeyFingerprint: row.hostKeyFingerprint,
      hostKeyAlgorithm: row.hostKeyAlgorithm,
      jumpHostIds: JSON.parse(row.jumpHostIdsJson) as string[],
      labels: JSON.parse(row.labelsJson) as string[],
      probe: probe?.success ? probe.data : null,
      connection,
    };
  }

  /** Saves a new server (or updates `id`); secrets go to the keychain before the row is written. */
  save(input: ParsedServerInput, id?: string, pin?: { fingerprint: string; algorithm: string }): ServerRow {
    const existing = id ? this.row(id) : null;
    const serverId = existing?.id ?? randomUUID();
    const clash = this.db.select().from(servers).where(eq(servers.name, input.name)).get();
    if (clash && clash.id !== serverId) throw new GantryError('conflict', `A server named "${input.name}" already exists. Choose another name.`, { field: 'name' });
    this.checkJumpHosts(serverId, input.jumpHostIds);

    const previous = existing?.secretRef ? this.readSecret(existing.secretRef, existing) : {};
    const secret = mergeSecret(input.auth, existing?.authMethod === input.auth.method ? previous : {});
    checkCredentials(input.auth, secret);
    const account = `server:${serverId}`;
    const hasSecret = Object.values(secret).some((value) => value !== undefined && value !== '');
    if (hasSecret) this.secrets.set(account, JSON.stringify(secret));
    else if (existing?.secretRef) this.secrets.delete(existing.secretRef);

    const addressChanged = existing && (existing.host !== input.host || existing.port !== input.port);
    const values = {
      name: input.name,
      host: input.host,
      port: input.port,
      username: input.username,
      authMethod: input.auth.method,
      keyPath: input.auth.method === 'key-file' ? input.auth.keyPath : null,
      secretRef: hasSecret ? account : null,
      jumpHostIdsJson: JSON.stringify(input.jumpHostIds),
      labelsJson: JSON.stringify([...new Set(input.labels)]),
      updatedAt: this.now(),
      // A new address is a new machine as far as trust goes: its key must be confirmed again.
      ...(pin ? { hostKeyFingerprint: pin.fingerprint, hostKeyAlgorithm: pin.algorithm } : addressChanged ? { hostKeyFingerprint: null, hostKeyAlgorithm: null } : {}),
    };
    if (existing) this.db.update(servers).set(values).where(eq(servers.id, serverId)).run();
    else this.db.insert(servers).values({ id: serverId, createdAt: this.now(), ...values }).run();
    return this.row(serverId);
  }

  /** Deletes a server and its keychain entry; refuses while another server jumps through it. */
  delete(id: string): void {
    const row = this.row(id);
    const dependants = this.rows().filter((other) => (JSON.parse(other.jumpHostIdsJson) as string[]).includes(id));
    if (dependants.length > 0) {
      throw new GantryError('conflict', `${row.name} is the jump host of ${dependants.map((d) => d.name).join(', ')}. Change their ProxyJump first.`);
    }
    if (row.secretRef) this.secrets.delete(row.secretRef);
    this.db.delete(servers).where(eq(servers.id, id)).run();
  }

  /** Pins (or re-pins) the host key of a server. */
  pinHostKey(id: string, fingerprint: string, algorithm: string): ServerRow {
    this.row(id);
    this.db.update(servers).set({ hostKeyFingerprint: fingerprint, hostKeyAlgorithm: algorithm, updatedAt: this.now() }).where(eq(servers.id, id)).run();
    return this.row(id);
  }

  /** Records the latest probe. */
  saveProbe(id: string, probe: ServerProbe): void {
    this.db.update(servers).set({ lastProbeJson: JSON.stringify(probe), lastProbeAt: probe.probedAt }).where(eq(servers.id, id)).run();
  }

  /** Servers that (directly or through another hop) jump through `id`. */
  dependantsOf(id: string): string[] {
    return this.rows()
      .filter((row) => (JSON.parse(row.jumpHostIdsJson) as string[]).includes(id))
      .map((row) => row.id);
  }

  /** Everything needed to connect to a saved server, secrets read from the keychain now. */
  resolveTarget(id: string, seen: string[] = []): ConnectTarget {
    const row = this.row(id);
    if (seen.includes(id)) throw new GantryError('invalid_request', `The ProxyJump chain of ${row.name} loops back to itself.`);
    const via = (JSON.parse(row.jumpHostIdsJson) as string[]).map((hopId) => this.resolveTarget(hopId, [...seen, id]));
    return {
      label: labelFor(row),
      host: row.host,
      port: row.port,
      username: row.username,
      credentials: this.credentialsOf(row.authMethod, row.keyPath, row.secretRef ? this.readSecret(row.secretRef, row) : {}, row.name),
      pinnedFingerprint: row.hostKeyFingerprint,
      // A hop's own hops are part of the chain too, in order.
      via: via.flatMap((hop) => [...hop.via, { ...hop, via: [] }]),
    };
  }

  /** A target for an unsaved server (the dialog's "Test connection"); an edit's stored secrets fill the gaps. */
  draftTarget(input: ParsedServerInput, existingId: string | null, pinnedFingerprint: string | null): ConnectTarget {
    const existing = existingId ? this.row(existingId) : null;
    const previous = existing?.secretRef && existing.authMethod === input.auth.method ? this.readSecret(existing.secretRef, existing) : {};
    const secret = mergeSecret(input.auth, previous);
    checkCredentials(input.auth, secret);
    this.checkJumpHosts(existingId ?? '', input.jumpHostIds);
    const via = input.jumpHostIds.map((hopId) => this.resolveTarget(hopId));
    return {
      label: `${input.name} (${input.username}@${input.host}:${input.port})`,
      host: input.host,
      port: input.port,
      username: input.username,
      credentials: this.credentialsOf(input.auth.method, input.auth.method === 'key-file' ? input.auth.keyPath : null, secret, input.name),
      pinnedFingerprint,
      via: via.flatMap((hop) => [...hop.via, { ...hop, via: [] }]),
    };
  }

  private credentialsOf(method: string, keyPath: string | null, secret: StoredSecret, name: string): SshCredentials {
    switch (method) {
      case 'key-file':
        return { method: 'key', privateKey: readKeyFile(keyPath!), passphrase: secret.passphrase, source: `file ${keyPath}` };
      case 'key-stored':
        if (!secret.privateKey) throw new GantryError('secret_missing', `The private key of ${name} is no longer in the OS keychain. Edit the server and import the key again.`);
        return { method: 'key', privateKey: Buffer.from(secret.privateKey, 'utf8'), passphrase: secret.passphrase, source: `imported for ${name} (in the keychain)` };
      case 'password':
        if (!secret.password) throw new GantryError('secret_missing', `The password of ${name} is no longer in the OS keychain. Edit the server and enter it again.`);
        return { method: 'password', password: secret.password };
      case 'agent': {
        const agentPath = defaultAgentPath(this.env);
        if (!agentPath) throw new GantryError('ssh_agent_unavailable', `${name} logs in with ssh-agent, but no agent is running (SSH_AUTH_SOCK is not set). Start ssh-agent and ssh-add your key, then start Gantry from that shell.`);
        return { method: 'agent', agentPath };
      }
      default:
        throw new GantryError('invalid_request', `Unknown login method "${method}" for ${name}.`);
    }
  }

  private readSecret(account: string, row: ServerRow): StoredSecret {
    const raw = this.secrets.get(account);
    if (raw === null) throw new GantryError('secret_missing', `The secret of ${row.name} is no longer in the OS keychain. Edit the server and enter it again.`);
    const parsed = storedSecret.safeParse(JSON.parse(raw));
    if (!parsed.success) throw new GantryError('secret_missing', `The keychain entry of ${row.name} is not one Gantry wrote. Edit the server and enter its secret again.`);
    return parsed.data;
  }

  private checkJumpHosts(serverId: string, jumpHostIds: string[]): void {
    for (const hopId of jumpHostIds) {
      if (hopId === serverId) throw new GantryError('invalid_request', 'A server cannot be its own jump host.', { field: 'jumpHostIds' });
      const hop = this.db.select().from(servers).where(eq(servers.id, hopId)).get();
      if (!hop) throw new GantryError('invalid_request', `Jump host ${hopId} does not exist. Pick one of the saved servers.`, { field: 'jumpHostIds' });
    }
  }
}

function labelFor(row: Pick<ServerRow, 'name' | 'username' | 'host' | 'port'>): string {
  return `${row.name} (${row.username}@${row.host}:${row.port})`;
}

function mergeSecret(auth: AuthInput, previous: StoredSecret): StoredSecret {
  switch (auth.method) {
    case 'key-file':
      return { passphrase: auth.passphrase || previous.passphrase };
    case 'key-stored':
      return { privateKey: auth.privateKey || previous.privateKey, passphrase: auth.privateKey ? auth.passphrase || undefined : auth.passphrase || previous.passphrase };
    case 'password':
      return { password: auth.password || previous.password };
    case 'agent':
      return {};
  }
}

function checkCredentials(auth: AuthInput, secret: StoredSecret): void {
  if (auth.method === 'password' && !secret.password) throw new GantryError('invalid_request', 'Enter the password.', { field: 'auth.password' });
  if (auth.method === 'key-stored') {
    if (!secret.privateKey) throw new GantryError('invalid_request', 'Paste the private key to import (the contents of the file, starting with -----BEGIN).', { field: 'auth.privateKey' });
    checkPrivateKey(Buffer.from(secret.privateKey, 'utf8'), secret.passphrase, 'you pasted');
  }
  if (auth.method === 'key-file') checkPrivateKey(readKeyFile(auth.keyPath), secret.passphrase, `file ${auth.keyPath}`);
}

function readKeyFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code})`;
    throw new GantryError('ssh_key_missing', `The private key file ${path} ${why}. Check the path (use the private key, not the .pub file).`, { field: 'auth.keyPath' });
  }
}
