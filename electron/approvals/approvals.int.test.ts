/**
 * Four eyes on production, against the lab: two real engine processes with their own data folders
 * and keys (alice, bob). alice requests uat → production, cannot approve it herself, bob approves
 * from his Gantry, and the run checks everything on the prod server under its lock. Each forgery
 * the threat model names is refused with its reason; two Gantrys starting the same approved request
 * at once run it exactly once. Needs the build (`npx electron-vite build`) and the lab.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RequestChannel, RequestOf } from '@shared/ipc/contract';
import { startEngineProcess, type EngineProcess } from '../migrations/testing/engine-process';
import { signedText } from '@shared/approvals/canonical';
import { requestDigest } from './verify';
import { signDecision } from './sign-documents';
import { makeIdentities } from './testing/test-identities';
import { APPROVALS_DIR } from './server-store';
import { keyFingerprint } from './sshsig';

const lab = inject('lab');
const root = mkdtempSync(join(tmpdir(), 'gantry-approvals-int-'));
const who = makeIdentities(['alice', 'bob', 'mallory'] as const);
const TAG = 'apr';
let alice: EngineProcess;
let bob: EngineProcess;
let projectId = '';
let env: { uat: string; production: string } = { uat: '', production: '' };
let webId = '';
let prodServerId = '';
let bobProdServerId = '';

function sh(server: 'uat' | 'prod', command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', ['-i', lab.keys.plain, '-o', `UserKnownHostsFile=${lab.knownHostsFile}`, '-o', 'BatchMode=yes', `root@${lab.servers[server].host}`, command]);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`${server}: ${command}: ${err}`))));
  });
}

async function saveServer(engine: EngineProcess, server: 'uat' | 'prod'): Promise<string> {
  const { server: saved } = await engine.call('servers:save', {
    server: { name: `${TAG}-${server}`, host: lab.servers[server].host, port: 22, username: 'root', auth: { method: 'key-file', keyPath: lab.keys.plain } },
    pin: { fingerprint: lab.servers[server].hostKey.fingerprint, algorithm: lab.servers[server].hostKey.publicKey.split(' ')[0]! },
  });
  return saved.id;
}

/** The error a call returns (the test bridge throws with the frame in the message). */
async function refusal<C extends RequestChannel>(engine: EngineProcess, channel: C, request: RequestOf<C>): Promise<{ code: string; message: string }> {
  try {
    await engine.call(channel, request);
  } catch (error) {
    const frame = JSON.parse((error as Error).message.replace(/^.*? failed: /, '')) as { result: { error: { code: string; message: string } } };
    return frame.result.error;
  }
  throw new Error(`${channel} succeeded`);
}

async function untilSettled(engine: EngineProcess, migrationId: string) {
  for (let i = 0; i < 600; i++) {
    const detail = await engine.call('migrations:get', { migrationId });
    if (!['pending', 'running'].includes(detail.migration.status)) return detail;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`migration ${migrationId} did not settle`);
}

/** alice plans web uat → production and requests its approval; returns the request id. */
async function aliceRequests(): Promise<string> {
  const planned = await alice.call('migrations:plan', { projectId, sourceEnvId: env.uat, targetEnvId: env.production, resourceIds: [webId] });
  expect(planned.plan.resources[0]?.mode).toBe('promote');
  const { requestId } = await alice.call('approvals:request', { planId: planned.planId, options: { waitForReady: true, healthTimeoutSec: 120 } });
  return requestId;
}

/** Starts an approved request from `engine` and waits for the run's end. */
async function startAndSettle(engine: EngineProcess, serverId: string, requestId: string) {
  const { migrationId } = await engine.call('approvals:start', { serverId, requestId });
  return untilSettled(engine, migrationId);
}

const cleanup = `docker rm -fv ${TAG}-uat-web ${TAG}-prod-web $(docker ps -aq --filter name=${TAG}-prod-web) >/dev/null 2>&1; rm -rf ${APPROVALS_DIR}; true`;

