/**
 * OpenSSH signatures (SSHSIG, the format of `ssh-keygen -Y sign`), made and checked in-process so
 * an operator's machine needs no `ssh-keygen`. A signature binds a message to one namespace
 * (`gantry-approval`), so no other use of the same key can produce one Gantry accepts.
 */
import { createHash, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import ssh2 from 'ssh2';

/** The namespace every Gantry approval signature is made in. */
export const APPROVAL_NAMESPACE = 'gantry-approval';

const MAGIC = Buffer.from('SSHSIG');
const ARMOR_BEGIN = '-----BEGIN SSH SIGNATURE-----';
const ARMOR_END = '-----END SSH SIGNATURE-----';

/** Something that signs SSH-style: the public key blob and a raw signature over bytes (a key file or ssh-agent). */
export interface SshSigner {
  /** The public key as an authorized_keys line (`ssh-ed25519 AAAA…`). */
  readonly publicKey: string;
  /** Signs `data`; returns the SSH signature blob (`string algorithm, string signature`). */
  signBlob(data: Buffer): Promise<Buffer>;
}

/** A parsed signature: who signed (public key line) in which namespace. */
export interface SshSignature {
  publicKey: string;
  namespace: string;
  hashAlgorithm: 'sha256' | 'sha512';
  /** The SSH signature blob (`string algorithm, string signature`). */
  signature: Buffer;
}

/** Signs `message` as `ssh-keygen -Y sign -n <namespace>` would; returns the armored signature. */
export async function signMessage(signer: SshSigner, message: Buffer | string, namespace: string = APPROVAL_NAMESPACE): Promise<string> {
  const hashed = createHash('sha512').update(message).digest();
  const signature = await signer.signBlob(signedData(namespace, 'sha512', hashed));
  const blob = Buffer.concat([MAGIC, uint32(1), sshString(publicKeyBlob(signer.publicKey)), sshString(namespace), sshString(''), sshString('sha512'), sshString(signature)]);
  const lines = blob.toString('base64').match(/.{1,70}/g) ?? [];
  return [ARMOR_BEGIN, ...lines, ARMOR_END].join('\n');
}

/** Reads an armored signature; throws on anything that is not SSHSIG version 1. */
export function parseSignature(armored: string): SshSignature {
  const text = armored.trim();
  if (!text.startsWith(ARMOR_BEGIN) || !text.endsWith(ARMOR_END)) throw new Error('not an SSH signature (no SSHSIG armor)');
  const blob = Buffer.from(text.slice(ARMOR_BEGIN.length, -ARMOR_END.length).replace(/\s+/g, ''), 'base64');
  if (!blob.subarray(0, 6).equals(MAGIC)) throw new Error('not an SSH signature (bad magic)');
  const reader = new SshReader(blob.subarray(6));
  if (reader.uint32() !== 1) throw new Error('unsupported SSH signature version');
  const keyBlob = reader.string();
  const namespace = reader.string().toString();
  reader.string();
  const hashAlgorithm = reader.string().toString();
  const signature = reader.string();
  if (hashAlgorithm !== 'sha256' && hashAlgorithm !== 'sha512') throw new Error(`unsupported signature hash ${hashAlgorithm}`);
  const keyType = new SshReader(keyBlob).string().toString();
  return { publicKey: `${keyType} ${keyBlob.toString('base64')}`, namespace, hashAlgorithm, signature };
}

/**
 * Checks `armored` over `message` against one expected public key and namespace; returns a reason
 * when it does not hold, or null when it does.
 */
export function verifyMessage(armored: string, message: Buffer | string, expected: { publicKey: string; namespace?: string }): string | null {
  let parsed: SshSignature;
  try {
    parsed = parseSignature(armored);
  } catch (error) {
    return (error as Error).message;
  }
  const namespace = expected.namespace ?? APPROVAL_NAMESPACE;
  if (parsed.namespace !== namespace) return `signed for namespace "${parsed.namespace}", not "${namespace}"`;
  if (!publicKeyBlob(parsed.publicKey).equals(publicKeyBlob(expected.publicKey))) return `signed by another key (${keyFingerprint(parsed.publicKey)})`;
  const data = signedData(namespace, parsed.hashAlgorithm, createHash(parsed.hashAlgorithm).update(message).digest());
  return verifyBlob(parsed.publicKey, data, parsed.signature) ? null : 'the signature does not match the signed text';
}

/** OpenSSH's SHA256 fingerprint of a public key line (`SHA256:…`, as `ssh-keygen -l` prints it). */
export function keyFingerprint(publicKey: string): string {
  return `SHA256:${createHash('sha256').update(publicKeyBlob(publicKey)).digest('base64').replace(/=+$/, '')}`;
}

/** The raw key blob of a public key line (`type base64 [comment]`). */
export function publicKeyBlob(publicKey: string): Buffer {
  const [type, base64] = publicKey.trim().split(/\s+/);
  if (!type || !base64) throw new Error('not an SSH public key line');
  const blob = Buffer.from(base64, 'base64');
  if (new SshReader(blob).string().toString() !== type) throw new Error('the SSH public key line is inconsistent');
  return blob;
}

/** A signer over a private key (OpenSSH or PEM text, optionally with its passphrase), signing in-process. */
export function keyFileSigner(privateKey: string | Buffer, passphrase?: string): SshSigner {
  const parsed = ssh2.utils.parseKey(privateKey, passphrase);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error) throw new Error(`cannot read the private key: ${key instanceof Error ? key.message : 'no key'}`);
  if (!key.isPrivateKey()) throw new Error('this is a public key, not a private one');
  const pem = key.getPrivatePEM();
  const publicKey = `${key.type} ${key.getPublicSSH().toString('base64')}`;
  return {
    publicKey,
    async signBlob(data) {
      return signWithPem(key.type, pem, data);
    },
  };
}

