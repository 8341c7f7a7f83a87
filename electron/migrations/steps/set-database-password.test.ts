/**
 * The rotation's password step against a FAKE server (it records each command and what it read on
 * stdin) and an in-memory keychain: the passwords are in the keychain before the database is
 * changed, a run resumed from the masked journal refuses, an undo after a crash works from the
 * keychain alone (logging in with the new password, or the old one when a restarted container
 * forgot the change), and the keychain forgets the run when it is finalized or undone. The lab
 * test (`electron/databases/rotation.int.test.ts`) is the proof on real databases.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type Dockerode from 'dockerode';
import type { PlannedResource } from '@shared/migration/plan';
import type { StepOf } from '@shared/migration/steps';
import { MASK } from '@shared/redact';
import { specWith } from '@shared/migration/test-fixtures';
import type { SecretStore } from '../../keychain/secret-store';
import type { ExecResult, RemoteHost, RemoteProcess } from '../../servers/remote-host';
import type { ExecutionContext } from './step-context';
import { setDatabasePasswordStep } from './set-database-password';

const MIGRATION = '99999999-2222-3333-4444-555555555555';

/** A FAKE server: `docker inspect` answers the container's env; every spawned command is recorded with its stdin and answered by `reply`. */
class PasswordHost implements Partial<RemoteHost> {
  readonly label = 'fake-prod';
  readonly spawned: { command: string; stdin: string; keychainHad: string | null }[] = [];
  constructor(
    private readonly env: Record<string, string>,
    private readonly reply: (command: string, stdin: string) => { code: number; stdout?: string },
    private readonly keychain: SecretStore,
  ) {}
  async exec(command: string): Promise<ExecResult> {
    if (command.startsWith('docker inspect --format \'{{json .Config.Env}}\'')) return { code: 0, stdout: JSON.stringify(Object.entries(this.env).map(([key, value]) => `${key}=${value}`)), stderr: '' };
    return { code: 0, stdout: '', stderr: '' };
  }
  async spawn(command: string): Promise<RemoteProcess> {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let text = '';
    stdin.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const done = new Promise<{ code: number; stderr: string }>((resolve) =>
      stdin.on('end', () => {
        this.spawned.push({ command, stdin: text, keychainHad: this.keychain.get(`rotation:${MIGRATION}`) });
        const answer = this.reply(command, text);
        stdout.end(answer.stdout ?? '');
        resolve({ code: answer.code, stderr: answer.code === 0 ? '' : 'ERROR 1045 (28000): Access denied' });
      }),
    );
    return { stdin, stdout, done, kill: () => undefined };
  }
  docker(): Dockerode {
    throw new Error('not used');
  }
}

function memoryKeychain(): SecretStore & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return { entries, set: (account, secret) => void entries.set(account, secret), get: (account) => entries.get(account) ?? null, delete: (account) => void entries.delete(account) };
}

const OLD = { MYSQL_ROOT_PASSWORD: 'old-root', MYSQL_PASSWORD: 'old-app' };
const NEXT = 'N3wN3wN3wN3wN3wN3wN3wN3wN3wN3wAB';

function db(env: Record<string, string>): PlannedResource {
  return {
    resourceId: 'db', name: 'db', kind: 'database', mode: 'promote', unchanged: false, addedAsDependency: false,
    source: { uuid: 'db', containerName: 'production-db', hostnames: [] }, target: { uuid: 'db', containerName: 'production-db', hostnames: [] },
    desiredSpec: specWith({ image: { ref: 'mysql:8.4', id: null, digest: null }, env: { MYSQL_DATABASE: 'shop', MYSQL_USER: 'app', ...env } }),
    volumesToCreate: [], scheduledTasks: [], linksToCreate: [], tags: [],
  };
}

function contextOf(host: PasswordHost, resource: PlannedResource, secrets: SecretStore | undefined): ExecutionContext {
  return {
    migrationId: MIGRATION, source: host as unknown as RemoteHost, target: host as unknown as RemoteHost, resources: new Map([['db', resource]]), labelsFor: () => ({}),
    waitForReady: true, healthTimeoutMs: 1000, httpCheckPath: null, warnings: [],
    ...(secrets ? { secrets } : {}),
    local: { recordResource: async () => ({ previous: null, historyId: null, hash: 'h' }), currentRecord: () => null, undoRecordResource: () => undefined, forgetInstance: () => null, restoreInstance: () => undefined },
  };
}

const step = (variable: string): StepOf<'set-database-password'> => ({ id: `set-database-password:db:${variable}`, kind: 'set-database-password', title: 't', resourceId: 'db', undo: 'u', params: { containerName: 'production-db', resourceName: 'db', variable } });
const job = { signal: new AbortController().signal, log: () => undefined, progress: () => undefined, throwIfCancelled: () => undefined, checkpoint: () => undefined };

