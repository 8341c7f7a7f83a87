import { describe, expect, it } from 'vitest';
import { parseJumpHop, parseSshConfig } from './ssh-config';

describe('parseSshConfig', () => {
  it('resolves each Host alias the way ssh does: first value wins, wildcards give defaults', () => {
    const hosts = parseSshConfig(
      [
        '# my servers',
        'Host bastion',
        '  HostName 203.0.113.10',
        '  User jump',
        '',
        'Host web web-alias',
        '  HostName=10.0.0.5',
        '  Port 2222',
        '  IdentityFile ~/.ssh/web_ed25519',
        '  IdentityFile ~/.ssh/ignored_second',
        '  ProxyJump bastion,ops@10.0.0.1:2200',
        '',
        'Host db',
        '  HostName "10.0.0.6"',
        '  ProxyJump none',
        '',
        'Match host *.internal',
        '  User not-applied',
        '',
        'Host *.example.com !skip',
        '  User wildcard',
        '',
        'Host *',
        '  User deploy',
        '  Port 22',
      ].join('\n'),
      '/home/op',
    );
    expect(hosts.map((h) => h.alias)).toEqual(['bastion', 'web', 'web-alias', 'db']);
    expect(hosts[0]).toEqual({ alias: 'bastion', host: '203.0.113.10', port: 22, username: 'jump', identityFile: null, proxyJump: [] });
    expect(hosts[1]).toEqual({ alias: 'web', host: '10.0.0.5', port: 2222, username: 'deploy', identityFile: '/home/op/.ssh/web_ed25519', proxyJump: ['bastion', 'ops@10.0.0.1:2200'] });
    expect(hosts[2]!.host).toBe('10.0.0.5');
    expect(hosts[3]).toMatchObject({ host: '10.0.0.6', username: 'deploy', proxyJump: [] });
  });

  it('uses the alias itself when there is no HostName', () => {
    expect(parseSshConfig('Host plain.example.org\n')).toMatchObject([{ alias: 'plain.example.org', host: 'plain.example.org', port: 22, username: null }]);
  });
});

describe('parseJumpHop', () => {
  it('splits user, host and port', () => {
    expect(parseJumpHop('ops@10.0.0.1:2200')).toEqual({ username: 'ops', host: '10.0.0.1', port: 2200 });
    expect(parseJumpHop('bastion')).toEqual({ username: null, host: 'bastion', port: null });
    expect(parseJumpHop('[fd00::1]:22')).toEqual({ username: null, host: 'fd00::1', port: 22 });
  });
});
