import { describe, expect, it } from 'vitest';
import { dockerFailure } from './docker-over-ssh';

// Messages as the Docker CLI and a POSIX shell print them.
describe('dockerFailure', () => {
  it('tells "not installed", "permission denied" and "daemon down" apart', () => {
    expect(dockerFailure('bash: line 1: docker: command not found', 127, 'uat')?.code).toBe('docker_not_installed');
    expect(
      dockerFailure('permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/_ping": dial unix /var/run/docker.sock: connect: permission denied', 1, 'uat'),
    ).toMatchObject({ code: 'docker_permission_denied', message: expect.stringContaining('usermod -aG docker') });
    expect(dockerFailure('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?', 1, 'uat')?.code).toBe('docker_daemon_down');
    expect(dockerFailure('error during connect: dial unix /var/run/docker.sock: connect: no such file or directory', 1, 'uat')?.code).toBe('docker_daemon_down');
    expect(dockerFailure('unknown flag: --bogus', 125, 'uat')).toMatchObject({ code: 'docker_failed', message: expect.stringContaining('exit 125') });
  });

  it('is null for a clean exit', () => {
    expect(dockerFailure('', 0, 'uat')).toBeNull();
  });
});
