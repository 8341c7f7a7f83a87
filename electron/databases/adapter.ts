/**
 * The one interface every database engine implements. An adapter only BUILDS commands: pure
 * functions from a resource's spec to host shell lines (`docker exec …`) and parsers of their
 * output. Whoever owns the undo (the copy-data step, the health gate) runs them on a server.
 * Passwords never appear in a command: each script reads them from the container's own
 * environment (or file, or its server's command line) inside the container.
 */
import type { DatabaseType, ResourceSpec } from '@shared/spec/resource-spec';
import type { DatabaseChecksum } from './checksum';

/** What an adapter reads of a resource: the parts of its spec that say what it runs. */
export type DatabaseSpec = Pick<ResourceSpec, 'image' | 'env' | 'labels' | 'command' | 'entrypoint'>;

/** One database container on a server: its name there and its spec. */
export interface DatabaseTarget {
  container: string;
  spec: DatabaseSpec;
}

/** How sure a detection is: `unsure` means the UI asks the operator to confirm the type. */
export type DetectionConfidence = 'sure' | 'unsure';

/** One engine's claim on a resource, with why. */
export interface DatabaseDetection {
  type: DatabaseType;
  confidence: DetectionConfidence;
  /** Human-readable evidence, e.g. "image postgres:16". */
  reason: string;
}

/** Where a password lives inside the container; never the value itself. */
export type PasswordSource =
  | { from: 'env'; name: string }
  | { from: 'env-file'; name: string }
  | { from: 'command-line'; flag: string }
  | { from: 'config-file'; path: string };

/** The credentials a container's database uses, as names and places (no secret values). */
export interface DatabaseCredentials {
  /** The user the adapter's commands connect as (not a secret), or null for the engine's default. */
  user: string | null;
  /** The database/schema the commands work on, or null for all of them / the default. */
  database: string | null;
  password: PasswordSource | null;
  /** Env variable names that hold credentials (user names and passwords): what a rotation changes. */
  credentialEnv: string[];
}

/** A dump's encoding, so a restore (or the copy step) knows what it streams. */
export type DumpFormat = 'pg-custom' | 'sql' | 'rdb' | 'mongo-archive' | 'tar';

/** The commands for one database container. Every string is one shell line for the host. */
export interface DatabaseCommands {
  /** Exits 0 only when the database answers a real query (not merely "container running"). */
  readiness: string;
  /** Prints an estimate of the dump's size in bytes; parse with `parseSize`. */
  size: string;
  /** Streams a full dump of the data to stdout (nothing written on the operator's machine). */
  dump: string;
  /** Replaces ALL the container's data with a dump read from stdin. */
  restore: string;
  /** Prints the content checksum; parse with `parseChecksum`. */
  checksum: string;
}

/**
 * How an engine changes one password in the database itself (credential rotation). Every command
 * reads its passwords from stdin, one per line, never from a command line:
 * - `set`: line 1 the new password, line 2 the password the database takes now for the user the
 *   command logs in as (`loginVariable`'s current value). Prints `retained` as its last line when
 *   the old password stays valid beside the new one (dual passwords), `replaced` otherwise.
 * - `restore` (undo): line 1 the previous password, made again the only one the database takes,
 *   line 2 the password it takes now (the new one, or already the previous one when a restarted
 *   container forgot the change).
 * - `retire`: makes the database refuse the old password once the dependants run with the new
 *   one (only where `set` retained it; line 1 unused, line 2 the login password). Null where the
 *   old password is already refused, or is refused when the database's container is recreated
 *   with the new value (an engine that keeps its password only in memory: Redis, ClickHouse's XML users).
 */
export interface PasswordChange {
  set: string;
  restore: string;
  retire: string | null;
  /** The variable whose password `set` logs in with (its value now is stdin line 2); null: no password needed (a local trusted socket). */
  loginVariable: string | null;
  /** What the change does, for the run's log: e.g. "ALTER USER … RETAIN CURRENT PASSWORD (MySQL 8.0.14+), else ALTER USER". */
  describe: string;
}

/** One engine. */
export interface DatabaseAdapter {
  readonly type: DatabaseType;
  /** The engine's name for messages. */
  readonly label: string;
  readonly dumpFormat: DumpFormat;
  /** True when a restore restarts the container (the caller waits for readiness afterwards). */
  readonly restoreRestartsContainer: boolean;
  /** This engine's claim on a resource, or null when nothing points at it. */
  detect(spec: DatabaseSpec): DatabaseDetection | null;
  /** Where the container keeps its credentials. */
  credentials(spec: DatabaseSpec): DatabaseCredentials;
  /** The shell lines for a container; throws `DatabaseAdapterError` when the spec lacks what they need. */
  commands(target: DatabaseTarget): DatabaseCommands;
  /**
   * The commands that change the password `variable` holds (one of `credentials().credentialEnv`),
   * or throws `DatabaseAdapterError` saying why this engine or variable cannot be rotated.
   */
  passwordChange(target: DatabaseTarget, variable: string): PasswordChange;
  /** Reads the output of `commands().size`. */
  parseSize(stdout: string): number;
  /** Reads the output of `commands().checksum` into the comparable structure. */
  parseChecksum(stdout: string): DatabaseChecksum;
}

/** A command cannot be built or its output cannot be read; the message says which and why. */
export class DatabaseAdapterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseAdapterError';
  }
}
