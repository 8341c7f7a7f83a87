/**
 * A FAKE GitHub REST API on loopback, for tests only: GitHub cannot be reached here. It serves
 * just `POST /repos/{owner}/{repo}/hooks`, checks the bearer token, records every request (method,
 * path, headers, parsed body) and answers like GitHub (201 with the hook, 401, 404, 422).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received. */
export interface FakeGithubRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** The fake API, listening on 127.0.0.1. */
export interface FakeGithubApi {
  baseUrl: string;
  requests: FakeGithubRequest[];
  close(): Promise<void>;
}

/** Starts the fake; `token` is the only one it accepts, `repositories` the only ones that exist. */
export async function startFakeGithubApi(options: { token: string; repositories: string[] }): Promise<FakeGithubApi> {
  const requests: FakeGithubRequest[] = [];
  let nextId = 1;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = null;
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const reply = (status: number, value: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const hooks = /^\/repos\/([^/]+)\/([^/]+)\/hooks$/.exec(req.url ?? '');
      if (req.headers.authorization !== `Bearer ${options.token}`) return reply(401, { message: 'Bad credentials' });
      if (req.method !== 'POST' || !hooks) return reply(404, { message: 'Not Found' });
      if (!options.repositories.includes(`${hooks[1]}/${hooks[2]}`)) return reply(404, { message: 'Not Found' });
      const config = (body as { config?: { url?: string } } | null)?.config;
      if (!config?.url) return reply(422, { message: 'Validation Failed' });
      reply(201, { id: nextId++, type: 'Repository', name: 'web', active: true, events: (body as { events?: string[] }).events ?? ['push'], config: { ...config, secret: '********' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
