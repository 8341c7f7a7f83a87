/**
 * The strongest proof a backup is sound: restored into a throwaway container on the database's
 * own server (the same image, no network, removed afterwards), the throwaway holds the content
 * checksum the live database had when it was backed up. Done for the engines where that is cheap
 * — PostgreSQL (a reader like `pg_restore --list` accepts dumps that do not restore: an index on a
 * function that depends on the search path, say) and Redis — and for backups up to
 * `THROWAWAY_MAX_BYTES`; the others keep their reader's proof.
 */
import { randomBytes } from 'node:crypto';
import { GantryError } from '@shared/ipc/result';
import { gantryLabels } from '@shared/spec/resource-spec';
import { shellQuote, type RemoteHost } from '../servers/remote-host';
import type { DatabaseAdapter, DatabaseSpec, DatabaseTarget } from './adapter';
import type { DatabaseChecksum } from './checksum';
import { inContainer } from './container-shell';

/** Past this size a throwaway restore is not cheap any more: the reader's proof stands alone. */
export const THROWAWAY_MAX_BYTES = 2 * 1024 ** 3;

/** How a throwaway of one engine is started and known ready. */
interface Throwaway {
  /** The throwaway's env: the same user and database names, no password (it has no network). */
  env(spec: DatabaseSpec): Record<string, string>;
  /** Extra shell check (inside the throwaway) that the server is the final one, not an init phase's. */
  ready(spec: DatabaseSpec): string | null;
}

const throwaways: Partial<Record<DatabaseAdapter['type'], Throwaway>> = {
  postgresql: {
    env: (spec) => ({
      POSTGRES_USER: spec.env.POSTGRES_USER || spec.env.POSTGRESQL_USERNAME || 'postgres',
      POSTGRES_DB: spec.env.POSTGRES_DB || spec.env.POSTGRESQL_DATABASE || spec.env.POSTGRES_USER || 'postgres',
      POSTGRES_HOST_AUTH_METHOD: 'trust',
      POSTGRES_PASSWORD: '',
    }),
    // The official image's init phase runs a temporary server on the socket only.
    ready: (spec) => `test -n "$(psql -XtA -U ${shellQuote(spec.env.POSTGRES_USER || 'postgres')} -d ${shellQuote(spec.env.POSTGRES_DB || spec.env.POSTGRES_USER || 'postgres')} -c 'SHOW listen_addresses')"`,
  },
  // Redis needs no password without a network; the restore replaces the RDB file and restarts the throwaway.
  redis: { env: () => ({}), ready: () => null },
};

/** Whether a backup of this engine and size is restored into a throwaway to be verified. */
export function verifiesByRestore(type: DatabaseAdapter['type'], sizeBytes: number): boolean {
  return throwaways[type] !== undefined && sizeBytes <= THROWAWAY_MAX_BYTES;
}

async function exec(host: RemoteHost, command: string, what: string, signal?: AbortSignal): Promise<string> {
  const result = await host.exec(command, signal ? { signal } : {});
  if (result.code !== 0) throw new GantryError('backup_unverified', `The backup could not be ${what} on ${host.label}: ${result.stderr.trim().split('\n').slice(-2).join(' ') || `exit code ${result.code}`}. Nothing was changed.`);
  return result.stdout;
}

/**
 * Restores `file` into a throwaway container from `target`'s image and returns its content
 * checksum. Throws `backup_unverified` when the file does not restore. The throwaway carries the
 * run's migration label (a crash's leftover is found by recovery's check) and is always removed.
 */
export async function throwawayChecksum(host: RemoteHost, adapter: DatabaseAdapter, target: DatabaseTarget, file: string, migrationId: string, signal?: AbortSignal): Promise<DatabaseChecksum> {
  const kind = throwaways[adapter.type];
  if (!kind) throw new GantryError('backup_unverified', `${adapter.label} backups are not restored into a throwaway container.`);
  const name = `gantry-verify-${migrationId.slice(0, 8)}-${randomBytes(3).toString('hex')}`;
  const image = (await exec(host, `docker inspect --format '{{.Image}}' ${shellQuote(target.container)}`, 'restored (the database’s image is unknown)', signal)).trim();
  const env = kind.env(target.spec);
  const spec: DatabaseSpec = { image: target.spec.image, env, labels: {}, command: null, entrypoint: null };
  const throwaway: DatabaseTarget = { container: name, spec };
  const commands = adapter.commands(throwaway);
  const envFlags = Object.entries(env).map(([key, value]) => `-e ${shellQuote(`${key}=${value}`)}`).join(' ');
  try {
    await exec(host, `docker run -d --name ${shellQuote(name)} --network none --label ${shellQuote(`${gantryLabels.migration}=${migrationId}`)} ${envFlags} ${shellQuote(image)} >/dev/null`, 'restored (a throwaway container did not start)', signal);
    const extra = kind.ready(target.spec);
    const ready = extra ? `${commands.readiness} && ${inContainer(name, extra)}` : commands.readiness;
    await waitReady(host, ready, name, signal);
    await exec(host, `${commands.restore} < ${shellQuote(file)}`, 'restored into a throwaway container', signal);
    if (adapter.restoreRestartsContainer) await waitReady(host, commands.readiness, name, signal);
    return adapter.parseChecksum(await exec(host, commands.checksum, 'read back from its throwaway container', signal));
  } finally {
    await host.exec(`docker rm -fv ${shellQuote(name)} >/dev/null 2>&1; true`, {}).catch(() => undefined);
  }
}

async function waitReady(host: RemoteHost, readiness: string, name: string, signal?: AbortSignal): Promise<void> {
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    if ((await host.exec(readiness, signal ? { signal } : {})).code === 0) return;
    signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const state = await host.exec(`docker inspect --format '{{.State.Status}} (exit {{.State.ExitCode}})' ${shellQuote(name)}; docker logs --tail 2 ${shellQuote(name)} 2>&1 | cut -c 1-200`, {}).catch(() => null);
  const seen = state ? ` (${state.stdout.trim().split('\n').join('; ')})` : '';
  throw new GantryError('backup_unverified', `The throwaway container ${name} on ${host.label} did not answer within 90 s${seen}, so the backup could not be restored to be verified. Nothing was changed.`);
}