beforeAll(async () => {
  await sh('uat', cleanup);
  await sh('prod', cleanup);
  await sh('uat', `docker run -d --name ${TAG}-uat-web --init -e APP_MODE=uat gantry-lab/webapp:2 >/dev/null`);
  await sh('prod', `docker run -d --name ${TAG}-prod-web --init -e APP_MODE=production gantry-lab/webapp:1 >/dev/null`);
  // One inventory, then two operators: bob's Gantry starts from a copy of alice's data folder
  // (so both know the project), with its own key, pins and engine.
  const aliceDir = join(root, 'alice');
  const setup = await startEngineProcess(aliceDir);
  const uatId = await saveServer(setup, 'uat');
  prodServerId = await saveServer(setup, 'prod');
  const { project } = await setup.call('projects:create', { name: 'approvals', environments: [{ name: 'uat' }, { name: 'production', production: true }] });
  projectId = project.id;
  const chain = (await setup.call('inventory:graph', { projectId })).environments;
  env = { uat: chain[0]!.id, production: chain[1]!.id };
  await setup.call('environments:bind', { environmentId: env.uat, serverId: uatId });
  await setup.call('environments:bind', { environmentId: env.production, serverId: prodServerId });
  const { resource } = await setup.call('resources:adopt', { environmentId: env.uat, container: `${TAG}-uat-web`, resource: { name: 'web', kind: 'application' } });
  webId = resource.id;
  await setup.call('resources:adopt', { environmentId: env.production, container: `${TAG}-prod-web`, resource: { resourceId: webId } });
  setup.kill();
  await new Promise((resolve) => setTimeout(resolve, 300));
  cpSync(aliceDir, join(root, 'bob'), { recursive: true });
  alice = await startEngineProcess(aliceDir);
  bob = await startEngineProcess(join(root, 'bob'));
  bobProdServerId = prodServerId;
  await alice.call('approvals:set-identity', { principal: 'alice', keyPath: who.alice.keyPath });
  await bob.call('approvals:set-identity', { principal: 'bob', keyPath: who.bob.keyPath });
});