describe('set-database-password', () => {
  it('keeps both passwords in the keychain before it changes the database, and sends them on stdin (new, then the login password)', async () => {
    const keychain = memoryKeychain();
    const host = new PasswordHost(OLD, () => ({ code: 0, stdout: 'retained\n' }), keychain);
    const result = await setDatabasePasswordStep.run(step('MYSQL_PASSWORD'), contextOf(host, db({ ...OLD, MYSQL_PASSWORD: NEXT }), keychain), job);
    expect(result).toEqual({ changed: true, retained: true });
    expect(host.spawned).toHaveLength(1);
    expect(host.spawned[0]!.stdin).toBe(`${NEXT}\nold-root\n`);
    expect(host.spawned[0]!.command).not.toContain(NEXT);
    expect(JSON.parse(host.spawned[0]!.keychainHad!)).toEqual({ format: 1, variables: { MYSQL_PASSWORD: { old: 'old-app', next: NEXT } } });
  });

  it('refuses without a keychain, and in a run resumed from the masked journal without one, before any command', async () => {
    const host = new PasswordHost(OLD, () => ({ code: 0 }), memoryKeychain());
    await expect(setDatabasePasswordStep.run(step('MYSQL_PASSWORD'), contextOf(host, db({ ...OLD, MYSQL_PASSWORD: NEXT }), undefined), job)).rejects.toThrow(/needs the OS keychain/);
    await expect(setDatabasePasswordStep.run(step('MYSQL_PASSWORD'), contextOf(host, db({ ...OLD, MYSQL_PASSWORD: MASK }), memoryKeychain()), job)).rejects.toThrow(/a resumed run cannot know it/);
    expect(host.spawned).toEqual([]);
  });

  it('after a crash, undoes from the keychain alone: the old password back, logging in with the new one, then with the old one if the database already forgot the change', async () => {
    const keychain = memoryKeychain();
    keychain.set(`rotation:${MIGRATION}`, JSON.stringify({ format: 1, variables: { MYSQL_ROOT_PASSWORD: { old: 'old-root', next: NEXT } } }));
    // The journal's spec is masked; the database refuses the new password (a restarted container took the old one).
    const host = new PasswordHost(OLD, (_command, stdin) => ({ code: stdin.endsWith(`${NEXT}\n`) ? 1 : 0, stdout: 'replaced' }), keychain);
    await setDatabasePasswordStep.undo!(step('MYSQL_ROOT_PASSWORD'), contextOf(host, db({ MYSQL_ROOT_PASSWORD: MASK, MYSQL_PASSWORD: MASK }), keychain), { changed: true });
    expect(host.spawned.map((call) => call.stdin)).toEqual([`old-root\n${NEXT}\n`, 'old-root\nold-root\n']);
    expect(host.spawned[0]!.command).not.toContain('RETAIN');
    expect(keychain.entries.size).toBe(0);
  });

  it('an undo that cannot log in keeps the keychain entry (the passwords are still needed) and fails', async () => {
    const keychain = memoryKeychain();
    keychain.set(`rotation:${MIGRATION}`, JSON.stringify({ format: 1, variables: { MYSQL_ROOT_PASSWORD: { old: 'old-root', next: NEXT } } }));
    const host = new PasswordHost(OLD, () => ({ code: 1 }), keychain);
    await expect(setDatabasePasswordStep.undo!(step('MYSQL_ROOT_PASSWORD'), contextOf(host, db({ MYSQL_ROOT_PASSWORD: MASK }), keychain), { changed: true })).rejects.toThrow(/Could not put the previous MYSQL_ROOT_PASSWORD of db back on fake-prod: ERROR 1045/);
    expect(keychain.entries.size).toBe(1);
  });

  it('once the run completed, MySQL discards the retained old password (logging in with the new one) and the keychain forgets the run', async () => {
    const keychain = memoryKeychain();
    keychain.set(`rotation:${MIGRATION}`, JSON.stringify({ format: 1, variables: { MYSQL_ROOT_PASSWORD: { old: 'old-root', next: NEXT } } }));
    const host = new PasswordHost({ ...OLD, MYSQL_ROOT_PASSWORD: NEXT }, () => ({ code: 0 }), keychain);
    const lines: string[] = [];
    await setDatabasePasswordStep.finalize!(step('MYSQL_ROOT_PASSWORD'), contextOf(host, db({ MYSQL_ROOT_PASSWORD: NEXT }), keychain), (_level, message) => void lines.push(message));
    expect(host.spawned).toHaveLength(1);
    expect(host.spawned[0]!.command).toContain('DISCARD OLD PASSWORD');
    expect(host.spawned[0]!.stdin).toBe(`\n${NEXT}\n`);
    expect(lines).toEqual(['production-db refuses the old MYSQL_ROOT_PASSWORD from now on (its dependants run with the new one)']);
    expect(keychain.entries.size).toBe(0);
  });
});
