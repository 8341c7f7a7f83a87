import { describe, expect, it } from 'vitest';
import { caddyAdminRoute } from '@shared/domains/proxy-routing';
import type { ExecResult, RemoteHost } from '../servers/remote-host';
import { CaddyAdmin, caddyAdminCommand } from './caddy-admin';

/** A fake server that answers admin-API curl commands from a table (the live Caddy is in domains.int.test.ts). */
function fakeHost(answers: (command: string) => { status: number; body: string } | ExecResult): RemoteHost & { commands: string[] } {
  const commands: string[] = [];
  return {
    label: 'prod (fake)',
    commands,
    exec: async (command: string) => {
      commands.push(command);
      const answer = answers(command);
      return 'code' in answer ? answer : { code: 0, stdout: `${answer.body}\n@@gantry:status=${answer.status}`, stderr: '' };
    },
    spawn: () => Promise.reject(new Error('not used')),
    docker: () => {
      throw new Error('not used');
    },
  };
}

describe('caddyAdminCommand', () => {
  it('is one curl to the loopback admin API with the JSON body quoted for the shell', () => {
    expect(caddyAdminCommand('POST', '/config/apps/http/servers/https/routes', { a: "it's" })).toBe(
      `curl -sS -m 15 -X POST -H 'Content-Type: application/json' --data-binary '{"a":"it'\\''s"}' -w '\n@@gantry:status=%{http_code}' 'http://localhost:2019/config/apps/http/servers/https/routes'`,
    );
  });
});

describe('CaddyAdmin.putRoute', () => {
  const route = caddyAdminRoute({ containerName: 'prod-web', domain: 'shop.example.com', dial: '127.0.0.1:8080' });
  const config = JSON.stringify({ apps: { http: { servers: { web: { listen: [':443'], routes: [{ match: [{ host: ['other.example.com'] }] }] } } } } });

  it('inserts a new route first in the 443 server, so a catch-all cannot shadow it', async () => {
    const host = fakeHost((command) => (command.includes('/id/') ? { status: 404, body: '{"error":"unknown object ID"}' } : command.includes('/config/ ') || command.endsWith("/config/'") ? { status: 200, body: config } : { status: 200, body: '[{}]' }));
    await new CaddyAdmin(host).putRoute(route);
    expect(host.commands.at(-1)).toMatch(/-X PUT .*'http:\/\/localhost:2019\/config\/apps\/http\/servers\/web\/routes\/0'$/s);
  });

  it('replaces a route with the same @id in place', async () => {
    const host = fakeHost(() => ({ status: 200, body: JSON.stringify(route) }));
    await new CaddyAdmin(host).putRoute(route);
    expect(host.commands.at(-1)).toMatch(/-X PATCH .*\/id\/gantry-route-prod-web'$/s);
  });

  it('says when Caddy has no server on 443, or when curl is missing', async () => {
    const none = fakeHost((command) => (command.includes('/id/') ? { status: 404, body: '' } : { status: 200, body: '{}' }));
    await expect(new CaddyAdmin(none).putRoute(route)).rejects.toMatchObject({ code: 'proxy_no_https' });
    const noCurl = fakeHost(() => ({ code: 127, stdout: '', stderr: 'sh: curl: not found' }));
    await expect(new CaddyAdmin(noCurl).route('x')).rejects.toThrow(/curl is not installed there/);
  });
});
