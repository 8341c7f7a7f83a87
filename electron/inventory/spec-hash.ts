/**
 * Hashing of resource specs. `specHash` is the SHA-256 of a spec's canonical JSON. What Gantry
 * hashes and stores is always the *sealed* spec (see shared/spec/secrets.ts): secret values are
 * replaced by their masked form plus an HMAC-SHA-256 fingerprint under a per-installation key
 * kept in the OS keychain. So the hash changes when a secret changes, yet neither the history
 * rows nor the hash let anyone test guesses of a secret without that key.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { canonicalJson } from '@shared/spec/canonical-json';
import type { ResourceSpec } from '@shared/spec/resource-spec';
import { sealSpec } from '@shared/spec/secrets';
import type { SecretStore } from '../keychain/secret-store';

/** The keychain account of the key that fingerprints secret values in specs. */
export const FINGERPRINT_KEY_ACCOUNT = 'inventory:spec-fingerprint-key';

/** SHA-256 (hex) of the canonical JSON of `spec`. */
export function specHash(spec: ResourceSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}

/** A spec ready to store: sealed (no clear secrets) and its hash. */
export interface SealedSpec {
  spec: ResourceSpec;
  hash: string;
}

/** Seals specs and hashes them with one installation's fingerprint key. */
export class SpecSealer {
  constructor(private readonly key: Buffer) {
    if (key.length < 32) throw new Error('The spec fingerprint key must be at least 32 bytes');
  }

  /** The keyed fingerprint of one secret value (128 bits, hex). */
  fingerprint(secret: string): string {
    return createHmac('sha256', this.key).update(secret).digest('hex').slice(0, 32);
  }

  /** The sealed form of `spec` and the hash Gantry records and compares. */
  seal(spec: ResourceSpec): SealedSpec {
    const sealed = sealSpec(spec, (secret) => this.fingerprint(secret));
    return { spec: sealed, hash: specHash(sealed) };
  }
}

/**
 * The sealer of this installation: its key comes from the keychain, created on first use.
 * Without a usable keychain this throws `keychain_unavailable` rather than use a weaker key.
 */
export function loadSpecSealer(store: SecretStore): SpecSealer {
  const existing = store.get(FINGERPRINT_KEY_ACCOUNT);
  if (existing) return new SpecSealer(Buffer.from(existing, 'base64'));
  const key = randomBytes(32);
  store.set(FINGERPRINT_KEY_ACCOUNT, key.toString('base64'));
  return new SpecSealer(key);
}
