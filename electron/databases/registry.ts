/**
 * Every engine's adapter, keyed by database type (a type without an adapter does not compile),
 * and detection across all of them.
 */
import type { DatabaseType } from '@shared/spec/resource-spec';
import type { DatabaseAdapter, DatabaseDetection, DatabaseSpec } from './adapter';
import { clickhouseAdapter } from './clickhouse';
import { mongodbAdapter } from './mongodb';
import { mariadbAdapter, mysqlDatabaseAdapter } from './mysql-family';
import { postgresqlAdapter } from './postgresql';
import { dragonflyAdapter, keydbAdapter, redisDatabaseAdapter } from './redis-family';

/** The adapter of each of the eight engines. */
export const databaseAdapters: { readonly [T in DatabaseType]: DatabaseAdapter & { type: T } } = {
  postgresql: postgresqlAdapter as DatabaseAdapter & { type: 'postgresql' },
  mysql: mysqlDatabaseAdapter as DatabaseAdapter & { type: 'mysql' },
  mariadb: mariadbAdapter as DatabaseAdapter & { type: 'mariadb' },
  mongodb: mongodbAdapter as DatabaseAdapter & { type: 'mongodb' },
  redis: redisDatabaseAdapter as DatabaseAdapter & { type: 'redis' },
  keydb: keydbAdapter as DatabaseAdapter & { type: 'keydb' },
  dragonfly: dragonflyAdapter as DatabaseAdapter & { type: 'dragonfly' },
  clickhouse: clickhouseAdapter as DatabaseAdapter & { type: 'clickhouse' },
};

/** The adapter for a resource's database type. */
export function adapterFor(type: DatabaseType): DatabaseAdapter {
  return databaseAdapters[type];
}

/** What detection concluded: the best claim (or null) and every engine that claimed the resource. */
export interface DatabaseDetectionResult {
  best: DatabaseDetection | null;
  candidates: DatabaseDetection[];
}

/**
 * Detects a resource's engine. Sure only when exactly one engine is sure (an image named for it);
 * competing claims (e.g. MYSQL_* env on a mariadb image is fine, but MYSQL_* alone could be
 * either) leave the best one unsure, so the UI asks.
 */
export function detectDatabase(spec: DatabaseSpec): DatabaseDetectionResult {
  const candidates = Object.values(databaseAdapters)
    .map((adapter) => adapter.detect(spec))
    .filter((detection): detection is DatabaseDetection => detection !== null);
  const sure = candidates.filter((c) => c.confidence === 'sure');
  if (sure.length === 1) return { best: sure[0]!, candidates };
  const first = sure[0] ?? candidates[0] ?? null;
  return { best: first ? { ...first, confidence: 'unsure' } : null, candidates };
}
