import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { redactSecrets } from '@shared/redact';

/** Structured log lines; values are passed through secret redaction before they are written. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger that appends JSON lines to `file` (and mirrors warnings and errors to stderr). */
export function createFileLogger(file: string, mirror: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const write = (level: string, message: string, fields?: Record<string, unknown>) => {
    const line = JSON.stringify({ at: new Date().toISOString(), level, message: redactSecrets(message), ...redactFields(fields) }) + '\n';
    appendFileSync(file, line, { mode: 0o600 });
    if (level !== 'info') mirror(line);
  };
  return {
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}

function redactFields(fields?: Record<string, unknown>): Record<string, unknown> {
  if (!fields) return {};
  return JSON.parse(redactSecrets(JSON.stringify(fields, errorReplacer))) as Record<string, unknown>;
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}
