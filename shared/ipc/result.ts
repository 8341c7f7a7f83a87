/** A value or an error, sent across IPC instead of a thrown exception (Electron keeps only `message` of a thrown error). */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorValue };

/** An error as it crosses the IPC boundary: a stable machine code and a sentence for the operator. */
export interface ErrorValue {
  code: ErrorCode;
  message: string;
  /** Optional structured details (never secrets), e.g. the failing field path or a fingerprint. */
  details?: Record<string, unknown>;
}

/** Error codes every channel may return; feature areas add their own string codes beside these. */
export type ErrorCode =
  | 'invalid_request'
  | 'unknown_channel'
  | 'untrusted_sender'
  | 'not_found'
  | 'conflict'
  | 'cancelled'
  | 'internal'
  | (string & {});

/** Builds a success value. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Builds an error value. */
export function err(code: ErrorCode, message: string, details?: Record<string, unknown>): Result<never> {
  return details ? { ok: false, error: { code, message, details } } : { ok: false, error: { code, message } };
}

/**
 * An error a handler throws on purpose: the dispatcher turns it into `{ ok: false, error }` with
 * this code and message unchanged. Any other thrown error becomes `internal`.
 */
export class GantryError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'GantryError';
  }
}