/** A signer through ssh-agent (so hardware-backed keys work): the agent at `socket`, its key `publicKey`. */
export function agentSigner(socket: string, publicKey: string): SshSigner {
  const agent = new ssh2.OpenSSHAgent(socket);
  const type = publicKey.trim().split(/\s+/)[0]!;
  return {
    publicKey,
    signBlob(data) {
      return new Promise((resolve, reject) => {
        const options = type === 'ssh-rsa' ? { hash: 'sha512' as const } : {};
        agent.sign(publicKey, data, options, (error, signature) => {
          if (error || !signature) return reject(error ?? new Error('ssh-agent gave no signature'));
          // ssh2 strips the algorithm name from the agent's answer; put it back.
          resolve(Buffer.concat([sshString(signatureAlgorithm(type)), sshString(signature)]));
        });
      });
    },
  };
}

/** The public keys an ssh-agent holds, as authorized_keys lines. */
export function agentKeys(socket: string): Promise<string[]> {
  const agent = new ssh2.OpenSSHAgent(socket);
  return new Promise((resolve, reject) => {
    agent.getIdentities((error, keys) => {
      if (error) return reject(error);
      resolve((keys ?? []).flatMap((entry) => {
        const key = 'pubKey' in entry ? entry.pubKey : entry;
        return 'getPublicSSH' in key ? [`${key.type} ${key.getPublicSSH().toString('base64')}`] : [];
      }));
    });
  });
}

function signWithPem(type: string, pem: string, data: Buffer): Buffer {
  switch (type) {
    case 'ssh-ed25519':
      return Buffer.concat([sshString(type), sshString(cryptoSign(null, data, pem))]);
    case 'ssh-rsa':
      return Buffer.concat([sshString('rsa-sha2-512'), sshString(cryptoSign('sha512', data, pem))]);
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521': {
      const raw = cryptoSign(ecdsaHash(type), data, { key: pem, dsaEncoding: 'ieee-p1363' });
      const half = raw.length / 2;
      return Buffer.concat([sshString(type), sshString(Buffer.concat([mpint(raw.subarray(0, half)), mpint(raw.subarray(half))]))]);
    }
    default:
      throw new Error(`keys of type ${type} cannot sign approvals (use ed25519, ECDSA or RSA)`);
  }
}

function verifyBlob(publicKey: string, data: Buffer, signatureBlob: Buffer): boolean {
  const type = publicKey.split(' ')[0]!;
  let key: KeyObject;
  try {
    const parsed = ssh2.utils.parseKey(publicKey);
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!first || first instanceof Error) return false;
    key = createPublicKey(first.getPublicPEM());
  } catch {
    return false;
  }
  const reader = new SshReader(signatureBlob);
  const algorithm = reader.string().toString();
  const raw = reader.string();
  switch (algorithm) {
    case 'ssh-ed25519':
      return type === 'ssh-ed25519' && cryptoVerify(null, data, key, raw);
    case 'rsa-sha2-512':
    case 'rsa-sha2-256':
      return type === 'ssh-rsa' && cryptoVerify(algorithm === 'rsa-sha2-512' ? 'sha512' : 'sha256', data, key, raw);
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521': {
      if (type !== algorithm) return false;
      const inner = new SshReader(raw);
      const size = { 'ecdsa-sha2-nistp256': 32, 'ecdsa-sha2-nistp384': 48, 'ecdsa-sha2-nistp521': 66 }[algorithm];
      const p1363 = Buffer.concat([fixed(inner.string(), size), fixed(inner.string(), size)]);
      return cryptoVerify(ecdsaHash(algorithm), data, { key, dsaEncoding: 'ieee-p1363' }, p1363);
    }
    default:
      return false;
  }
}

function signedData(namespace: string, hashAlgorithm: string, hashed: Buffer): Buffer {
  return Buffer.concat([MAGIC, sshString(namespace), sshString(''), sshString(hashAlgorithm), sshString(hashed)]);
}

function signatureAlgorithm(type: string): string {
  return type === 'ssh-rsa' ? 'rsa-sha2-512' : type;
}

function ecdsaHash(type: string): string {
  return type.endsWith('256') ? 'sha256' : type.endsWith('384') ? 'sha384' : 'sha512';
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

function sshString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([uint32(bytes.length), bytes]);
}

function mpint(unsigned: Buffer): Buffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
  const trimmed = unsigned.subarray(start);
  return sshString(trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function fixed(value: Buffer, size: number): Buffer {
  const trimmed = value.length > size ? value.subarray(value.length - size) : value;
  return Buffer.concat([Buffer.alloc(size - trimmed.length), trimmed]);
}

class SshReader {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}
  uint32(): number {
    if (this.offset + 4 > this.buffer.length) throw new Error('truncated SSH data');
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  string(): Buffer {
    const length = this.uint32();
    if (this.offset + length > this.buffer.length) throw new Error('truncated SSH data');
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
}
