/**
 * The one-time credential of a server-to-server transfer: an ed25519 key pair made in this
 * process's memory for one transfer, and the authorized_keys line that lets it run exactly one
 * receiving command on the target, once, before an expiry. See electron/transfer/README.md for
 * why this is safe.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { shellQuote } from '../servers/remote-host';

/** A key pair for one transfer; the private half exists only in memory (here, then the source's ssh-agent). */
export interface OneTimeKey {
  /** Marks every trace of this transfer (key comment, temp folder): `gantry-transfer-<hex>`. */
  tag: string;
  /** `ssh-ed25519 AAAA… gantry-transfer-<hex>`. */
  publicLine: string;
  /** OpenSSH private key (PEM-like text), to be written only into an ssh-agent's stdin. */
  privateKey: string;
}

/** Makes a fresh ed25519 key for one transfer. */
export function makeOneTimeKey(): OneTimeKey {
  const tag = `gantry-transfer-${randomBytes(8).toString('hex')}`;
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  // The raw 32-byte halves sit at the end of their DER encodings (SPKI and PKCS#8 for ed25519).
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
  const publicBlob = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);
  return { tag, publicLine: `ssh-ed25519 ${publicBlob.toString('base64')} ${tag}`, privateKey: openSshPrivateKey(publicBlob, pub, seed, tag) };
}

/**
 * The authorized_keys line for the target: `restrict` (no pty, no forwarding of any kind, no
 * agent, no rc), a forced command (whatever the client asks for is ignored), which first deletes
 * this very line, so the key works once, and an expiry in the target's own clock. A double quote
 * in the command is written `\"`, the one escape sshd undoes in an option's value (a database
 * restore reads its password as `"$VAR"`); a line break cannot be written at all.
 */
export function authorizedKeyLine(key: OneTimeKey, receiveCommand: string, expiry: string): string {
  if (/[\r\n]/.test(receiveCommand)) throw new Error('The receiving command must be one line.');
  const forced = `${removeKeyCommand(key.tag)}; ${receiveCommand}`.replaceAll('"', '\\"');
  return `restrict,expiry-time="${expiry}",command="${forced}" ${key.publicLine}`;
}

/** The shell command (run on the target) that adds the line; prints the path it wrote to. */
export function addKeyCommand(line: string): string {
  return [
    'umask 077',
    'mkdir -p "$HOME/.ssh"',
    `flock "$HOME/.ssh/.gantry-transfer.lock" sh -c 'printf "%s\\n" "$1" >> "$HOME/.ssh/authorized_keys"' sh ${shellQuote(line)}`,
  ].join(' && ');
}

/** The shell command (run on the target) that deletes every line carrying `tag`; safe to repeat. */
export function removeKeyCommand(tag: string): string {
  // `tag` is [a-z0-9-] only, so it needs no escaping inside the sed address or the quotes.
  return `flock $HOME/.ssh/.gantry-transfer.lock sed -i '/ ${tag}$/d' $HOME/.ssh/authorized_keys`;
}

/**
 * The shell command (run on the target) after a transfer, whatever happened; safe to repeat.
 * Prints `unused` when the key's line is still there (so the receiving command never ran),
 * deletes the line, and ends a receiving command still running for this key (after a cancel or a
 * cut link nothing may keep writing into the target once Gantry has moved on). The receiver is
 * found by its forced command's text `/ <tag>$/d`; every pattern here is bracketed so that this
 * command's own command line never contains that text.
 */
export function retireKeyCommand(tag: string): string {
  const file = '$HOME/.ssh/authorized_keys';
  return [
    `{ grep -q '[ ]${tag}$' ${file} 2>/dev/null && echo unused; }`,
    `flock $HOME/.ssh/.gantry-transfer.lock sed -i '/[ ]${tag}$/d' ${file} 2>/dev/null`,
    // sshd starts a session's command as its own session leader: the group is the whole receiver.
    `for p in $(pgrep -f '[/] ${tag}[$]/d' 2>/dev/null); do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null; done`,
    'true',
  ].join('; ');
}

/** The target's clock plus `minutes`, in authorized_keys' expiry-time format (run on the target). */
export function expiryCommand(minutes: number): string {
  return `date -d '+${Math.round(minutes)} minutes' +%Y%m%d%H%M%S`;
}

function sshString(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

// The "openssh-key-v1" container (OpenSSH's PROTOCOL.key), unencrypted: the only form
// `ssh-add` reads from stdin on every OpenSSH version that has ed25519.
function openSshPrivateKey(publicBlob: Buffer, pub: Buffer, seed: Buffer, comment: string): string {
  const check = randomBytes(4);
  let secret = Buffer.concat([check, check, sshString('ssh-ed25519'), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)]);
  const padding = Buffer.from(Array.from({ length: (8 - (secret.length % 8)) % 8 }, (_, index) => index + 1));
  secret = Buffer.concat([secret, padding]);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(1);
  const body = Buffer.concat([Buffer.from('openssh-key-v1\0'), sshString('none'), sshString('none'), sshString(''), count, sshString(publicBlob), sshString(secret)]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}
