/**
 * What the adopt dialog proposes for a container, from its image name alone (until the database
 * adapters' detection exists): `postgres:15` is a PostgreSQL database, `redis:7` a Redis one.
 */
import type { DatabaseType, ResourceKind } from '@shared/spec/resource-spec';

// The last path segment of the image, without tag or digest, matched exactly against well-known
// names (so `postgres-exporter` stays an application).
const databaseImages: [RegExp, DatabaseType][] = [
  [/^(postgres|postgresql|postgis|timescaledb|pgvector)$/, 'postgresql'],
  [/^(mysql|percona)$/, 'mysql'],
  [/^(mariadb)$/, 'mariadb'],
  [/^(mongo|mongodb)$/, 'mongodb'],
  [/^(redis|valkey)$/, 'redis'],
  [/^(keydb)$/, 'keydb'],
  [/^(dragonfly)$/, 'dragonfly'],
  [/^(clickhouse)$/, 'clickhouse'],
];
const serviceImages = /^(nginx|caddy|traefik|haproxy|httpd|rabbitmq|memcached|minio|elasticsearch|opensearch|kafka|zookeeper|nats|mailhog|mailpit)$/;

/** The kind (and database type) an image most likely is. */
export function guessFromImage(imageRef: string): { kind: ResourceKind; databaseType: DatabaseType | null } {
  const repository = imageRef.split('@')[0]!.split('/').pop()!.split(':')[0]!.toLowerCase();
  for (const [pattern, databaseType] of databaseImages) if (pattern.test(repository)) return { kind: 'database', databaseType };
  if (serviceImages.test(repository)) return { kind: 'service', databaseType: null };
  return { kind: 'application', databaseType: null };
}
