// A policy change signed by several approvers, against a FAKE server that keeps the approval
// folder's files in memory (the lab test proves the same between two real engines): a change that
// needs two approvers waits as a proposal after the first signature, applies with the second, and
// every Gantry that pinned the old policy follows the signed chain; a non-approver cannot sign.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { PolicyBody } from '@shared/approvals/documents';
import { FakeRemoteHost } from '../migrations/testing/fake-remote-host';
import type { RemoteProcess } from '../servers/remote-host';
import { ApprovalsArea } from './approvals-area';
import { ApprovalsLocalState } from './local-state';
import { APPROVALS_DIR } from './server-store';
import { makeIdentities } from './testing/test-identities';

const who = makeIdentities(['alice', 'bob', 'carol'] as const);
const noSecrets = { set: () => undefined, get: () => null, delete: () => undefined };

/** The approvals folder of one FAKE server, in memory: writes through spawn, listings through exec. */
class FakeApprovalsServer extends FakeRemoteHost {
  readonly files = new Map<string, string>();

  constructor() {
    super('prod');
    const line = (tag: string, name: string, path: string) => `${tag} ${name} ${Buffer.from(this.files.get(path)!).toString('base64')}\n`;
    this.on(
      { pattern: /policies\/\*\.json/, answer: () => ({ stdout: [...this.files.keys()].filter((path) => path === `${APPROVALS_DIR}/policy.json`).map((path) => line('P', 'policy.json', path)).join('') + [...this.files.keys()].filter((path) => path.startsWith(`${APPROVALS_DIR}/policies/`)).map((path) => line('H', path.slice(APPROVALS_DIR.length + 1), path)).join('') }) },
      { pattern: /cd \/var\/lib\/gantry\/approvals\/proposals/, answer: () => ({ stdout: [...this.files.keys()].filter((path) => path.startsWith(`${APPROVALS_DIR}/proposals/`)).map((path) => line('F', path.split('/').pop()!, path)).join('') }) },
      { pattern: /rm -f \S+proposals\//, answer: (command) => (this.files.delete(/rm -f (\S+\.json)/.exec(command)![1]!), {}) },
    );
  }

  override async spawn(command: string): Promise<RemoteProcess> {
    this.commands.push(command);
    const path = /cat > (\S+)\.tmp\.\$\$/.exec(command)?.[1];
    const stdin = new PassThrough();
    let content = '';
    stdin.on('data', (chunk: Buffer) => (content += chunk.toString()));
    const done = new Promise<{ code: number; stderr: string }>((resolve) => stdin.on('end', () => (path && this.files.set(path, content), resolve({ code: 0, stderr: '' }))));
    const stdout = new PassThrough();
    stdout.end('WRITTEN\n');
    return { stdin, stdout, done, kill: () => undefined };
  }
}

function gantryOf(server: FakeApprovalsServer, name: 'alice' | 'bob' | 'carol') {
  const state = new ApprovalsLocalState(mkdtempSync(join(tmpdir(), `gantry-policy-${name}-`)), noSecrets);
  state.saveIdentity({ principal: name, keyPath: who[name].keyPath });
  return new ApprovalsArea({ state, hosts: () => server, servers: () => [{ id: 's1', name: 'prod' }] });
}

const members = (deployer: 'alice' | 'bob'): PolicyBody['members'] =>
  (['alice', 'bob', 'carol'] as const).map((name) => ({ principal: name, publicKey: who[name].signer.publicKey, roles: name === 'carol' ? ['request'] : name === deployer ? ['request', 'approve', 'deploy'] : ['request', 'approve'] }));

describe('a policy change signed by several approvers', () => {
  it('waits for the second approver when two are required, then applies; every pinned Gantry follows', async () => {
    const server = new FakeApprovalsServer();
    const alice = gantryOf(server, 'alice');
    const bob = gantryOf(server, 'bob');
    const carol = gantryOf(server, 'carol');
    const first = await alice.setupPolicy({ serverId: 's1', members: members('alice'), approvalsRequired: 2, protectedEnvironments: [], maintenanceRefused: [] });
    expect(first).toMatchObject({ state: 'pinned', version: 1, members: expect.arrayContaining([expect.objectContaining({ principal: 'carol', roles: ['request'] })]) });
    for (const other of [bob, carol]) await other.pinPolicy('s1', (await other.policyView('s1')).digest!);

    const proposed = await alice.proposePolicy({ serverId: 's1', members: members('bob'), approvalsRequired: 2, protectedEnvironments: ['uat'], maintenanceRefused: ['rollback'] });
    expect(proposed).toMatchObject({ version: 1, maintenanceRefused: [] });
    expect(proposed.proposals).toEqual([
      expect.objectContaining({ version: 2, changedBy: 'alice', signedBy: ['alice'], approvalsRequired: 2, stale: false, changes: ["changed alice's roles from request, approve, deploy to request, approve", "changed bob's roles from request, approve to request, approve, deploy", 'now protects uat', 'now refuses rollback runs without an approval'] }),
    ]);
    const digest = proposed.proposals[0]!.digest;
    await expect(carol.cosignPolicy({ serverId: 's1', digest })).rejects.toMatchObject({ code: 'not_an_approver' });

    const applied = await bob.cosignPolicy({ serverId: 's1', digest });
    expect(applied).toMatchObject({ state: 'pinned', version: 2, protectedEnvironments: ['uat'], maintenanceRefused: ['rollback'], proposals: [] });
    expect(server.files.has(`${APPROVALS_DIR}/policies/${first.digest!.slice('sha256:'.length)}.json`)).toBe(true);
    for (const other of [alice, carol]) expect(await other.policyView('s1')).toMatchObject({ state: 'pinned', version: 2, digest: applied.digest });
  });

  it('applies at once when one signature is enough, and refuses a change that changes nothing', async () => {
    const server = new FakeApprovalsServer();
    const alice = gantryOf(server, 'alice');
    await alice.setupPolicy({ serverId: 's1', members: members('alice'), approvalsRequired: 1, protectedEnvironments: [], maintenanceRefused: [] });
    await expect(alice.proposePolicy({ serverId: 's1', members: members('alice'), approvalsRequired: 1, protectedEnvironments: [], maintenanceRefused: [] })).rejects.toMatchObject({ code: 'no_change' });
    expect(await alice.proposePolicy({ serverId: 's1', members: members('alice'), approvalsRequired: 1, protectedEnvironments: [], maintenanceRefused: ['restore-backup'] })).toMatchObject({ version: 2, maintenanceRefused: ['restore-backup'], proposals: [] });
  });
});
