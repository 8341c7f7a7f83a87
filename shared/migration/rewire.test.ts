import { describe, expect, it } from 'vitest';
import { buildReferenceMap, referencedNames, rewireText } from './rewire';

const dev = { uuid: 'c0ffee00-0000-4000-8000-000000000002', containerName: 'dev-db', hostnames: ['dev-db', 'dev-db.internal-alias', 'db'] };
const uat = { uuid: 'beef0000-0000-4000-8000-000000000002', containerName: 'uat-db', hostnames: ['uat-db', 'db'] };
const map = buildReferenceMap([{ source: dev, target: uat, renameHostname: (hostname) => hostname.replace(/^dev-/, 'uat-') }]);

describe('rewiring references', () => {
  it('points a DATABASE_URL at dev-db to uat-db and keeps credentials, port and path', () => {
    expect(rewireText('postgres://app:pw@dev-db:5432/app', map)).toEqual({ text: 'postgres://app:pw@uat-db:5432/app', rewrites: [{ from: 'dev-db', to: 'uat-db' }] });
  });

  it('never rewrites dev-db inside another name', () => {
    for (const text of ['postgres://dev-db2:5432/r', 'my-dev-db', 'dev-db_backup', 'https://dev-db.example.com', 'xdev-db']) {
      expect(rewireText(text, map).text).toBe(text);
    }
  });

  it('rewrites every occurrence, a UUID, and a name at the end of a sentence', () => {
    expect(rewireText('dev-db,dev-db;c0ffee00-0000-4000-8000-000000000002 talks to dev-db.', map).text).toBe('uat-db,uat-db;beef0000-0000-4000-8000-000000000002 talks to uat-db.');
  });

  it('maps a hostname the target lacks to the target container name, and leaves names equal on both sides out', () => {
    expect(map.get('dev-db.internal-alias')).toBe('uat-db');
    expect(map.has('db')).toBe(false);
    expect(rewireText('--host=db', map).text).toBe('--host=db');
  });

  it('finds which names a text refers to, whole tokens only', () => {
    expect(referencedNames('redis://dev-cache:6379 and dev-db2', new Set(['dev-cache', 'dev-db']))).toEqual(['dev-cache']);
  });
});
