// The gate's cost and its first refusals, against a FAKE server (it records commands): a uat run on
// a server this Gantry never pinned sends nothing; production without an approval is refused.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeRemoteHost } from '../migrations/testing/fake-remote-host';
import type { SpecSealer } from '../inventory/spec-hash';
import { ApprovalsArea } from './approvals-area';
import { ApprovalsLocalState } from './local-state';
import { ApprovalGate } from './run-approval';
import { signPolicy } from './sign-documents';
import { makeIdentities } from './testing/test-identities';

const who = makeIdentities(['alice'] as const);
const noSecrets = { set: () => undefined, get: () => null, delete: () => undefined };

function gateFor(host: FakeRemoteHost) {
  const state = new ApprovalsLocalState(mkdtempSync(join(tmpdir(), 'gantry-gate-')), noSecrets);
  const area = new ApprovalsArea({ state, hosts: () => host, servers: () => [{ id: 's1', name: host.label }] });
  return { state, gate: new ApprovalGate(area, () => ({}) as SpecSealer, 'machine') };
}

describe('the approval gate', () => {
  it('sends no command for a uat run on a server whose policy this Gantry never pinned', async () => {
    const host = new FakeRemoteHost('uat');
    const { gate } = gateFor(host);
    expect(await gate.check({ serverId: 's1', host, target: { name: 'uat', production: false }, migrationId: 'm', ticket: null })).toEqual([]);
    expect(host.commands).toEqual([]);
  });

  it('refuses production without an approved request, with or without a policy on the server', async () => {
    const host = new FakeRemoteHost('prod');
    const { gate } = gateFor(host);
    await expect(gate.check({ serverId: 's1', host, target: { name: 'production', production: true }, migrationId: 'm', ticket: null })).rejects.toThrow(/^production on prod is protected: no Gantry migrates into it without an approved request/);
    await expect(gate.check({ serverId: 's1', host, target: { name: 'production', production: true }, migrationId: 'm', ticket: { serverId: 's1', requestId: '00000000-0000-4000-8000-000000000000', planDigest: 'sha256:x' } })).rejects.toThrow(/prod has no approval policy/);
  });

  it('reads the policy for a uat run once its server is pinned, and lets it through when uat is not protected', async () => {
    const host = new FakeRemoteHost('uat');
    const { state, gate } = gateFor(host);
    const policy = await signPolicy(who.alice, { format: 1, kind: 'gantry-policy', version: 1, previous: null, protectedEnvironments: [], members: [{ principal: 'alice', publicKey: who.alice.signer.publicKey, roles: ['approve'] }], approvalsRequired: 1, changedBy: 'alice', changedAt: new Date().toISOString() });
    state.pin('s1', policy);
    host.on({ pattern: /policy\.json/, result: { stdout: `P policy.json ${Buffer.from(JSON.stringify(policy)).toString('base64')}\n` } });
    expect(await gate.check({ serverId: 's1', host, target: { name: 'uat', production: false }, migrationId: 'm', ticket: null })).toEqual([]);
    expect(host.commands).toHaveLength(1);
    const protecting = await signPolicy(who.alice, { ...policy.body, version: 2, previous: null, protectedEnvironments: ['uat'] });
    state.pin('s1', protecting);
    host.on({ pattern: /policy\.json/, result: { stdout: `P policy.json ${Buffer.from(JSON.stringify(protecting)).toString('base64')}\n` } });
    await expect(gate.check({ serverId: 's1', host, target: { name: 'uat', production: false }, migrationId: 'm', ticket: null })).rejects.toThrow(/^uat on uat is protected/);
  });
});
