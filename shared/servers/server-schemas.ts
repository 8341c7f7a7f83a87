/**
 * The shapes of servers as they cross the IPC boundary. Secrets only ever travel towards the
 * engine (in `serverInput`); nothing the engine sends back contains one.
 */
import { z } from 'zod';

/** How Gantry logs in to a server. */
export const authMethod = z.enum(['key-file', 'key-stored', 'password', 'agent']);
/** How Gantry logs in to a server. */
export type AuthMethod = z.infer<typeof authMethod>;

const hostName = z
  .string()
  .trim()
  .min(1, 'Enter the host name or IP address')
  .max(253)
  .regex(/^[A-Za-z0-9._:[\]-]+$/, 'A host is a DNS name or an IP address, without spaces or a user@ prefix');
const userName = z
  .string()
  .trim()
  .min(1, 'Enter the SSH user')
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, 'An SSH user name has letters, digits, dots, dashes and underscores only');

/** A SHA256 host-key fingerprint as OpenSSH prints it. */
export const fingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'A fingerprint looks like SHA256: followed by 43 characters');

/**
 * The credentials part of a server as the operator enters it. Secret fields are optional on
 * edit: left out, the stored secret is kept.
 */
export const authInput = z.discriminatedUnion('method', [
  z.object({ method: z.literal('key-file'), keyPath: z.string().trim().min(1, 'Enter the path of the private key file').max(4096), passphrase: z.string().max(1024).optional() }).strict(),
  z.object({ method: z.literal('key-stored'), privateKey: z.string().max(65536).optional(), passphrase: z.string().max(1024).optional() }).strict(),
  z.object({ method: z.literal('password'), password: z.string().min(1).max(1024).optional() }).strict(),
  z.object({ method: z.literal('agent') }).strict(),
]);
/** The credentials part of a server as the operator enters it. */
export type AuthInput = z.infer<typeof authInput>;

/** A server as the add/edit dialog submits it (and as "Test connection" tries it before saving). */
export const serverInput = z
  .object({
    name: z.string().trim().min(1, 'Give the server a name').max(64),
    host: hostName,
    port: z.number().int().min(1).max(65535).default(22),
    username: userName,
    auth: authInput,
    jumpHostIds: z.array(z.string().min(1).max(100)).max(5).default([]),
    labels: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
  })
  .strict();
/** A server as the add/edit dialog submits it. */
export type ServerInput = z.input<typeof serverInput>;

/** What a server's pooled connection is doing right now. */
export const connectionState = z.enum(['idle', 'connecting', 'connected', 'reconnecting', 'failed', 'closed']);
/** What a server's pooled connection is doing right now. */
export type ConnectionState = z.infer<typeof connectionState>;

/** What the probe found on a server. */
export const serverProbe = z.object({
  os: z.string(),
  kernel: z.string(),
  dockerVersion: z.string().nullable(),
  dockerRootDir: z.string().nullable(),
  dockerFreeBytes: z.number().nullable(),
  dockerTotalBytes: z.number().nullable(),
  publishedPorts: z.array(z.object({ port: z.number(), protocol: z.string(), container: z.string() })),
  reverseProxy: z.enum(['traefik', 'caddy', 'none']),
  reverseProxyDetail: z.string().nullable(),
  latencyMs: z.number(),
  problems: z.array(z.object({ code: z.string(), message: z.string() })),
  probedAt: z.number(),
});
/** What the probe found on a server. */
export type ServerProbe = z.infer<typeof serverProbe>;

/** A server as the UI sees it: no secrets, plus its live connection state. */
export const serverView = z.object({
  id: z.string(),
  name: z.string(),
  host: z.string(),
  port: z.number(),
  username: z.string(),
  authMethod,
  keyPath: z.string().nullable(),
  hasStoredSecret: z.boolean(),
  hostKeyFingerprint: z.string().nullable(),
  hostKeyAlgorithm: z.string().nullable(),
  jumpHostIds: z.array(z.string()),
  labels: z.array(z.string()),
  probe: serverProbe.nullable(),
  connection: z.object({ state: connectionState, message: z.string().nullable() }),
});
/** A server as the UI sees it. */
export type ServerView = z.infer<typeof serverView>;

/** The host key a server presented, and how it compares with the pin. */
export const hostKeyCheck = z.object({
  fingerprint: z.string(),
  algorithm: z.string(),
  /** `new`: nothing pinned yet; `match`: equals the pin; `changed`: differs from the pin. */
  status: z.enum(['new', 'match', 'changed']),
  pinnedFingerprint: z.string().nullable(),
  /** Fingerprints that ~/.ssh/known_hosts lists for this host and port. */
  knownHosts: z.array(z.object({ fingerprint: z.string(), algorithm: z.string(), file: z.string(), line: z.number() })),
});
/** The host key a server presented, and how it compares with the pin. */
export type HostKeyCheck = z.infer<typeof hostKeyCheck>;

/** One step of "Test connection". */
export const connectionTestStep = z.object({
  id: z.enum(['tcp', 'host-key', 'auth', 'exec', 'docker']),
  title: z.string(),
  status: z.enum(['ok', 'failed', 'skipped', 'needs-confirmation']),
  message: z.string(),
  errorCode: z.string().nullable(),
  ms: z.number().nullable(),
});
/** One step of "Test connection". */
export type ConnectionTestStep = z.infer<typeof connectionTestStep>;

/** A Host entry of ~/.ssh/config, resolved into what a server needs. */
export const sshConfigHost = z.object({
  alias: z.string(),
  host: z.string(),
  port: z.number(),
  username: z.string().nullable(),
  identityFile: z.string().nullable(),
  /** Every IdentityFile that applies, tokens expanded, in the order ssh tries them. */
  identityFiles: z.array(z.string()).default([]),
  proxyJump: z.array(z.string()),
  /** The UserKnownHostsFile entries that apply (expanded); empty means ssh's defaults. */
  userKnownHostsFiles: z.array(z.string()).default([]),
  /** The name ssh looks the host key up under, when the config sets HostKeyAlias. */
  hostKeyAlias: z.string().nullable().default(null),
  /** Where Gantry connects differently from OpenSSH for this host (shown in the import dialog). */
  notes: z.array(z.string()).default([]),
});
/** A Host entry of ~/.ssh/config. */
export type SshConfigHost = z.infer<typeof sshConfigHost>;
