/**
 * A plain Caddy's admin API, reached on the server's loopback over SSH (`curl` on the server;
 * the admin API never leaves the machine). The command builders are pure; `CaddyAdmin` runs them
 * and reads the answers. Routes Gantry adds carry an `@id`, so they are found, replaced and
 * removed again by it: adding the same route twice changes nothing.
 */
import { GantryError } from '@shared/ipc/result';
import { caddyConfig, httpsServerOf, type CaddyConfig } from '@shared/domains/caddy-config';
import type { CaddyRoute } from '@shared/domains/proxy-routing';
import { shellQuote, type RemoteHost } from '../servers/remote-host';

/** Where Caddy's admin API listens by default (its loopback). */
export const CADDY_ADMIN_ADDRESS = 'http://localhost:2019';

const STATUS_MARK = '@@gantry:status=';

/** The `curl` command line for one admin-API request; the HTTP status follows a marker on the last line. */
export function caddyAdminCommand(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, admin = CADDY_ADMIN_ADDRESS): string {
  const data = body === undefined ? '' : ` -H 'Content-Type: application/json' --data-binary ${shellQuote(JSON.stringify(body))}`;
  return `curl -sS -m 15 -X ${method}${data} -w ${shellQuote(`\n${STATUS_MARK}%{http_code}`)} ${shellQuote(`${admin}${path}`)}`;
}

/** One admin-API answer. */
export interface CaddyAnswer {
  status: number;
  body: string;
}

/** Caddy's admin API on one server. */
export class CaddyAdmin {
  constructor(
    private readonly host: RemoteHost,
    private readonly admin = CADDY_ADMIN_ADDRESS,
  ) {}

  /** Sends one request; a transport failure (no curl, Caddy down) is an error naming the server. */
  async request(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, signal?: AbortSignal): Promise<CaddyAnswer> {
    const result = await this.host.exec(caddyAdminCommand(method, path, body, this.admin), signal ? { signal } : {});
    const at = result.stdout.lastIndexOf(STATUS_MARK);
    if (result.code !== 0 || at === -1) {
      const reason = result.code === 127 ? 'curl is not installed there' : result.stderr.trim() || `exit code ${result.code}`;
      throw new GantryError('proxy_unreachable', `Caddy's admin API (${this.admin}) on ${this.host.label} did not answer: ${reason}`);
    }
    return { status: Number(result.stdout.slice(at + STATUS_MARK.length).trim()), body: result.stdout.slice(0, at).replace(/\n$/, '') };
  }

  /** The whole running config. */
  async config(signal?: AbortSignal): Promise<CaddyConfig> {
    const answer = await this.expect(await this.request('GET', '/config/', undefined, signal), 'read its config');
    const parsed = caddyConfig.safeParse(JSON.parse(answer.body || 'null') ?? {});
    if (!parsed.success) throw new GantryError('proxy_config_unreadable', `Caddy's config on ${this.host.label} has a shape Gantry cannot read.`);
    return parsed.data;
  }

  /** The route with this `@id`, or null when Caddy has none. */
  async route(id: string, signal?: AbortSignal): Promise<CaddyRoute | null> {
    const answer = await this.request('GET', `/id/${encodeURIComponent(id)}`, undefined, signal);
    if (answer.status === 404 || (answer.status >= 400 && /unknown object ID/i.test(answer.body))) return null;
    this.expect(answer, `read route ${id}`);
    return JSON.parse(answer.body) as CaddyRoute;
  }

  /** Adds the route (first in the 443 server, so it wins over catch-alls), or replaces the one with the same `@id`. */
  async putRoute(route: CaddyRoute, signal?: AbortSignal): Promise<void> {
    const id = route['@id'];
    if (await this.route(id, signal)) {
      this.expect(await this.request('PATCH', `/id/${encodeURIComponent(id)}`, route, signal), `replace route ${id}`);
      return;
    }
    const server = httpsServerOf(await this.config(signal));
    if (!server) throw new GantryError('proxy_no_https', `Caddy on ${this.host.label} has no HTTP server listening on 443; add one (or a site block) before routing a domain through it.`);
    const path = `/config/apps/http/servers/${encodeURIComponent(server)}/routes`;
    const existing = await this.request('GET', path, undefined, signal);
    const routes = existing.status === 200 ? (JSON.parse(existing.body || 'null') as unknown[] | null) : null;
    if (!routes) this.expect(await this.request('PUT', path, [route], signal), `add route ${id}`);
    else if (routes.length === 0) this.expect(await this.request('POST', path, route, signal), `add route ${id}`);
    else this.expect(await this.request('PUT', `${path}/0`, route, signal), `add route ${id}`);
  }

  /** Removes the route with this `@id`; nothing to do when it is not there. */
  async removeRoute(id: string, signal?: AbortSignal): Promise<void> {
    if (!(await this.route(id, signal))) return;
    this.expect(await this.request('DELETE', `/id/${encodeURIComponent(id)}`, undefined, signal), `remove route ${id}`);
  }

  private expect(answer: CaddyAnswer, what: string): CaddyAnswer {
    if (answer.status >= 200 && answer.status < 300) return answer;
    let message = answer.body.trim();
    try {
      message = (JSON.parse(answer.body) as { error?: string }).error ?? message;
    } catch {
      // Caddy answers errors as JSON; anything else is shown as it came.
    }
    throw new GantryError('proxy_refused', `Caddy on ${this.host.label} refused to ${what} (HTTP ${answer.status}): ${message || 'no reason given'}`);
  }
}
