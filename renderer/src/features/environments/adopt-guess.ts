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

/** A resource of the project with the container it has in the environment being adopted into. */
export interface LinkCandidate {
  resourceId: string;
  containerName: string;
}

/**
 * The resources a container most likely uses: those whose container in the same environment is
 * named, as a whole host name, in one of its env values (`DATABASE_URL=postgres://…@dev-shop-db:5432/shop`
 * names `dev-shop-db`). Values are the masked ones; a host is never a secret.
 */
export function guessLinks(env: Record<string, string>, candidates: readonly LinkCandidate[]): string[] {
  const values = Object.values(env).map((value) => value.toLowerCase());
  return candidates
    .filter(({ containerName }) => {
      const name = containerName.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      // Bounded by anything a host name cannot contain: `dev-shop-db` is not found in `dev-shop-db-replica`.
      const asHost = new RegExp(`(^|[^a-z0-9_.-])${name}($|[^a-z0-9_-])`);
      return values.some((value) => asHost.test(value));
    })
    .map(({ resourceId }) => resourceId);
}
