/**
 * The shell lines of a backup on the database's own server: dump into a file while hashing the
 * stream, re-read the file's SHA-256, and prove the file readable by the engine's own tool. Pure
 * (unit-tested without a server); `backup.ts` runs them.
 */
import type { DumpFormat } from './adapter';
import { shellQuote } from './container-shell';

/** The file extension of each dump format. */
export const dumpExtension: Record<DumpFormat, string> = { 'pg-custom': 'pgdump', sql: 'sql', rdb: 'rdb', 'mongo-archive': 'archive', tar: 'tar' };

/**
 * Runs the adapter's dump into `<file>.partial` (mode 600) and prints the SHA-256 of the stream as
 * it was produced; the file gets its name only when the dump exited 0. The dump's exit code is
 * kept in a side file because a plain POSIX shell has no pipefail.
 */
export function dumpToFileCommand(dump: string, file: string): string {
  const f = shellQuote(file);
  const partial = shellQuote(`${file}.partial`);
  const rc = shellQuote(`${file}.rc`);
  return [
    'umask 077',
    `mkdir -p "$(dirname ${f})"`,
    `{ ${dump}; echo $? > ${rc}; } | tee ${partial} | sha256sum | cut -d ' ' -f 1`,
    `code=$(cat ${rc} 2>/dev/null || echo 1)`,
    `rm -f ${rc}`,
    `if [ "$code" != 0 ]; then rm -f ${partial}; echo "the dump exited with code $code" >&2; exit 3; fi`,
    `mv ${partial} ${f}`,
  ].join('; ');
}

/** Prints the file's SHA-256 read back from disk, then its size in bytes. */
export function rereadCommand(file: string): string {
  const f = shellQuote(file);
  return `sha256sum ${f} | cut -d ' ' -f 1 && wc -c < ${f}`;
}

/** A readability proof: the command (exit 0 = readable) and how to say what it proved. */
export interface ReadabilityCheck {
  command: string;
  describe(stdout: string): string;
}

const count = (stdout: string) => Number.parseInt(stdout.trim().split('\n').pop() ?? '', 10) || 0;

/**
 * How a dump of each format is proved readable: the engine's own reader inside the database's
 * container (`pg_restore --list`, `redis-check-rdb`, `mongorestore --dryRun`), or the file's
 * structure where the format is text or an archive (the dump's completion line, the tar index).
 */
export function readabilityCheck(format: DumpFormat, container: string, file: string): ReadabilityCheck {
  const f = shellQuote(file);
  const c = shellQuote(container);
  switch (format) {
    case 'pg-custom':
      return {
        command: `out=$(docker exec -i ${c} pg_restore --list < ${f}) || exit 3; printf '%s\\n' "$out" | grep -v '^;' | grep -c . || true`,
        describe: (stdout) => `pg_restore --list read ${count(stdout)} entries`,
      };
    case 'sql':
      return {
        command: `tail -c 400 ${f} | grep -q -- '-- Dump completed' || { echo 'the dump has no completion line (it stopped early)' >&2; exit 3; }; grep -c '^CREATE TABLE' ${f} || true`,
        describe: (stdout) => `the SQL dump is complete (${count(stdout)} CREATE TABLE statements)`,
      };
    case 'rdb':
      return {
        command: `[ "$(head -c 5 ${f})" = REDIS ] || { echo 'the file does not start with the RDB signature' >&2; exit 3; }; docker exec -i ${c} sh -c ${shellQuote('command -v redis-check-rdb >/dev/null || { echo signature-only; exit 0; }; t=$(mktemp); cat > "$t"; redis-check-rdb "$t" >/dev/null 2>&1; r=$?; rm -f "$t"; [ $r = 0 ] && echo checked; exit $r')} < ${f}`,
        describe: (stdout) => (stdout.includes('checked') ? 'redis-check-rdb read the whole file' : 'the file has the RDB signature (redis-check-rdb is not in the image)'),
      };
    case 'tar':
      return {
        command: `tar -tf ${f} > /dev/null || exit 3; tar -tf ${f} | grep -c '\\.sql$' || true`,
        describe: (stdout) => `the archive lists ${count(stdout)} tables`,
      };
    case 'mongo-archive':
      return {
        command: `docker exec -i ${c} mongorestore --archive --dryRun --quiet < ${f} || exit 3; echo ok`,
        describe: () => 'mongorestore --dryRun read the archive',
      };
  }
}
