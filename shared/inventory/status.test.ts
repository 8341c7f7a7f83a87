import { describe, expect, it } from 'vitest';
import { resourceStatus, type LiveInstance, type StatusInput } from './status';

const live: LiveInstance = { specHash: 'h1', imageId: 'sha256:img1', imageCreated: '2026-11-01T00:00:00Z', state: 'running', health: 'healthy' };
const base: StatusInput = { reachable: true, live, recordedHash: 'h1', upstream: null, promotedFromHash: null };

describe('resourceStatus', () => {
  it('is in sync when the live spec matches what Gantry recorded', () => expect(resourceStatus(base).status).toBe('in_sync'));
  it('is unreachable when the server could not be reached, whatever else holds', () =>
    expect(resourceStatus({ ...base, reachable: false, live: null }).status).toBe('unreachable'));
  it('is absent when no container runs', () => expect(resourceStatus({ ...base, live: null }).status).toBe('absent'));
  it('is drifted when the live hash differs from the recorded one', () => {
    const verdict = resourceStatus({ ...base, live: { ...live, specHash: 'h2' } });
    expect(verdict.status).toBe('drifted');
    expect(verdict.reason).toMatch(/outside Gantry/);
  });
  it('does not call a never-recorded instance drifted', () => expect(resourceStatus({ ...base, recordedHash: null }).status).toBe('in_sync'));
  it('is unhealthy when Docker says so or the container is not running', () => {
    expect(resourceStatus({ ...base, live: { ...live, health: 'unhealthy' } }).status).toBe('unhealthy');
    expect(resourceStatus({ ...base, live: { ...live, state: 'exited' } }).reason).toMatch(/exited/);
  });
  it('lists every condition that holds, most important first', () => {
    const verdict = resourceStatus({ ...base, live: { ...live, specHash: 'h2', health: 'unhealthy' } });
    expect(verdict).toMatchObject({ status: 'drifted', also: ['unhealthy'] });
  });

  describe('behind upstream', () => {
    const newer: LiveInstance = { ...live, specHash: 'u1', imageId: 'sha256:img2', imageCreated: '2026-11-20T00:00:00Z' };
    it('is behind when upstream runs a newer image', () =>
      expect(resourceStatus({ ...base, upstream: { reachable: true, live: newer } }).status).toBe('behind'));
    it('is not behind when upstream runs an older image', () =>
      expect(resourceStatus({ ...base, upstream: { reachable: true, live: { ...newer, imageCreated: '2026-10-01T00:00:00Z' } } }).status).toBe('in_sync'));
    it('is not behind when upstream runs the same image with an environment-specific spec', () =>
      expect(resourceStatus({ ...base, upstream: { reachable: true, live: { ...newer, imageId: live.imageId } } }).status).toBe('in_sync'));
    it('uses the promotion baseline when there is one', () => {
      expect(resourceStatus({ ...base, promotedFromHash: 'u1', upstream: { reachable: true, live: newer } }).status).toBe('in_sync');
      expect(resourceStatus({ ...base, promotedFromHash: 'u0', upstream: { reachable: true, live: newer } }).reason).toMatch(/since it was last promoted/);
    });
    it('does not judge when upstream is unreachable or absent', () => {
      expect(resourceStatus({ ...base, upstream: { reachable: false, live: null } }).status).toBe('in_sync');
      expect(resourceStatus({ ...base, upstream: { reachable: true, live: null } }).status).toBe('in_sync');
    });
  });
});
