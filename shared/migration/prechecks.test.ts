import { describe, expect, it } from 'vitest';
import { planMigration } from './plan';
import { checkActiveMigration, checkContainerNames, checkDisk, checkDrift, checkEmptyEnv, checkPorts, checkServer, checkVolumes, nextFreePort, type PlannedForChecks } from './prechecks';
import { devToUat, healthyFacts, sequentialUuids } from './test-fixtures';

const GiB = 1024 ** 3;

function context(overrides: Parameters<typeof healthyFacts>[0] = {}) {
  return { serverName: 'uat-server', targetName: 'uat', facts: healthyFacts(overrides) };
}

function planned(overrides: Partial<PlannedForChecks> = {}): PlannedForChecks {
  return { resourceId: 'api', name: 'api', mode: 'clone', containerName: 'uat-api', env: {}, ports: [{ containerPort: 3000, protocol: 'tcp', hostIp: '', hostPort: 8080 }], volumesToCreate: [], ...overrides };
}

describe('pre-checks', () => {
  it('blocks at 4% free disk with a message naming the server and the numbers', () => {
    const check = checkDisk(context({ disk: { totalBytes: 50 * GiB, freeBytes: 2 * GiB } }));
    expect(check.severity).toBe('blocking');
    expect(check.message).toBe('uat-server has only 4.0% free (2.0 GiB of 50.0 GiB); a migration needs at least 5% free. Free space there first (e.g. docker image prune).');
  });

  it('warns between 5% and 20% free, and is fine from 20%', () => {
    expect(checkDisk(context({ disk: { totalBytes: 100 * GiB, freeBytes: 5 * GiB } })).severity).toBe('warning');
    expect(checkDisk(context({ disk: { totalBytes: 100 * GiB, freeBytes: 19.9 * GiB } })).message).toContain('uat-server is low on disk: 19.9% free');
    expect(checkDisk(context({ disk: { totalBytes: 100 * GiB, freeBytes: 20 * GiB } })).severity).toBe('ok');
    expect(checkDisk(context({ disk: null })).severity).toBe('warning');
  });

  it('suggests 8081 when 8080 is busy and 8081 is free', () => {
    const [check] = checkPorts(context({ publishedPorts: [{ hostPort: 8080, protocol: 'tcp', hostIp: '', holder: 'legacy-app' }] }), [planned()]);
    expect(check).toMatchObject({ severity: 'blocking', suggestion: { portKey: '3000/tcp', hostPort: 8081 } });
    expect(check?.message).toBe('api wants host port 8080/tcp on uat-server, but legacy-app already publishes it. Port 8081 is free: use it for api, or free 8080 first.');
  });

  it('skips ports that are taken to suggest the next free one', () => {
    const busy = [8080, 8081, 8082].map((hostPort) => ({ hostPort, protocol: 'tcp' as const, hostIp: '', holder: 'other' }));
    expect(checkPorts(context({ publishedPorts: busy }), [planned()])[0]?.suggestion?.hostPort).toBe(8083);
    expect(nextFreePort(8080, 'udp', busy)).toBe(8081);
  });

  it('does not count the port the promoted container itself holds, nor a port on another address or protocol', () => {
    expect(checkPorts(context({ publishedPorts: [{ hostPort: 8080, protocol: 'tcp', hostIp: '', holder: 'uat-api' }] }), [planned({ mode: 'promote' })])[0]?.severity).toBe('ok');
    const bound = [planned({ ports: [{ containerPort: 3000, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 }] })];
    expect(checkPorts(context({ publishedPorts: [{ hostPort: 8080, protocol: 'tcp', hostIp: '10.0.0.5', holder: 'x' }] }), bound)[0]?.severity).toBe('ok');
    expect(checkPorts(context({ publishedPorts: [{ hostPort: 8080, protocol: 'udp', hostIp: '', holder: 'x' }] }), [planned()])[0]?.severity).toBe('ok');
  });

  it('catches two resources of the same plan wanting one port', () => {
    const checks = checkPorts(context({ publishedPorts: [] }), [planned(), planned({ resourceId: 'admin', name: 'admin', containerName: 'uat-admin' })]);
    expect(checks).toHaveLength(1);
    expect(checks[0]?.message).toContain('admin wants host port 8080/tcp on uat-server, but uat-api already publishes it. Port 8081 is free');
  });

  it('blocks when the server cannot be reached or Docker does not answer, saying which', () => {
    expect(checkServer(context({ reachable: false, reachError: 'connect ECONNREFUSED 10.213.47.12:22' })).message).toBe(
      'uat-server cannot be reached over SSH: connect ECONNREFUSED 10.213.47.12:22. Check that it is up and that Servers › Test connection succeeds.',
    );
    expect(checkServer(context({ dockerOk: false, dockerError: 'permission denied on /var/run/docker.sock' })).message).toContain('Docker is not usable on uat-server: permission denied');
  });

  it('warns when the target was changed by hand since Gantry recorded it', () => {
    const [drifted] = checkDrift(context({ specHashes: [{ resourceId: 'api', liveSpecHash: 'b', recordedSpecHash: 'a', recordedAt: '2026-11-20 10:00 UTC' }] }), [planned({ mode: 'promote' })]);
    expect(drifted?.severity).toBe('warning');
    expect(drifted?.message).toContain('api on uat was changed outside Gantry since it was last recorded (2026-11-20 10:00 UTC)');
    expect(checkDrift(context({ specHashes: [{ resourceId: 'api', liveSpecHash: 'a', recordedSpecHash: 'a' }] }), [planned({ mode: 'promote' })])[0]?.severity).toBe('ok');
    expect(checkDrift(context(), [planned({ mode: 'clone' })])).toEqual([]);
  });

  it('warns about env vars with empty values, naming them', () => {
    const [check] = checkEmptyEnv(context(), [planned({ env: { SENTRY_DSN: '', NODE_ENV: 'production', SMTP_HOST: '' } })]);
    expect(check?.severity).toBe('warning');
    expect(check?.message).toBe('api will run on uat with empty env vars: SENTRY_DSN, SMTP_HOST. Set them on the target afterwards if the app needs them.');
  });

  it('warns while another migration holds the target server, naming who, and that this one will wait', () => {
    const check = checkActiveMigration(context({ activeMigration: { id: 'mig-42', operator: 'alice', machine: 'alice-laptop', since: '2026-11-25 19:58 UTC', target: 'staging' } }));
    expect(check.severity).toBe('warning');
    expect(check.message).toBe(
      'Another migration is running into staging on uat-server, the server of uat: mig-42 by alice on alice-laptop, since 2026-11-25 19:58 UTC. One migration at a time per server: this one waits (pending) until it ends, and can be cancelled while it waits.',
    );
  });

  it('blocks when a new volume already exists on the target', () => {
    const [check] = checkVolumes(context({ volumes: ['uat-api-data'] }), [planned({ volumesToCreate: ['uat-api-data'] })]);
    expect(check?.severity).toBe('blocking');
    expect(check?.message).toContain('The volume uat-api-data for api already exists on uat-server');
  });

  it('does not speak of new volumes or names for an update that creates none', () => {
    const update = [planned({ mode: 'promote', volumesToCreate: [] })];
    expect(checkVolumes(context({ volumes: ['uat-api-data'] }), update)).toEqual([{ id: 'volumes', check: 'volumes', severity: 'ok', message: 'No volume is created on uat-server: the migrated resources keep the volumes they have or use none.' }]);
    expect(checkContainerNames(context({ containerNames: ['uat-api'] }), update)[0]?.message).toBe('No container is created on uat-server: each migrated resource replaces its own container.');
    expect(checkVolumes(context({ volumes: [] }), [planned({ volumesToCreate: ['uat-api-data'] })])[0]?.message).toBe('The new volumes do not exist yet on uat-server.');
  });

  it("blocks a clone whose container name someone else's container already has", () => {
    const [check] = checkContainerNames(context({ containerNames: ['uat-api'] }), [planned()]);
    expect(check?.severity).toBe('blocking');
    expect(check?.message).toBe('A container named uat-api already exists on uat-server, but it is not api of uat. Rename or remove it there (docker rename / docker rm) before cloning api.');
    expect(checkContainerNames(context({ containerNames: ['uat-api'] }), [planned({ mode: 'promote' })])[0]?.severity).toBe('ok');
  });
});

describe('pre-checks in a plan', () => {
  it('reports only the unreachable server (its other facts mean nothing) and blocks', () => {
    const plan = planMigration(devToUat({ includeMissingDependencies: true, target: { server: { id: 's', name: 'uat-server' }, facts: healthyFacts({ reachable: false, disk: null }) } }), { newUuid: sequentialUuids() });
    expect(plan.blocking).toBe(true);
    expect(plan.prechecks.map((check) => `${check.check}:${check.severity}`)).toEqual(['server:blocking', 'dependencies:ok', 'empty-env:ok', 'empty-env:warning']);
  });

  it('goes ahead with warnings only', () => {
    const plan = planMigration(devToUat({ includeMissingDependencies: true }), { newUuid: sequentialUuids() });
    expect(plan.prechecks.filter((check) => check.severity !== 'ok').map((check) => check.id)).toEqual(['empty-env:web']);
    expect(plan.blocking).toBe(false);
  });
});
