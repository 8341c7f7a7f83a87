/**
 * Runtime settings in the canonical spec: each `docker run` option that changes how a workload
 * runs is read from inspect output, and changing any one of them changes the spec (so its hash,
 * drift detection and a promote all see it). Starts from real inspect output of the lab
 * (fixtures/web.json) and changes one field the way Docker would store that option.
 */
import { describe, expect, it } from 'vitest';
import { flattenSpec } from '../migration/diff';
import { canonicalJson } from './canonical-json';
import type { ContainerInspectInfo } from './docker-inspect';
import { defaultRuntime, resourceSpec, type RuntimeSpec } from './resource-spec';
import { maskSpec } from './secrets';
import { specFromInspect } from './spec-from-inspect';

const fixtures = import.meta.glob<unknown>('./fixtures/web.json', { eager: true, import: 'default' });
const base = (fixtures['./fixtures/web.json'] as ContainerInspectInfo[])[0]!;
const variant = (change: (inspect: ContainerInspectInfo) => void): ContainerInspectInfo => {
  const copy = structuredClone(base);
  change(copy);
  return copy;
};

/** One option per row: how Docker stores it, and the runtime field it lands in. */
const options: [string, keyof RuntimeSpec, (inspect: ContainerInspectInfo) => void][] = [
  ['--init (dropped)', 'init', (i) => void (i.HostConfig.Init = null)],
  ['--hostname', 'hostname', (i) => void (i.Config.Hostname = 'web-host')],
  ['--domainname', 'domainname', (i) => void (i.Config.Domainname = 'lab.internal')],
  ['-t', 'tty', (i) => void (i.Config.Tty = true)],
  ['-i', 'openStdin', (i) => void (i.Config.OpenStdin = true)],
  ['--stop-signal', 'stopSignal', (i) => void (i.Config.StopSignal = 'SIGINT')],
  ['--stop-timeout', 'stopTimeoutSec', (i) => void (i.Config.StopTimeout = 7)],
  ['--cap-add', 'capAdd', (i) => void (i.HostConfig.CapAdd = ['SYS_PTRACE'])],
  ['--cap-drop', 'capDrop', (i) => void (i.HostConfig.CapDrop = ['MKNOD'])],
  ['--privileged', 'privileged', (i) => void (i.HostConfig.Privileged = true)],
  ['--device', 'devices', (i) => void (i.HostConfig.Devices = [{ PathOnHost: '/dev/zero', PathInContainer: '/dev/z', CgroupPermissions: 'rwm' }])],
  ['--gpus', 'deviceRequests', (i) => void (i.HostConfig.DeviceRequests = [{ Driver: '', Count: -1, DeviceIDs: null, Capabilities: [['gpu']], Options: {} }])],
  ['--ulimit', 'ulimits', (i) => void (i.HostConfig.Ulimits = [{ Name: 'nofile', Soft: 1024, Hard: 2048 }])],
  ['--sysctl', 'sysctls', (i) => void (i.HostConfig.Sysctls = { 'net.core.somaxconn': '1024' })],
  ['--security-opt', 'securityOpt', (i) => void (i.HostConfig.SecurityOpt = ['no-new-privileges'])],
  ['--read-only', 'readOnlyRootfs', (i) => void (i.HostConfig.ReadonlyRootfs = true)],
  ['--tmpfs options', 'tmpfs', (i) => void (i.HostConfig.Tmpfs = { '/tmp/cache': 'size=16m' })],
  ['--shm-size', 'shmSizeBytes', (i) => void (i.HostConfig.ShmSize = 128 * 1024 * 1024)],
  ['--group-add', 'groupAdd', (i) => void (i.HostConfig.GroupAdd = ['100'])],
  ['--ipc', 'ipcMode', (i) => void (i.HostConfig.IpcMode = 'shareable')],
  ['--pid', 'pidMode', (i) => void (i.HostConfig.PidMode = 'host')],
  ['--memory-reservation', 'memoryReservationBytes', (i) => void (i.HostConfig.MemoryReservation = 32 * 1024 * 1024)],
  ['--memory-swap', 'memorySwapBytes', (i) => void (i.HostConfig.MemorySwap = -1)],
  ['--cpu-shares', 'cpuShares', (i) => void (i.HostConfig.CpuShares = 512)],
  ['--cpuset-cpus', 'cpusetCpus', (i) => void (i.HostConfig.CpusetCpus = '0')],
  ['--log-driver', 'logConfig', (i) => void (i.HostConfig.LogConfig = { Type: 'local', Config: {} })],
  ['--log-opt', 'logConfig', (i) => void (i.HostConfig.LogConfig = { Type: 'json-file', Config: { 'max-size': '1m' } })],
  ['--add-host', 'extraHosts', (i) => void (i.HostConfig.ExtraHosts = ['db.internal:10.0.0.5'])],
  ['--dns', 'dns', (i) => void (i.HostConfig.Dns = ['10.0.0.53'])],
  ['--dns-search', 'dnsSearch', (i) => void (i.HostConfig.DnsSearch = ['lab.internal'])],
  ['--dns-option', 'dnsOptions', (i) => void (i.HostConfig.DnsOptions = ['ndots:2'])],
];

