// The approver's live check, its pure parts: how the live target differs from what a request
// recorded (a hash that differs only by another installation's key is not a change), and the
// pre-checks re-run against facts read now.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { healthyFacts, specWith } from '@shared/migration/test-fixtures';
import { SpecSealer } from '../inventory/spec-hash';
import { livePrechecks, targetChanges } from './live-review';

const requester = new SpecSealer(randomBytes(32));
const approver = new SpecSealer(randomBytes(32));
const web = specWith({ env: { APP_MODE: 'production', DB_PASSWORD: 'hunter2-long-secret' } });

describe('the live check of a request', () => {
  const recorded = [{ resourceId: 'web', name: 'web', containerName: 'prod-web', liveSpecHash: requester.seal(web).hash }];

  it('finds nothing when the target runs what was recorded, even sealed with another installation key', () => {
    expect(targetChanges(recorded, new Map([['prod-web', web]]), requester, {})).toEqual([]);
    expect(targetChanges(recorded, new Map([['prod-web', web]]), approver, { web })).toEqual([]);
  });

  it('names a changed, vanished or new container', () => {
    const changed = { ...web, restartPolicy: { name: 'unless-stopped' } } as typeof web;
    const [line] = targetChanges(recorded, new Map([['prod-web', changed]]), approver, { web });
    expect(line).toMatch(/^web's spec is [0-9a-f]{12}, requested at [0-9a-f]{12}$/);
    expect(targetChanges(recorded, new Map(), approver, { web })).toEqual(['prod-web is gone']);
    expect(targetChanges([{ ...recorded[0]!, liveSpecHash: null }], new Map([['prod-web', web]]), approver, {})).toEqual(['prod-web now exists']);
  });

  it('re-runs the target pre-checks: a port now taken blocks, an unreachable server is all it says', () => {
    const resources = [{ resourceId: 'web', name: 'web', mode: 'promote', target: { containerName: 'prod-web' }, desiredSpec: { env: {}, ports: [{ containerPort: 80, hostPort: 8080, protocol: 'tcp', hostIp: '' }] }, volumesToCreate: [] }] as never;
    const taken = livePrechecks({ serverName: 'prod', targetName: 'production', facts: healthyFacts({ publishedPorts: [{ hostPort: 8080, protocol: 'tcp', hostIp: '', holder: 'other' }] }) }, resources);
    expect(taken.find((check) => check.check === 'ports')).toMatchObject({ severity: 'blocking', message: expect.stringContaining('other already publishes it') });
    const down = livePrechecks({ serverName: 'prod', targetName: 'production', facts: healthyFacts({ reachable: false, reachError: 'timed out' }) }, resources);
    expect(down).toEqual([expect.objectContaining({ check: 'server', severity: 'blocking' })]);
  });
});
