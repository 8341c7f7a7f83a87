import { describe, expect, it } from 'vitest';
import { guessFromImage, guessLinks } from './adopt-guess';

describe('the adopt dialog guesses the kind from the image', () => {
  it('names databases by their image, whatever the registry, tag or digest', () => {
    expect(guessFromImage('gantry-lab/postgres:15')).toEqual({ kind: 'database', databaseType: 'postgresql' });
    expect(guessFromImage('postgres@sha256:abc')).toEqual({ kind: 'database', databaseType: 'postgresql' });
    expect(guessFromImage('registry.local:5000/team/mariadb:10.11')).toEqual({ kind: 'database', databaseType: 'mariadb' });
    expect(guessFromImage('redis:7-alpine')).toEqual({ kind: 'database', databaseType: 'redis' });
  });

  it('tells services from applications', () => {
    expect(guessFromImage('caddy:2.6')).toEqual({ kind: 'service', databaseType: null });
    expect(guessFromImage('gantry-lab/webapp:1')).toEqual({ kind: 'application', databaseType: null });
    expect(guessFromImage('acme/postgres-exporter:1')).toEqual({ kind: 'application', databaseType: null });
  });
});

describe('the adopt dialog guesses links from env values', () => {
  const candidates = [
    { resourceId: 'db', containerName: 'dev-shop-db' },
    { resourceId: 'cache', containerName: 'dev-shop-cache' },
    { resourceId: 'web', containerName: 'dev-shop' },
  ];

  it('ticks the resource whose container a URL names as its host (the password is masked, the host is not)', () => {
    expect(guessLinks({ DATABASE_URL: 'postgres://shop:••••••@dev-shop-db:5432/shop', MODE: 'dev' }, candidates)).toEqual(['db']);
    expect(guessLinks({ REDIS_HOST: 'DEV-SHOP-CACHE' }, candidates)).toEqual(['cache']);
  });

  it('does not tick a container whose name is only part of a longer host name', () => {
    expect(guessLinks({ REPLICA: 'dev-shop-db-replica:5432', API: 'http://dev-shopfront/' }, candidates)).toEqual([]);
  });
});
