/**
 * The content checksum two servers compute independently and Gantry compares: one entry per
 * table (SQL, ClickHouse), collection (MongoDB) or key (Redis family), each with a count and a
 * hash. Parsed with zod at the edge, as everything read from a server.
 */
import { z } from 'zod';
import { databaseType } from '@shared/spec/resource-spec';
import { DatabaseAdapterError } from './adapter';

/** One table / collection / key: its row (element) count and content hash. */
export const checksumEntry = z.object({
  name: z.string(),
  count: z.number().int().nonnegative(),
  hash: z.string().min(1),
});

/** A database's checksum, entries sorted by name. */
export const databaseChecksum = z.object({
  version: z.literal(1),
  type: databaseType,
  entries: z.array(checksumEntry),
});

/** One entry of a checksum. */
export type ChecksumEntry = z.infer<typeof checksumEntry>;
/** A database's checksum. */
export type DatabaseChecksum = z.infer<typeof databaseChecksum>;

/** One entry that differs: missing on a side (null) or with another count or hash. */
export interface ChecksumDifference {
  name: string;
  source: ChecksumEntry | null;
  target: ChecksumEntry | null;
}

/** The result of comparing source with target. */
export interface ChecksumComparison {
  equal: boolean;
  /** Entries on both sides. */
  entries: number;
  differences: ChecksumDifference[];
}

/** Builds a checksum from entries (sorted, duplicates from a SCAN collapsed, validated). */
export function checksumOf(type: z.infer<typeof databaseType>, entries: ChecksumEntry[]): DatabaseChecksum {
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  const sorted = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const parsed = databaseChecksum.safeParse({ version: 1, type, entries: sorted });
  if (!parsed.success) throw new DatabaseAdapterError(`The ${type} checksum output could not be read: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** Parses `name<sep>count<sep>hash` lines (the name may itself contain the separator: the last two fields are split off). */
export function parseChecksumLines(type: z.infer<typeof databaseType>, stdout: string, separator: string): DatabaseChecksum {
  const entries: ChecksumEntry[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split(separator);
    if (fields.length < 3) throw new DatabaseAdapterError(`The ${type} checksum printed an unexpected line: ${line.slice(0, 80)}`);
    const hash = fields.pop()!.trim();
    const count = Number(fields.pop()!.trim());
    if (!Number.isInteger(count)) throw new DatabaseAdapterError(`The ${type} checksum printed a count that is not a number: ${line.slice(0, 80)}`);
    entries.push({ name: fields.join(separator), count, hash });
  }
  return checksumOf(type, entries);
}

/** Compares two checksums entry by entry; equal only when both have the same entries with the same counts and hashes. */
export function compareChecksums(source: DatabaseChecksum, target: DatabaseChecksum): ChecksumComparison {
  const targetByName = new Map(target.entries.map((entry) => [entry.name, entry]));
  const differences: ChecksumDifference[] = [];
  for (const entry of source.entries) {
    const other = targetByName.get(entry.name) ?? null;
    targetByName.delete(entry.name);
    if (!other || other.count !== entry.count || other.hash !== entry.hash) differences.push({ name: entry.name, source: entry, target: other });
  }
  for (const other of targetByName.values()) differences.push({ name: other.name, source: null, target: other });
  const equal = differences.length === 0 && source.type === target.type;
  return { equal, entries: source.entries.length, differences };
}

/** Reads a single non-negative integer (a size in bytes) from a command's output. */
export function parseByteCount(label: string, stdout: string): number {
  const value = Number(stdout.trim().split('\n').pop()?.trim() ?? '');
  if (!Number.isFinite(value) || value < 0) throw new DatabaseAdapterError(`The ${label} size query printed no byte count: ${stdout.slice(0, 80)}`);
  return Math.round(value);
}
