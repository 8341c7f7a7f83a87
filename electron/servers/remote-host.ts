import type { Readable, Writable } from 'node:stream';
import type Dockerode from 'dockerode';

/** The result of a finished remote command. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A remote command whose input and output are streams (image transfer, lock holding). */
export interface RemoteProcess {
  stdin: Writable;
  stdout: Readable;
  /** Settles when the command ends, with its exit code and (bounded) stderr. */
  done: Promise<{ code: number; stderr: string }>;
  /** Stops the command (closes its channel). */
  kill(): void;
}

/**
 * What the migration engine needs of one server: commands and Docker, all over the server's
 * single pooled SSH connection, each cancellable through its signal.
 */
export interface RemoteHost {
  /** A name for messages, e.g. "uat (10.213.47.12)". */
  readonly label: string;
  exec(command: string, options: { signal?: AbortSignal }): Promise<ExecResult>;
  spawn(command: string, options: { signal?: AbortSignal }): Promise<RemoteProcess>;
  docker(): Dockerode;
}

/** Quotes one argument for a POSIX shell on the server. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