afterAll(async () => {
  alice?.kill();
  bob?.kill();
  await sh('uat', cleanup).catch(() => undefined);
  await sh('prod', cleanup).catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

describe('production approvals between two Gantrys', () => {
  it('alice sets up prod’s policy; bob sees it unpinned and pins it on purpose', async () => {
    const members = [
      { principal: 'alice', publicKey: who.alice.signer.publicKey, roles: ['request', 'approve', 'deploy'] as const },
      { principal: 'bob', publicKey: who.bob.signer.publicKey, roles: ['request', 'approve', 'deploy'] as const },
    ].map((member) => ({ ...member, roles: [...member.roles] }));
    const policy = await alice.call('approvals:setup-policy', { serverId: prodServerId, members, approvalsRequired: 1 });
    expect(policy).toMatchObject({ state: 'pinned', approvalsRequired: 1, version: 1 });
    expect(await sh('prod', `cat ${APPROVALS_DIR}/allowed_signers`)).toBe(`alice namespaces="gantry-approval" ${who.alice.signer.publicKey}\nbob namespaces="gantry-approval" ${who.bob.signer.publicKey}`);
    const seen = await bob.call('approvals:policy', { serverId: bobProdServerId });
    expect(seen.state).toBe('unpinned');
    expect(seen.digest).toBe(policy.digest);
    expect((await bob.call('approvals:pin-policy', { serverId: bobProdServerId, digest: seen.digest! })).state).toBe('pinned');
  });

  it('refuses a production run started without an approval, changing nothing', async () => {
    const planned = await alice.call('migrations:plan', { projectId, sourceEnvId: env.uat, targetEnvId: env.production, resourceIds: [webId] });
    const { migrationId } = await alice.call('migrations:start', { planId: planned.planId, options: { waitForReady: true, healthTimeoutSec: 120 } });
    const detail = await untilSettled(alice, migrationId);
    expect(detail.migration.status).toBe('failed');
    expect(detail.migration.message).toMatch(/^production on .* is protected: no Gantry migrates into it without an approved request\..* Nothing on the target was changed\.$/);
    expect(await sh('prod', `docker inspect --format '{{.Config.Image}}' ${TAG}-prod-web`)).toBe('gantry-lab/webapp:1');
  });

  let requestId = '';
  it('alice requests; her own approval is refused; bob sees the request and approves it', async () => {
    requestId = await aliceRequests();
    const own = await refusal(alice, 'approvals:decide', { serverId: prodServerId, requestId, decision: 'approve' });
    expect(own).toEqual({ code: 'own_request', message: 'You (alice) requested this run; someone else must approve it.' });
    const listed = (await bob.call('approvals:list', {})).requests.find((entry) => entry.id === requestId)!;
    expect(listed).toMatchObject({ state: 'pending_approval', source: 'uat', target: 'production', requester: { principal: 'alice', fingerprint: keyFingerprint(who.alice.signer.publicKey) }, mine: false });
    expect(listed.summary.changes.join('\n')).toMatch(/webapp:1 → gantry-lab\/webapp:2|image/);
    const { request } = await bob.call('approvals:decide', { serverId: bobProdServerId, requestId, decision: 'approve' });
    expect(request.state).toBe('approved');
    expect(request.approvals).toEqual([{ principal: 'bob', fingerprint: keyFingerprint(who.bob.signer.publicKey), at: expect.any(String) }]);
    expect((await alice.call('approvals:list', {})).requests.find((entry) => entry.id === requestId)).toMatchObject({ state: 'approved', mine: true });
  });

  /** Writes a decision made in the test (with a key file the test holds) into a request's folder on prod. */
  async function plantDecision(target: string, decision: Awaited<ReturnType<typeof signDecision>>, name: string) {
    await sh('prod', `cat > ${APPROVALS_DIR}/requests/${target}/decisions/${name}.json <<'EOF'\n${JSON.stringify(decision)}\nEOF`);
  }
  async function requestFileOf(id: string) {
    return JSON.parse(await sh('prod', `cat ${APPROVALS_DIR}/requests/${id}/request.json`)) as Parameters<typeof requestDigest>[0];
  }

  it('refuses an approved request edited on the server (summary or digest)', async () => {
    const edited = await aliceRequests();
    await bob.call('approvals:decide', { serverId: bobProdServerId, requestId: edited, decision: 'approve' });
    await sh('prod', `sed -i 's/"title": "web: uat → production"/"title": "nothing to see"/' ${APPROVALS_DIR}/requests/${edited}/request.json`);
    const refused = await refusal(alice, 'approvals:start', { serverId: prodServerId, requestId: edited });
    expect(refused.code).toBe('request_invalid');
    expect(refused.message).toMatch(/^This request cannot be trusted: the request on the server was changed after alice signed it \(the signature does not match the signed text\)/);
    expect((await bob.call('approvals:list', {})).requests.find((entry) => entry.id === edited)?.state).toBe('invalid');
  });

  it('does not count an approval signed by a key not in the policy, nor one copied from another request', async () => {
    const forged = await aliceRequests();
    const file = await requestFileOf(forged);
    const asBob = { principal: 'bob', signer: who.mallory.signer };
    await plantDecision(forged, await signDecision(asBob, { id: forged, digest: requestDigest(file), expiresAt: file.body.expiresAt }, { decision: 'approve' }), 'bob-forged');
    const byForeignKey = await refusal(alice, 'approvals:start', { serverId: prodServerId, requestId: forged });
    expect(byForeignKey).toEqual({ code: 'not_approved', message: `This request has 0 of the 1 approvals it needs (bob's decision is signed by a key that is not in the policy (${keyFingerprint(who.mallory.signer.publicKey)})).` });
    await sh('prod', `cp ${APPROVALS_DIR}/requests/${requestId}/decisions/*.json ${APPROVALS_DIR}/requests/${forged}/decisions/`);
    const copied = await refusal(alice, 'approvals:start', { serverId: prodServerId, requestId: forged });
    expect(copied.message).toMatch(/bob's decision was made for another request \([0-9a-f]{8}\)/);
  });

  it('refuses an expired approval', async () => {
    const stale = await aliceRequests();
    const file = await requestFileOf(stale);
    const shortLived = new Date(Date.now() + 1500).toISOString();
    await plantDecision(stale, await signDecision(who.bob, { id: stale, digest: requestDigest(file), expiresAt: file.body.expiresAt }, { decision: 'approve', expiresAt: shortLived }), 'bob-short');
    expect((await alice.call('approvals:list', {})).requests.find((entry) => entry.id === stale)?.state).toBe('approved');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const refused = await refusal(alice, 'approvals:start', { serverId: prodServerId, requestId: stale });
    expect(refused).toEqual({ code: 'not_approved', message: `This request has 0 of the 1 approvals it needs (bob's approval expired at ${shortLived}).` });
  });

  it('bob rejects with a reason; alice cannot start it and is told who rejected it and why; it stays listed', async () => {
    const rejected = await aliceRequests();
    expect((await refusal(bob, 'approvals:decide', { serverId: bobProdServerId, requestId: rejected, decision: 'reject' })).code).toBe('reason_required');
    const { request } = await bob.call('approvals:decide', { serverId: bobProdServerId, requestId: rejected, decision: 'reject', reason: 'not during the sale' });
    expect(request).toMatchObject({ state: 'rejected', rejection: { principal: 'bob', fingerprint: keyFingerprint(who.bob.signer.publicKey), reason: 'not during the sale' } });
    expect(await refusal(alice, 'approvals:start', { serverId: prodServerId, requestId: rejected })).toEqual({ code: 'request_rejected', message: 'bob rejected this request: not during the sale. Request again once that is addressed.' });
    expect((await alice.call('approvals:list', {})).requests.find((entry) => entry.id === rejected)?.state).toBe('rejected');
  });

  it('refuses an approved run when production was changed by hand after the approval', async () => {
    const changed = await aliceRequests();
    await bob.call('approvals:decide', { serverId: bobProdServerId, requestId: changed, decision: 'approve' });
    await sh('prod', `docker update --restart unless-stopped ${TAG}-prod-web >/dev/null`);
    try {
      const detail = await startAndSettle(alice, prodServerId, changed);
      expect(detail.migration.status).toBe('failed');
      expect(detail.migration.message).toMatch(/^production changed since bob approved it \(web's spec is [0-9a-f]{12}, approved at [0-9a-f]{12}\): request again\. Nothing on the target was changed\.$/);
    } finally {
      await sh('prod', `docker update --restart no ${TAG}-prod-web >/dev/null`);
    }
  });

  it('refuses protected runs when the policy is edited on the server without the approvers’ signatures, naming who changed what', async () => {
    const original = await sh('prod', `cat ${APPROVALS_DIR}/policy.json`);
    const policy = JSON.parse(original) as { body: { members: unknown[]; changedBy: string } };
    policy.body.members.push({ principal: 'mallory', publicKey: who.mallory.signer.publicKey, roles: ['approve', 'deploy'] });
    policy.body.changedBy = 'mallory';
    await sh('prod', `cat > ${APPROVALS_DIR}/policy.json <<'EOF'\n${JSON.stringify(policy)}\nEOF`);
    try {
      const refused = await refusal(alice, 'approvals:start', { serverId: prodServerId, requestId });
      expect(refused.code).toBe('policy_changed');
      expect(refused.message).toMatch(/^The approval policy on .* was changed without the approvers' signatures \(.*\): mallory at .* added mallory \(approve, deploy\)\. Protected runs are refused/);
      expect((await bob.call('approvals:policy', { serverId: bobProdServerId })).state).toBe('changed');
    } finally {
      await sh('prod', `cat > ${APPROVALS_DIR}/policy.json <<'EOF'\n${original}\nEOF`);
    }
  });

  it('alice and bob start the same approved request at once: exactly one runs, the other is told it was used', async () => {
    const [first, second] = await Promise.all([startAndSettle(alice, prodServerId, requestId), startAndSettle(bob, bobProdServerId, requestId)]);
    const outcomes = [first, second].map((detail) => detail.migration.status).sort();
    expect(outcomes).toEqual(['completed', 'failed']);
    const ran = [first, second].find((detail) => detail.migration.status === 'completed')!;
    const told = [first, second].find((detail) => detail.migration.status === 'failed')!;
    expect(told.migration.message).toMatch(/^This approved request was already used by (alice|bob) on .* at .*: it runs once\. Request again for another run\. Nothing on the target was changed\.$/);
    expect(await sh('prod', `docker inspect --format '{{.Config.Image}}' ${TAG}-prod-web`)).toBe('gantry-lab/webapp:2');
    const log = ran.log.map((line) => line.message).join('\n');
    expect(log).toContain(`Requested by alice (${keyFingerprint(who.alice.signer.publicKey)})`);
    expect(log).toContain(`Approved by bob (${keyFingerprint(who.bob.signer.publicKey)})`);
    const listed = (await alice.call('approvals:list', {})).requests.find((entry) => entry.id === requestId)!;
    expect(listed).toMatchObject({ state: 'used', consumed: { migrationId: ran.migration.id } });
    expect(readFileSync(join(root, 'alice', 'approvals', 'identity.json'), 'utf8')).not.toMatch(/PRIVATE KEY/);
    ranBy = ran === first ? alice : bob;
    ranMigrationId = ran.migration.id;
  });

  let ranBy: EngineProcess;
  let ranMigrationId = '';
  const members = () =>
    (['alice', 'bob'] as const).map((name) => ({ principal: name, publicKey: who[name].signer.publicKey, roles: ['request' as const, 'approve' as const, 'deploy' as const] }));

  it('a policy that refuses rollbacks into production, signed by an approver, is followed by both Gantrys: the rollback is refused, nothing changed', async () => {
    const changed = await alice.call('approvals:propose-policy', { serverId: prodServerId, members: members(), approvalsRequired: 1, maintenanceRefused: ['rollback'] });
    expect(changed).toMatchObject({ state: 'pinned', version: 2, maintenanceRefused: ['rollback'], proposals: [] });
    expect(await bob.call('approvals:policy', { serverId: bobProdServerId })).toMatchObject({ state: 'pinned', version: 2 });
    const { migrationId } = await ranBy.call('migrations:rollback', { migrationId: ranMigrationId, options: { waitForReady: true, healthTimeoutSec: 120 } });
    const detail = await untilSettled(ranBy, migrationId);
    expect(detail.migration.status).toBe('failed');
    expect(detail.migration.message).toMatch(/^The approval policy of .* refuses a rollback into production without an approval: .* Nothing on the target was changed\.$/);
    expect(await sh('prod', `docker inspect --format '{{.Config.Image}}' ${TAG}-prod-web`)).toBe('gantry-lab/webapp:2');
  });

  it('a change needing two approvers waits for bob’s signature, then applies; a mere proposal changes nothing', async () => {
    // v3: two approvals needed from now on, rollbacks allowed again (one signature of v2 is enough).
    expect(await alice.call('approvals:propose-policy', { serverId: prodServerId, members: members(), approvalsRequired: 2, maintenanceRefused: [] })).toMatchObject({ version: 3, approvalsRequired: 2 });
    // v4 (refuse domain changes): alice's signature alone is 1 of the 2 that v3 needs.
    const proposed = await alice.call('approvals:propose-policy', { serverId: prodServerId, members: members(), approvalsRequired: 2, maintenanceRefused: ['change-domain'] });
    expect(proposed).toMatchObject({ version: 3, maintenanceRefused: [] });
    expect(proposed.proposals).toEqual([expect.objectContaining({ version: 4, changedBy: 'alice', signedBy: ['alice'], approvalsRequired: 2, stale: false, changes: ['now refuses change-domain runs without an approval'] })]);
    const seen = await bob.call('approvals:policy', { serverId: bobProdServerId });
    expect(seen).toMatchObject({ version: 3, proposals: [expect.objectContaining({ version: 4, signedBy: ['alice'] })] });
    const applied = await bob.call('approvals:cosign-policy', { serverId: bobProdServerId, digest: seen.proposals[0]!.digest });
    expect(applied).toMatchObject({ state: 'pinned', version: 4, maintenanceRefused: ['change-domain'], proposals: [] });
    expect(await alice.call('approvals:policy', { serverId: prodServerId })).toMatchObject({ state: 'pinned', version: 4 });
    expect(await sh('prod', `cat ${APPROVALS_DIR}/allowed_signers`)).toContain(`bob namespaces="gantry-approval" ${who.bob.signer.publicKey}`);
  });

  it('the rollback the policy allows runs without an approval, recorded on prod with its starter’s signature (ssh-keygen -Y verify accepts it)', async () => {
    const { migrationId } = await ranBy.call('migrations:rollback', { migrationId: ranMigrationId, options: { waitForReady: true, healthTimeoutSec: 120 } });
    const detail = await untilSettled(ranBy, migrationId);
    expect(detail.migration.status).toBe('completed');
    const starter = ranBy === alice ? 'alice' : 'bob';
    expect(detail.log.map((line) => line.message).join('\n')).toContain(`A rollback into production needs no approval under policy sha256:`);
    expect(detail.log.map((line) => line.message).join('\n')).toContain(`started by ${starter} (${keyFingerprint(who[starter].signer.publicKey)}), recorded on`);
    expect(await sh('prod', `docker inspect --format '{{.Config.Image}}' ${TAG}-prod-web`)).toBe('gantry-lab/webapp:1');
    const record = JSON.parse(await sh('prod', `cat ${APPROVALS_DIR}/maintenance/${migrationId}.json`)) as { body: unknown; signature: string };
    expect(record.body).toMatchObject({ run: 'rollback', migrationId, target: { name: 'production', production: true }, by: { principal: starter } });
    const dir = mkdtempSync(join(tmpdir(), 'gantry-maint-oracle-'));
    writeFileSync(join(dir, 'allowed_signers'), `${await sh('prod', `cat ${APPROVALS_DIR}/allowed_signers`)}\n`);
    writeFileSync(join(dir, 'record.sig'), `${record.signature}\n`);
    const verified = execFileSync('ssh-keygen', ['-Y', 'verify', '-f', join(dir, 'allowed_signers'), '-I', starter, '-n', 'gantry-approval', '-s', join(dir, 'record.sig')], { input: signedText(record.body), encoding: 'utf8' });
    expect(verified).toContain(`Good "gantry-approval" signature for ${starter}`);
  });
});
