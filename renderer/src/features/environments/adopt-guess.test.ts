import { describe, expect, it } from 'vitest';
import { guessFromImage } from './adopt-guess';

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
