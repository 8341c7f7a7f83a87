import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJumpHop, parseSshConfig } from './ssh-config';

/** A home folder with these files (paths relative to it), on the real file system. */
function homeWith(files: Record<string, string>): string {
  const home = mkdtempSync(join(tmpdir(), 'gantry-sshconfig-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(home, path)), { recursive: true });
    writeFileSync(join(home, path), text);
  }
  return home;
}

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
    expect(hosts[0]).toMatchObject({ alias: 'bastion', host: '203.0.113.10', port: 22, username: 'jump', identityFile: null, proxyJump: [] });
    expect(hosts[1]).toMatchObject({ alias: 'web', host: '10.0.0.5', port: 2222, username: 'deploy', identityFile: '/home/op/.ssh/web_ed25519', proxyJump: ['bastion', 'ops@10.0.0.1:2200'] });
    expect(hosts[2]!.host).toBe('10.0.0.5');
    expect(hosts[3]).toMatchObject({ host: '10.0.0.6', username: 'deploy', proxyJump: [] });
  });

  it('uses the alias itself when there is no HostName', () => {
    expect(parseSshConfig('Host plain.example.org\n')).toMatchObject([{ alias: 'plain.example.org', host: 'plain.example.org', port: 22, username: null }]);
  });
});

describe('parseSshConfig: Include', () => {
  it('follows Include like ssh: relative to ~/.ssh, globs in lexical order, first value still wins', () => {
    const home = homeWith({
      '.ssh/config.d/20-lab': 'Host lab-dev\n  HostName 10.213.47.11\n  User root\nHost web\n  Port 2200\n',
      '.ssh/config.d/10-work': 'Host web\n  HostName 10.0.0.5\n  Port 2222\n',
      '.ssh/config.d/.hidden': 'Host hidden\n',
      '.ssh/extra.conf': 'Host extra\n  HostName 192.0.2.7\n',
    });
    const hosts = parseSshConfig(['Include config.d/*', `Include ${home}/.ssh/extra.conf ~/.ssh/missing-file`, 'Host *', '  User deploy'].join('\n'), home);
    expect(hosts.map((h) => h.alias)).toEqual(['web', 'lab-dev', 'extra']);
    expect(hosts.find((h) => h.alias === 'web')).toMatchObject({ host: '10.0.0.5', port: 2222, username: 'deploy' });
    expect(hosts.find((h) => h.alias === 'lab-dev')).toMatchObject({ host: '10.213.47.11', username: 'root' });
    expect(hosts.find((h) => h.alias === 'extra')).toMatchObject({ host: '192.0.2.7', username: 'deploy' });
  });

  it('applies an Include inside a Host block only to that block, and options after it still belong to the block', () => {
    const home = homeWith({ '.ssh/jump-opts': 'User jumper\nPort 2022\n' });
    const hosts = parseSshConfig(['Host bastion', '  HostName 203.0.113.10', '  Include jump-opts', '  IdentityFile ~/.ssh/jump_key', 'Host app', '  HostName 10.0.0.9'].join('\n'), home);
    expect(hosts.find((h) => h.alias === 'bastion')).toMatchObject({ alias: 'bastion', host: '203.0.113.10', port: 2022, username: 'jumper', identityFile: `${home}/.ssh/jump_key`, proxyJump: [] });
    expect(hosts.find((h) => h.alias === 'app')).toMatchObject({ port: 22, username: null });
  });

  it('stops an Include loop at ssh’s depth limit instead of hanging', () => {
    const home = homeWith({ '.ssh/loop': 'Include loop\nHost looped\n  HostName 10.1.1.1\n' });
    expect(parseSshConfig('Include loop\n', home)).toMatchObject([{ alias: 'looped', host: '10.1.1.1', port: 22, username: null, identityFile: null, proxyJump: [] }]);
  });
});

describe('parseJumpHop', () => {
  it('splits user, host and port', () => {
    expect(parseJumpHop('ops@10.0.0.1:2200')).toEqual({ username: 'ops', host: '10.0.0.1', port: 2200 });
    expect(parseJumpHop('bastion')).toEqual({ username: null, host: 'bastion', port: null });
    expect(parseJumpHop('[fd00::1]:22')).toEqual({ username: null, host: 'fd00::1', port: 22 });
  });
});
