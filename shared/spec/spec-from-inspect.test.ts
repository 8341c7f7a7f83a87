/**
 * specFromInspect against real `docker inspect` output captured from a lab dockerd
 * (shared/spec/fixtures/capture.sh). Equal canonical JSON means equal SHA-256, so these tests
 * compare canonical JSON (shared/ has no node:crypto); electron/inventory hashes it.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';
import type { ContainerInspectInfo, ImageInspectInfo } from './docker-inspect';
import { resourceSpec } from './resource-spec';
import { maskSpec, sealSpec } from './secrets';
import { specFromInspect } from './spec-from-inspect';

const fixtures = import.meta.glob<unknown>('./fixtures/*.json', { eager: true, import: 'default' });
function fixture(name: string): unknown {
  const value = fixtures[`./fixtures/${name}.json`];
  if (value === undefined) throw new Error(`Missing fixture ${name}.json: capture it with shared/spec/fixtures/capture.sh`);
  return value;
}
const [web, webAgain, webRecreated, webEnv, webEnvStopped, webSecret, webImage, webPort, webMount, webLabel, postgres, postgresRecreated] = [
  'web', 'web-again', 'web-recreated', 'web-env', 'web-env-stopped', 'web-secret', 'web-image', 'web-port', 'web-mount', 'web-label', 'postgres', 'postgres-recreated',
].map(fixture);

const images = ['image-webapp-1', 'image-webapp-2', 'image-postgres-15'].map(fixture).map((list) => (list as unknown as ImageInspectInfo[])[0]!);
const container = (list: unknown) => (list as ContainerInspectInfo[])[0]!;
const specOf = (list: unknown) => {
  const inspect = container(list);
  return specFromInspect(inspect, images.find((image) => image.Id === inspect.Image));
};
// A stand-in for the main side's HMAC: any function of the secret shows whether sealing follows it.
const sealed = (list: unknown) => canonicalJson(sealSpec(specOf(list), (secret) => [...secret].map((c) => c.charCodeAt(0).toString(16)).join('')));

describe('specFromInspect (real inspect output)', () => {
  it('produces a valid ResourceSpec with what the container was given', () => {
    const spec = resourceSpec.parse(specOf(web));
    expect(spec.image.ref).toBe('gantry-lab/webapp:1');
    expect(spec.image.id).toMatch(/^sha256:/);
    expect(spec.env).toEqual({ API_TOKEN: 'fixture-token', APP_MODE: 'dev', DATABASE_URL: 'postgres://app:fixture-s3cret@db:5432/app' });
    expect(spec.ports).toEqual([{ containerPort: 8080, protocol: 'tcp', hostIp: '', hostPort: 18080 }]);
    expect(spec.mounts).toEqual([{ type: 'volume', source: 'inv-fixture-data', target: '/data', readOnly: false }]);
    // `--tmpfs` is a runtime setting, kept with its options.
    expect(spec.runtime.tmpfs).toEqual({ '/tmp/cache': 'size=8m' });
    expect(spec.labels).toEqual({ 'app.owner': 'team-a' });
    expect(spec.restartPolicy).toEqual({ name: 'unless-stopped', maximumRetryCount: 0 });
    expect(spec.limits.memoryBytes).toBe(64 * 1024 * 1024);
    expect(spec.healthcheck).toMatchObject({ intervalMs: 30_000, retries: 3 });
    expect(spec.networks).toEqual([{ name: 'inv-fixture-net', aliases: ['web'] }]);
  });

  it('leaves out what the image supplies and Gantry bookkeeping labels', () => {
    const spec = specOf(web);
    expect(Object.keys(spec.env)).not.toContain('PATH');
    expect(Object.keys(spec.env)).not.toContain('PYTHONUNBUFFERED');
    expect(Object.keys(spec.labels).filter((key) => key.startsWith('org.opencontainers') || key.startsWith('gantry.'))).toEqual([]);
    // Without the image, its defaults are part of the container's env.
    expect(Object.keys(specFromInspect(container(web)).env)).toContain('PATH');
  });

  it('gives the same spec for the same container inspected twice', () => expect(sealed(webAgain)).toBe(sealed(web)));

  it('gives the same spec for a container recreated identically (new id, new timestamps)', () => {
    expect(container(webRecreated).Id).not.toBe(container(web).Id);
    expect(sealed(webRecreated)).toBe(sealed(web));
  });

  it('gives the same spec to a stopped container as to the running one', () => expect(sealed(webEnvStopped)).toBe(sealed(webEnv)));

  it('ignores the random name of an anonymous volume', () => {
    expect(container(postgresRecreated).Mounts?.[0]?.Name).not.toBe(container(postgres).Mounts?.[0]?.Name);
    expect(specOf(postgres).mounts).toEqual([{ type: 'volume', source: '', target: '/var/lib/postgresql/data', readOnly: false }]);
    expect(sealed(postgresRecreated)).toBe(sealed(postgres));
  });

  it.each([
    ['an env var', webEnv],
    ['a secret env value', webSecret],
    ['the image', webImage],
    ['a published port', webPort],
    ['a mount', webMount],
    ['a label', webLabel],
  ])('changes when %s changes', (_what, changed) => expect(sealed(changed)).not.toBe(sealed(web)));

  it('shows no secret once masked', () => {
    const text = JSON.stringify([maskSpec(specOf(web)), maskSpec(specOf(postgres))]);
    for (const secret of ['fixture-token', 'fixture-s3cret', 'fixture-pg-pass']) expect(text).not.toContain(secret);
    expect(text).toContain('postgres://app:');
  });
});
