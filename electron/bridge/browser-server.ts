import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { BridgeServerFrame } from '@shared/ipc/bridge';
import { err } from '@shared/ipc/result';
import type { GantryApp } from '../app/create-app';

/** Options of the browser-mode server. */
export interface BrowserServerOptions {
  app: GantryApp;
  /** The built renderer (`out/renderer`). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Defaults to 32 random bytes; tests may fix it. */
  token?: string;
}

/** A running browser-mode server. */
export interface BrowserServer {
  readonly port: number;
  readonly token: string;
  /** The address to open, token included. */
  readonly url: string;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';
const BRIDGE_PATH = '/bridge';
/**
 * The largest field of the contract is a stored private key (64 KiB); escaped as JSON it stays
 * under 384 KiB even in the worst case, so 512 KiB holds every valid request.
 */
export const MAX_FRAME_BYTES = 512 * 1024;
/** No request of the contract nests deeper than a dozen levels; 32 leaves room and refuses hostile frames before JSON.parse. */
export const MAX_FRAME_DEPTH = 32;

const clientFrame = z.object({
  type: z.literal('invoke'),
  id: z.number().int().nonnegative(),
  channel: z.string().max(100),
  request: z.unknown(),
});

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * Serves the renderer build and the engine's handlers over a loopback WebSocket, so the real UI
 * runs in a browser where Electron cannot. Only 127.0.0.1 is bound; every WebSocket must present
 * the per-run token and come from this server's own origin (Host and Origin are both checked,
 * against DNS rebinding); payloads go through the same router — and validation — as Electron IPC.
 */
export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const rendererDir = resolve(options.rendererDir);
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`The renderer build is missing (${rendererDir}/index.html). Run \`npm run build\` first.`);
  }
  let port = 0;
  const allowedHosts = () => new Set([`${LOOPBACK}:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://${LOOPBACK}:${port}`, `http://localhost:${port}`]);

  const server = createServer((request, response) => {
    response.on('error', () => response.destroy());
    if (!allowedHosts().has(request.headers.host ?? '')) return refuse(response, 421, 'Unknown Host header: Gantry answers only on its loopback address.');
    serveStatic(rendererDir, request, response);
  });
  // A client may reset or garble its connection at any moment; that closes its socket, never the server.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  wss.on('error', () => undefined);
  const clients = new Set<WebSocket>();

  server.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    const problem = checkUpgrade(request, token, allowedHosts(), allowedOrigins());
    if (problem) {
      socket.end(`HTTP/1.1 ${problem.status} ${problem.reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${problem.reason}\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      clients.add(ws);
      // ws closes the socket itself after a protocol error (oversize frame 1009, bad UTF-8 1007); the listener keeps it from throwing.
      ws.on('error', () => ws.terminate());
      ws.on('close', () => clients.delete(ws));
      ws.on('message', (data, isBinary) => void handleFrame(options.app, ws, isBinary ? null : data.toString()));
    });
  });

  const unsubscribe = options.app.events.subscribe((event, payload) => {
    const frame = JSON.stringify({ type: 'event', event, payload } satisfies BridgeServerFrame);
    for (const client of clients) if (client.readyState === client.OPEN) client.send(frame, () => undefined);
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, LOOPBACK, () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: `http://${LOOPBACK}:${port}/#token=${token}`,
    async close() {
      unsubscribe();
      for (const client of clients) client.terminate();
      wss.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    },
  };
}

/** Why a frame is refused before JSON.parse (too deep), or null. Strings are skipped, so brackets inside them do not count. */
export function frameShapeProblem(text: string): string | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_FRAME_DEPTH) return `Bridge frame nests deeper than ${MAX_FRAME_DEPTH} levels.`;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return null;
}

function checkUpgrade(
  request: IncomingMessage,
  token: string,
  hosts: Set<string>,
  origins: Set<string>,
): { status: number; reason: string } | null {
  let url: URL;
  try {
    url = new URL(request.url ?? '/', 'http://placeholder');
  } catch {
    return { status: 400, reason: 'Bad Request: malformed path' };
  }
  if (url.pathname !== BRIDGE_PATH) return { status: 404, reason: 'Not Found' };
  if (!hosts.has(request.headers.host ?? '')) return { status: 421, reason: 'Misdirected Request: unknown Host' };
  if (!origins.has(request.headers.origin ?? '')) return { status: 403, reason: 'Forbidden: foreign Origin' };
  const presented = Buffer.from(url.searchParams.get('token') ?? '');
  const expected = Buffer.from(token);
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    return { status: 401, reason: 'Unauthorized: missing or wrong token' };
  }
  return null;
}

async function handleFrame(app: GantryApp, ws: WebSocket, text: string | null): Promise<void> {
  const shape = text === null ? 'Bridge frames are text, not binary.' : frameShapeProblem(text);
  let frame: z.infer<typeof clientFrame> | null = null;
  let problem = shape;
  if (!problem) {
    try {
      const parsed = clientFrame.safeParse(JSON.parse(text ?? ''));
      if (parsed.success) frame = parsed.data;
      else problem = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(frame)'}: ${issue.message}`).join('; ');
    } catch {
      problem = 'not JSON';
    }
  }
  if (!frame) {
    reply(ws, { type: 'result', id: -1, result: err('invalid_request', `Malformed bridge frame (${problem}): expected {"type":"invoke","id":n,"channel":"area:verb","request":{...}}.`) });
    return;
  }
  const result = await app.router.dispatch(frame.channel, frame.request, { bridge: 'browser' });
  reply(ws, { type: 'result', id: frame.id, result });
}

function reply(ws: WebSocket, frame: BridgeServerFrame): void {
  if (ws.readyState !== ws.OPEN) return;
  let text: string;
  try {
    text = JSON.stringify(frame);
  } catch {
    text = JSON.stringify({ type: 'result', id: frame.type === 'result' ? frame.id : -1, result: err('internal', 'Gantry could not encode its answer.') } satisfies BridgeServerFrame);
  }
  ws.send(text, () => undefined);
}

function serveStatic(root: string, request: IncomingMessage, response: ServerResponse): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(response, 405, 'Method Not Allowed');
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://placeholder').pathname);
  } catch {
    return refuse(response, 400, 'Bad Request: malformed path or percent-escape');
  }
  let file = normalize(join(root, pathname));
  if (file !== root && !file.startsWith(root + sep)) return refuse(response, 403, 'Forbidden');
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
  response.writeHead(200, {
    'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  if (request.method === 'HEAD') return void response.end();
  const stream = createReadStream(file);
  stream.on('error', () => response.destroy());
  stream.pipe(response);
}

function refuse(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(message + '\n');
}
