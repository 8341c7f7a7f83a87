// Maintenance runs into production (rollback, restore, restore a backup, rotate credentials, change
// a domain), against a FAKE server that records commands: which kind a run is, who may start one,
// what the policy refuses, and that an allowed run is recorded on the server with the starter's
// signature (checked with OpenSSH's own `ssh-keygen -Y verify`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signedText } from '@shared/approvals/canonical';
import { maintenanceFile, type PolicyBody } from '@shared/approvals/documents';
import { describePolicyChanges } from '@shared/approvals/policy-changes';
import { FakeRemoteHost } from '../migrations/testing/fake-remote-host';
import type { SpecSealer } from '../inventory/spec-hash';
import { ApprovalsArea } from './approvals-area';
import { ApprovalsLocalState } from './local-state';
import { maintenanceKindOf, maintenanceRefusal } from './maintenance';
import { ApprovalGate } from './run-approval';
import { signPolicy } from './sign-documents';
import { keyFingerprint } from './sshsig';
import { makeIdentities } from './testing/test-identities';

const who = makeIdentities(['alice', 'carol'] as const);
const noSecrets = { set: () => undefined, get: () => null, delete: () => undefined };
const step = (kind: string) => ({ kind }) as never;

function policyBody(extra: Partial<PolicyBody> = {}): PolicyBody {
  return {
    format: 1,
    kind: 'gantry-policy',
    version: 1,
    previous: null,
    protectedEnvironments: [],
    members: [
      { principal: 'alice', publicKey: who.alice.signer.publicKey, roles: ['request', 'approve', 'deploy'] },
      { principal: 'carol', publicKey: who.carol.signer.publicKey, roles: ['approve'] },
    ],
    approvalsRequired: 1,
    changedBy: 'alice',
    changedAt: new Date().toISOString(),
    ...extra,
  };
}

async function gateWith(body: PolicyBody, operator: 'alice' | 'carol' | null) {
  const host = new FakeRemoteHost('prod');
  const state = new ApprovalsLocalState(mkdtempSync(join(tmpdir(), 'gantry-maint-')), noSecrets);
  const policy = await signPolicy(who.alice, body);
  state.pin('s1', policy);
  if (operator) state.saveIdentity({ principal: operator, keyPath: who[operator].keyPath });
  host.on({ pattern: /policy\.json/, result: { stdout: `P policy.json ${Buffer.from(JSON.stringify(policy)).toString('base64')}\n` } });
  const area = new ApprovalsArea({ state, hosts: () => host, servers: () => [{ id: 's1', name: 'prod' }] });
  const gate = new ApprovalGate(area, () => ({}) as SpecSealer, 'laptop');
  const rollback = (signal?: AbortSignal) => gate.check({ serverId: 's1', host, target: { name: 'production', production: true }, migrationId: 'run-1', ticket: null, kind: 'rollback', steps: [step('restore-container')], ...(signal ? { signal } : {}) });
  return { host, gate, rollback };
}

