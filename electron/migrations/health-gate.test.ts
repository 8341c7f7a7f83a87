import { describe, expect, it } from 'vitest';
import { waitForReady } from './health-gate';
import { FakeRemoteHost } from './testing/fake-remote-host';

const running = JSON.stringify({ Status: 'running', Running: true, Restarting: false, ExitCode: 0 });

describe('the health gate of a database without a Docker health check', () => {
  it('waits for the readiness query, not for the container merely running', async () => {
    let asked = 0;
    const host = new FakeRemoteHost().on(
      { pattern: /^docker inspect/, result: { stdout: running } },
      { pattern: /pg_isready-like/, answer: () => (++asked < 3 ? { code: 1, stderr: 'no response' } : { code: 0 }) },
    );
    const readiness = await waitForReady(host, 'uat-db', { timeoutMs: 10_000, pollMs: 10, stableMs: 0, query: { command: 'docker exec uat-db pg_isready-like', engine: 'PostgreSQL' }, signal: new AbortController().signal });
    expect(readiness).toMatchObject({ ready: true, how: 'database query' });
    expect(asked).toBe(3);
  });

  it('gives up with the reason when the database never answers, though its container keeps running', async () => {
    const host = new FakeRemoteHost().on({ pattern: /^docker inspect/, result: { stdout: running } }, { pattern: /pg_isready-like/, result: { code: 2, stderr: 'FATAL: the database system is starting up' } });
    const readiness = await waitForReady(host, 'uat-db', { timeoutMs: 200, pollMs: 10, stableMs: 0, query: { command: 'docker exec uat-db pg_isready-like', engine: 'PostgreSQL' }, signal: new AbortController().signal });
    expect(readiness.ready).toBe(false);
    expect(readiness.ready ? '' : readiness.reason).toContain('PostgreSQL does not answer a query yet: FATAL: the database system is starting up');
  });
});
