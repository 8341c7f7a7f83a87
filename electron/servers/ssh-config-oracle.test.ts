import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandTokens, parseJumpHop, parseSshConfig, type LocalContext } from './ssh-config';

/**
 * OpenSSH's own `ssh -G` is the oracle: each config below is written to a temp file, resolved by
 * `ssh -G -F <file> <alias>` and by Gantry, and every option Gantry reads must agree.
 * (`ssh -G` prints IdentityFile unexpanded; the expansion itself is checked against ssh's rules below.)
 */
const dir = mkdtempSync(join(tmpdir(), 'gantry-sshg-'));
const local: LocalContext = { home: homedir(), localUser: userInfo().username, env: { ...process.env, GANTRY_KEYS: '/keys' } };
let fileNo = 0;

function sshG(file: string, alias: string): Map<string, string[]> {
  const out = execFileSync('ssh', ['-G', '-F', file, alias], { encoding: 'utf8', env: { ...process.env, GANTRY_KEYS: '/keys' }, stdio: ['ignore', 'pipe', 'ignore'] });
  const options = new Map<string, string[]>();
  for (const line of out.split('\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const key = line.slice(0, space);
    options.set(key, [...(options.get(key) ?? []), line.slice(space + 1)]);
  }
  return options;
}

/** Writes `config` (with `includes` beside it), and compares every alias, plus `extra` aliases, against ssh -G. */
function agree(config: string, options: { includes?: Record<string, string>; extra?: string[] } = {}): void {
  for (const [name, text] of Object.entries(options.includes ?? {})) writeFileSync(join(dir, name), text);
  const file = join(dir, `config-${++fileNo}`);
  const text = config.replaceAll('$DIR', dir);
  writeFileSync(file, text);
  const hosts = parseSshConfig(text, local.home, undefined, local);
  const aliases = [...hosts.map((h) => h.alias), ...(options.extra ?? [])];
  for (const alias of aliases) {
    const ours = hosts.find((h) => h.alias === alias) ?? parseSshConfig(`${text}\nHost ${alias}\n`, local.home, undefined, local).find((h) => h.alias === alias)!;
    const ssh = sshG(file, alias);
    const context = { host: ssh.get('hostname')![0]!, original: alias, user: ssh.get('user')![0]!, port: ssh.get('port')![0]!, local };
    const theirs = {
      host: ssh.get('hostname')![0],
      port: Number(ssh.get('port')![0]),
      username: ssh.get('user')![0],
      identityFiles: ours.identityFiles.length === 0 ? [] : (ssh.get('identityfile') ?? []).map((path) => expandTokens(path, context)),
      proxyJump: ssh.get('proxyjump')?.[0]?.split(',') ?? [],
      proxyCommand: ssh.has('proxycommand'),
      userKnownHostsFiles: ours.userKnownHostsFiles.length === 0 ? [] : (ssh.get('userknownhostsfile')?.[0]?.split(' ') ?? []),
      hostKeyAlias: ssh.get('hostkeyalias')?.[0] ?? null,
    };
    const mine = {
      host: ours.host,
      port: ours.port,
      username: ours.username ?? local.localUser,
      identityFiles: ours.identityFiles,
      proxyJump: ours.proxyJump,
      proxyCommand: ours.notes.some((n) => n.startsWith('ProxyCommand')),
      userKnownHostsFiles: ours.userKnownHostsFiles,
      hostKeyAlias: ours.hostKeyAlias,
    };
    expect(mine, `alias ${alias} of\n${text}`).toEqual(theirs);
  }
}

describe('ssh config agrees with OpenSSH (ssh -G as the oracle)', () => {
  it('reads comments after Host lines and after values as comments', () => {
    agree('Host web # old name: www\n  HostName 10.0.0.5 # primary\n  Port 2202 # old\n  User deploy #me\nHost www\n  Port 2300\n');
  });

  it('keeps every IdentityFile, also those inherited from Host *, with tokens expanded', () => {
    agree('Host web\n  HostName 10.0.0.5\n  User ops\n  IdentityFile ~/.ssh/%h_%r\n  IdentityFile %d/k_%u\n  IdentityFile ${GANTRY_KEYS}/%n-%p\nHost *\n  IdentityFile /etc/ssh/shared_%h\n  Port 2222\n');
  });

  it('uses the first value of each option, Host patterns are case-sensitive', () => {
    agree('Host Dev dev\n  Port 3000\nHost dev\n  Port 4000\n  User second\nHost DEV\n  User upper\nHost *\n  User fallback\n', { extra: ['DEV'] });
  });

  it('lets an earlier ProxyCommand win over a later ProxyJump, and the reverse', () => {
    agree('Host a\n  ProxyCommand nc %h %p\nHost b\n  ProxyJump ssh://ops@jump.example:2200\nHost *\n  ProxyJump bastion\n  ProxyCommand nc -x proxy %h %p\n');
  });

  it('evaluates Match all, host, originalhost, user, localuser and follows Include after Match all', () => {
    agree(
      [
        'Host web',
        '  HostName web.internal',
        'Host db',
        '  HostName 10.0.0.6',
        `Match host *.internal`,
        '  User internal',
        'Match originalhost db',
        '  Port 5432',
        `Match localuser ${local.localUser}`,
        '  IdentityFile ~/.ssh/mine',
        'Match user internal',
        '  Port 2022',
        'Match all',
        'Include $DIR/extra-1',
      ].join('\n'),
      { includes: { 'extra-1': 'Host web db api\n  HostKeyAlias shared-key\n  UserKnownHostsFile ~/.ssh/lab_known_hosts\n' } },
    );
  });

  it('skips an Include inside a block that does not apply', () => {
    agree('Host web\n  Include $DIR/extra-2\nHost db\n  Port 2200\n', { includes: { 'extra-2': 'Port 2999\nHost *\n  User included\n' }, extra: ['other'] });
  });

  it('reports Match exec as not followed', () => {
    const [host] = parseSshConfig('Host web\nMatch exec "test -f /x"\n  Port 2000\n', local.home, undefined, local);
    expect(host?.port).toBe(22);
    expect(host?.notes.join(' ')).toMatch(/Match exec .* not followed/);
  });
});

describe('token expansion (ssh_config TOKENS)', () => {
  it('expands %h %r %u %d %p %n %% ~ and ${VAR}', () => {
    expect(expandTokens('~/.ssh/%h-%r-%u-%p-%n-%%-${GANTRY_KEYS}', { host: 'h', original: 'a', user: 'r', port: '22', local: { ...local, localUser: 'me', home: '/home/me' } })).toBe(
      '/home/me/.ssh/h-r-me-22-a-%-/keys',
    );
  });

  it('splits ssh:// ProxyJump hops without the scheme in the user name', () => {
    expect(parseJumpHop('ssh://ops@jump.example:2200')).toEqual({ username: 'ops', host: 'jump.example', port: 2200 });
  });
});
