import { describe, expect, it } from 'vitest';
import { defaultRuntime, type ResourceSpec } from '@shared/spec/resource-spec';
import type { SecretStore } from '../keychain/secret-store';
import { FINGERPRINT_KEY_ACCOUNT, loadSpecSealer, SpecSealer, specHash } from './spec-hash';

const spec: ResourceSpec = {
  image: { ref: 'app:1', id: 'sha256:1', digest: null },
  entrypoint: null,
  command: null,
  workingDir: '',
  user: '',
  env: { API_TOKEN: 'tok-123', MODE: 'dev' },
  mounts: [],
  ports: [],
  labels: {},
  healthcheck: null,
  restartPolicy: { name: 'no', maximumRetryCount: 0 },
  limits: { memoryBytes: 0, nanoCpus: 0, pidsLimit: null },
  networks: [],
  runtime: defaultRuntime,
};

function memoryStore(): SecretStore & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return { values, set: (account, secret) => void values.set(account, secret), get: (account) => values.get(account) ?? null, delete: (account) => void values.delete(account) };
}

describe('specHash', () => {
  it('is the SHA-256 of the canonical JSON, whatever the key order', () => {
    expect(specHash(spec)).toMatch(/^[0-9a-f]{64}$/);
    expect(specHash({ ...spec, env: { MODE: 'dev', API_TOKEN: 'tok-123' } })).toBe(specHash(spec));
    expect(specHash({ ...spec, env: { ...spec.env, MODE: 'uat' } })).not.toBe(specHash(spec));
  });
});

describe('SpecSealer', () => {
  it('changes the hash when a secret changes, but only with the same key can one check a guess', () => {
    const sealer = new SpecSealer(Buffer.alloc(32, 1));
    const other = new SpecSealer(Buffer.alloc(32, 2));
    const a = sealer.seal(spec);
    expect(sealer.seal(spec).hash).toBe(a.hash);
    expect(sealer.seal({ ...spec, env: { ...spec.env, API_TOKEN: 'tok-124' } }).hash).not.toBe(a.hash);
    expect(other.seal(spec).hash).not.toBe(a.hash);
    expect(JSON.stringify(a.spec)).not.toContain('tok-123');
  });

  it('keeps its key in the keychain: created once, then reused', () => {
    const store = memoryStore();
    const first = loadSpecSealer(store);
    expect(Buffer.from(store.values.get(FINGERPRINT_KEY_ACCOUNT) ?? '', 'base64')).toHaveLength(32);
    expect(loadSpecSealer(store).seal(spec).hash).toBe(first.seal(spec).hash);
  });

  it('refuses a short key', () => expect(() => new SpecSealer(Buffer.alloc(8))).toThrow(/at least 32 bytes/));
});