describe('runtime settings in the spec', () => {
  it('reads the fixture as Docker stored it: --init, Docker-chosen host name, json-file logs, a 64 MiB shm', () => {
    const runtime = specFromInspect(base).runtime;
    expect(runtime).toMatchObject({ init: true, hostname: '', privileged: false, shmSizeBytes: 64 * 1024 * 1024, logConfig: { driver: 'json-file', options: {} } });
    expect(runtime.tmpfs).toEqual({ '/tmp/cache': 'size=8m' });
  });

  it.each(options)('sees %s: the spec, its diff and the field %s change', (_option, field, change) => {
    const before = specFromInspect(base);
    const after = specFromInspect(variant(change));
    expect(canonicalJson(after)).not.toBe(canonicalJson(before));
    expect(canonicalJson(after.runtime[field])).not.toBe(canonicalJson(before.runtime[field]));
    expect(flattenSpec(after).get(`runtime.${field}`)).not.toBe(flattenSpec(before).get(`runtime.${field}`));
  });

  it('orders capabilities, keeps DNS servers in the order given', () => {
    const a = specFromInspect(variant((i) => Object.assign(i.HostConfig, { CapAdd: ['SYS_PTRACE', 'NET_ADMIN'], Dns: ['10.0.0.2', '10.0.0.1'] })));
    const b = specFromInspect(variant((i) => Object.assign(i.HostConfig, { CapAdd: ['NET_ADMIN', 'SYS_PTRACE'], Dns: ['10.0.0.1', '10.0.0.2'] })));
    expect(a.runtime.capAdd).toEqual(b.runtime.capAdd);
    expect(a.runtime.dns).not.toEqual(b.runtime.dns);
  });

  it('does not take the host name of the host network for the container’s own', () => {
    const onHost = specFromInspect(variant((i) => Object.assign(i.HostConfig, { NetworkMode: 'host' }) && Object.assign(i.Config, { Hostname: 'dev-server' })));
    expect(onHost.runtime.hostname).toBe('');
  });

  it('masks credentials given to the log driver', () => {
    const spec = specFromInspect(variant((i) => void (i.HostConfig.LogConfig = { Type: 'splunk', Config: { 'splunk-token': 'f00dcafe-1234', 'splunk-url': 'https://splunk.lab:8088' } })));
    const shown = JSON.stringify(maskSpec(spec));
    expect(shown).not.toContain('f00dcafe-1234');
    expect(shown).toContain('https://splunk.lab:8088');
  });

  it('reads a spec recorded before runtime settings existed with Docker’s defaults', () => {
    const { runtime: _dropped, ...old } = specFromInspect(base);
    expect(resourceSpec.parse(old).runtime).toEqual(defaultRuntime);
  });
});