describe('maintenance runs into a protected environment', () => {
  it('are told apart by their kind and steps', () => {
    expect(maintenanceKindOf({ kind: 'rollback', steps: [step('restore-container'), step('route-domain')] })).toBe('rollback');
    expect(maintenanceKindOf({ kind: 'restore', steps: [step('restore-container')] })).toBe('restore');
    expect(maintenanceKindOf({ kind: 'restore', steps: [step('backup-database'), step('restore-database')] })).toBe('restore-backup');
    expect(maintenanceKindOf({ kind: 'restore', steps: [step('backup-database'), step('set-database-password'), step('replace-container')] })).toBe('rotate-credentials');
    expect(maintenanceKindOf({ kind: 'restore', steps: [step('route-domain')] })).toBe('change-domain');
    expect(maintenanceKindOf({ kind: 'restore', steps: [step('replace-container'), step('wait-healthy'), step('check-certificate'), step('record-resource')] })).toBe('change-domain');
    expect(maintenanceKindOf({ kind: 'change-domain', steps: [] })).toBe('change-domain');
  });

  it('need a deployer of the policy with their own key, and the policy may refuse a kind', () => {
    const policy = policyBody({ maintenanceRefused: ['restore-backup'] });
    const alice = { principal: 'alice', publicKey: who.alice.signer.publicKey };
    expect(maintenanceRefusal({ policy, kind: 'rollback', starter: alice, target: 'production', server: 'prod' })).toBeNull();
    expect(maintenanceRefusal({ policy, kind: 'restore-backup', starter: alice, target: 'production', server: 'prod' })?.message).toBe(
      'The approval policy of prod refuses a restore of a backup into production without an approval: migrate what should run there through an approved request instead, or have the approvers change the policy.',
    );
    expect(maintenanceRefusal({ policy, kind: 'rollback', starter: { principal: 'carol', publicKey: who.carol.signer.publicKey }, target: 'production', server: 'prod' })?.message).toBe('carol may not start a rollback into production: under the policy of prod only alice may.');
    expect(maintenanceRefusal({ policy, kind: 'rollback', starter: { principal: 'alice', publicKey: who.carol.signer.publicKey }, target: 'production', server: 'prod' })?.code).toBe('not_a_deployer');
    expect(maintenanceRefusal({ policy, kind: 'rollback', starter: null, target: 'production', server: 'prod' })?.message).toMatch(/set up your signing key in Approvals first/);
    expect(describePolicyChanges(policyBody(), policy)).toEqual(['now refuses restore-backup runs without an approval']);
  });

  it('a rollback by alice is recorded on the server with her signature (ssh-keygen -Y verify accepts it) and named in the log', async () => {
    const { host, rollback } = await gateWith(policyBody(), 'alice');
    const lines = await rollback();
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^A rollback into production needs no approval under policy sha256:[0-9a-f]{12}: started by alice \\(${keyFingerprint(who.alice.signer.publicKey).replace(/[+/]/g, '\\$&')}\\), recorded on prod$`))]);
    const write = host.commands.find((command) => command.includes('/var/lib/gantry/approvals/maintenance/run-1.json'));
    expect(write).toBeDefined();
  });

  it('a rollback the policy refuses, or by someone who may not deploy, is refused before any record is written', async () => {
    const refusing = await gateWith(policyBody({ maintenanceRefused: ['rollback'] }), 'alice');
    await expect(refusing.rollback()).rejects.toMatchObject({ code: 'maintenance_refused' });
    expect(refusing.host.commands.some((command) => command.includes('maintenance'))).toBe(false);
    const carol = await gateWith(policyBody(), 'carol');
    await expect(carol.rollback()).rejects.toMatchObject({ code: 'not_a_deployer' });
    const nobody = await gateWith(policyBody(), null);
    await expect(nobody.rollback()).rejects.toMatchObject({ code: 'no_identity' });
  });

  it('the record verifies with OpenSSH', async () => {
    const { signMaintenance } = await import('./sign-documents');
    const record = await signMaintenance(who.alice, { migrationId: 'run-1', run: 'rollback', title: 'rollback', target: { name: 'production', production: true }, server: 'prod', policyDigest: `sha256:${'0'.repeat(64)}`, machine: 'laptop', at: new Date().toISOString() });
    expect(maintenanceFile.parse(record)).toEqual(record);
    const dir = mkdtempSync(join(tmpdir(), 'gantry-maint-sig-'));
    writeFileSync(join(dir, 'allowed'), `alice namespaces="gantry-approval" ${who.alice.signer.publicKey}\n`);
    writeFileSync(join(dir, 'sig'), `${record.signature}\n`);
    const out = execFileSync('ssh-keygen', ['-Y', 'verify', '-f', join(dir, 'allowed'), '-I', 'alice', '-n', 'gantry-approval', '-s', join(dir, 'sig')], { input: signedText(record.body), encoding: 'utf8' });
    expect(out).toMatch(/Good "gantry-approval" signature for alice/);
  });
});
