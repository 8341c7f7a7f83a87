import { describe, expect, it } from 'vitest';
import { MASK, redactJson } from './redact';

describe('redactJson', () => {
  it('keeps step ids that read like a password pair, and the JSON valid', () => {
    const plan = { steps: [{ id: 'set-database-password:0b6e2c1a-8f4e-4a43-9d55-1c7f0c9a1b2e', kind: 'set-database-password' }], command: ['sh', '-c', 'echo "<password>%s</password>" > /etc/users.xml'] };
    const out = JSON.parse(redactJson(JSON.stringify(plan))) as typeof plan;
    expect(out.steps[0]!.id).toBe(plan.steps[0]!.id);
    expect(out.steps[0]!.kind).toBe('set-database-password');
    expect(out.command).toHaveLength(3);
  });

  it('masks secret-named values, credentials in URLs and secret flags', () => {
    const plan = { env: { DB_PASSWORD: 'hunter2-seeded', DATABASE_URL: 'postgres://app:s3cr3t-seeded@db:5432/shop', HOST: 'db' }, command: ['redis-server', '--requirepass', 'r3d1s-seeded'] };
    const text = redactJson(JSON.stringify(plan));
    for (const secret of ['hunter2-seeded', 's3cr3t-seeded', 'r3d1s-seeded']) expect(text).not.toContain(secret);
    const out = JSON.parse(text) as typeof plan;
    expect(out.env.DB_PASSWORD).toBe(MASK);
    expect(out.env.DATABASE_URL).toBe(`postgres://app:${MASK}@db:5432/shop`);
    expect(out.env.HOST).toBe('db');
  });

  it('masks text that is not JSON as text', () => {
    expect(redactJson('password=hunter2-seeded')).not.toContain('hunter2-seeded');
  });
});
