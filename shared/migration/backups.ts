/**
 * A backup of a production database as Gantry records it on the database's own server (beside
 * the dump) and shows it in History: no secret, only where, how big, its checksums and how it was
 * proved readable.
 */
import { z } from 'zod';
import { databaseType } from '../spec/resource-spec';

/** One backup as its record on the server says. */
export const backupRecord = z.object({
  format: z.literal(1),
  /** `<resourceId>/<file>`: unique on the server. */
  id: z.string().min(1),
  resourceId: z.string().min(1),
  resourceName: z.string(),
  containerName: z.string(),
  databaseType,
  /** Absolute path of the dump on the server. */
  file: z.string().min(1),
  sizeBytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** SHA-256 of the adapter's content checksum (per table counts and hashes) taken with the dump. */
  contentChecksum: z.string().regex(/^[0-9a-f]{64}$/),
  /** Tables / keys / collections the content checksum covers. */
  contentEntries: z.number().int().nonnegative(),
  /** How the file was proved readable, in the operator's words (e.g. "pg_restore --list read 14 entries"). */
  verified: z.string().min(1),
  takenAt: z.number().int(),
  /** The migration that made it. */
  migrationId: z.string().min(1),
});
/** One backup on a server. */
export type BackupRecord = z.infer<typeof backupRecord>;

/** `backups:list`: the backups of one resource in one environment, newest first. */
export const backupListRequest = z.object({ environmentId: z.string().min(1).max(100), resourceId: z.string().min(1).max(100) }).strict();

/** `backups:restore`: puts one backup back (a journaled run that takes a fresh backup first). */
export const backupRestoreRequest = z
  .object({
    environmentId: z.string().min(1).max(100),
    resourceId: z.string().min(1).max(100),
    backupId: z.string().min(1).max(300),
    options: z.object({ waitForReady: z.boolean().default(true), healthTimeoutSec: z.number().int().min(5).max(3600).default(300) }).strict().default({ waitForReady: true, healthTimeoutSec: 300 }),
  })
  .strict();

/** `backups:set-retention`: how many backups of each resource the environment's server keeps. */
export const backupRetentionRequest = z.object({ environmentId: z.string().min(1).max(100), keep: z.number().int().min(1).max(1000) }).strict();
