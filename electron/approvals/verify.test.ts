// The checks every Gantry runs on the server's approval documents: forged, edited, copied,
// expired and self-approvals are refused with a reason; policy changes pass only when signed.
import { describe, expect, it } from 'vitest';
import type { PolicyBody, RequestFile } from '@shared/approvals/documents';
import { GantryError } from '@shared/ipc/result';
import { makeIdentities } from './testing/test-identities';
import { cosignPolicy, signDecision, signPolicy, signRequest, type Identity } from './sign-documents';
import { checkPolicy, checkRequest, policyDigest, requestDigest } from './verify';

const who = makeIdentities(['alice', 'bob', 'carol', 'mallory'] as const);
const now = new Date('2026-12-02T01:00:00Z');

function policy(overrides: Partial<PolicyBody> = {}): PolicyBody {
  return {
    format: 1,
    kind: 'gantry-policy',
    version: 1,
    previous: null,
    protectedEnvironments: [],
    members: [
      { principal: 'alice', publicKey: who.alice.signer.publicKey, roles: ['request', 'approve', 'deploy'] },
      { principal: 'bob', publicKey: who.bob.signer.publicKey, roles: ['request', 'approve', 'deploy'] },
    ],
    approvalsRequired: 1,
    changedBy: 'alice',
    changedAt: now.toISOString(),
    ...overrides,
  };
}

async function request(by = who.alice): Promise<RequestFile> {
  return signRequest(by, {
    planDigest: `sha256:${'a'.repeat(64)}`,
    policyDigest: policyDigest(policy()),
    source: 'uat',
    target: { name: 'production', production: true },
    server: 'prod (10.213.0.3)',
    summary: { title: 'web: uat → production', project: 'shop', resources: [{ name: 'web', mode: 'promote', image: 'webapp:2' }], changes: ['image webapp:1 → webapp:2'], diff: '' },
    specHashes: [],
    options: { waitForReady: true, healthTimeoutSec: 300, httpCheckPath: null },
    now,
  });
}

const approve = async (identity: Identity, target: RequestFile, extra: { expiresAt?: string; now?: Date } = {}) =>
  signDecision(identity, { id: target.body.id, digest: requestDigest(target), expiresAt: target.body.expiresAt }, { decision: 'approve', now, ...extra });

describe('a request', () => {
  it('is pending until an approver other than the requester approves it, then approved', async () => {
    const req = await request();
    expect(checkRequest({ policy: policy(), request: req, decisions: [], consumed: null, now }).state).toBe('pending_approval');
    const own = checkRequest({ policy: policy(), request: req, decisions: [await approve(who.alice, req)], consumed: null, now });
    expect(own.state).toBe('pending_approval');
    expect(own.problems).toEqual(['alice requested this run and cannot approve it']);
    const approved = checkRequest({ policy: policy(), request: req, decisions: [await approve(who.bob, req)], consumed: null, now });
    expect(approved.state).toBe('approved');
    expect(approved.approvals).toEqual([{ principal: 'bob', fingerprint: expect.stringMatching(/^SHA256:/), at: now.toISOString() }]);
  });

  it('edited on the server (summary or digest) is invalid: the requester signature no longer holds', async () => {
    const req = await request();
    const edited = { ...req, body: { ...req.body, summary: { ...req.body.summary, title: 'harmless' } } };
    const checked = checkRequest({ policy: policy(), request: edited, decisions: [await approve(who.bob, req)], consumed: null, now });
    expect(checked.state).toBe('invalid');
    expect(checked.problems[0]).toMatch(/^the request on the server was changed after alice signed it/);
    const redigested = { ...req, body: { ...req.body, planDigest: `sha256:${'b'.repeat(64)}` } };
    expect(checkRequest({ policy: policy(), request: redigested, decisions: [], consumed: null, now }).state).toBe('invalid');
  });

  it('does not count an approval by a key not in the policy, one copied from another request, or an expired one', async () => {
    const req = await request();
    const forged = await approve({ principal: 'bob', signer: who.mallory.signer }, req);
    const other = await request();
    const copied = await approve(who.bob, other);
    const stale = await approve(who.bob, req, { expiresAt: '2026-12-02T00:30:00.000Z' });
    const problems = (decision: Awaited<ReturnType<typeof approve>>) => checkRequest({ policy: policy(), request: req, decisions: [decision], consumed: null, now });
    expect(problems(forged)).toMatchObject({ state: 'pending_approval', problems: [expect.stringMatching(/^bob's decision is signed by a key that is not in the policy \(SHA256:/)] });
    expect(problems(copied)).toMatchObject({ state: 'pending_approval', problems: [expect.stringMatching(/^bob's decision was made for another request/)] });
    expect(problems(stale)).toMatchObject({ state: 'pending_approval', problems: ["bob's approval expired at 2026-12-02T00:30:00.000Z"] });
    const outsider = await approve(who.carol, req);
    expect(problems(outsider).problems).toEqual(["carol's approval does not count: carol is not an approver in the policy"]);
  });

  it('is rejected by a valid rejection, expired past its expiry, used once consumed', async () => {
    const req = await request();
    const rejection = await signDecision(who.bob, { id: req.body.id, digest: requestDigest(req), expiresAt: req.body.expiresAt }, { decision: 'reject', reason: 'not during the sale', now });
    expect(checkRequest({ policy: policy(), request: req, decisions: [rejection], consumed: null, now }).rejection).toMatchObject({ principal: 'bob', reason: 'not during the sale' });
    expect(checkRequest({ policy: policy(), request: req, decisions: [await approve(who.bob, req)], consumed: null, now: new Date(req.body.expiresAt) }).state).toBe('expired');
    const consumed = { format: 1 as const, requestId: req.body.id, by: 'alice', machine: 'm', migrationId: 'x', at: now.toISOString() };
    expect(checkRequest({ policy: policy(), request: req, decisions: [await approve(who.bob, req)], consumed, now }).state).toBe('used');
  });
});

describe('the policy pin', () => {
  it('passes an unchanged policy and a change signed by enough approvers of the pinned one', async () => {
    const first = await signPolicy(who.alice, policy());
    expect(checkPolicy({ server: 'prod', current: first, pinned: null, history: () => null }).state).toBe('unpinned');
    expect(checkPolicy({ server: 'prod', current: first, pinned: first, history: () => null })).toMatchObject({ state: 'pinned', advancedFrom: null });
    const second = await signPolicy(who.bob, policy({ version: 2, previous: policyDigest(first), approvalsRequired: 2, changedBy: 'bob' }));
    expect(checkPolicy({ server: 'prod', current: second, pinned: first, history: () => null })).toMatchObject({ state: 'pinned', advancedFrom: policyDigest(first) });
    // Under the second policy a change needs two approvers: one signature is not enough, two are.
    const third = await signPolicy(who.bob, policy({ version: 3, previous: policyDigest(second), approvalsRequired: 1, changedBy: 'bob' }));
    const history = (digest: string) => (digest === policyDigest(second) ? second : null);
    expect(() => checkPolicy({ server: 'prod', current: third, pinned: first, history })).toThrow(/signed by 1 of the 2 approvers/);
    const cosigned = await cosignPolicy(who.alice, third);
    expect(checkPolicy({ server: 'prod', current: cosigned, pinned: first, history }).state).toBe('pinned');
  });

  it('refuses a policy edited on the server without signatures, saying who changed what', async () => {
    const first = await signPolicy(who.alice, policy());
    const edited = { ...first, body: policy({ members: [...policy().members, { principal: 'mallory', publicKey: who.mallory.signer.publicKey, roles: ['approve'] }], changedBy: 'mallory' }) };
    let error: unknown;
    try {
      checkPolicy({ server: 'prod', current: edited, pinned: first, history: () => null });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GantryError);
    expect((error as GantryError).code).toBe('policy_changed');
    expect((error as Error).message).toMatch(/^The approval policy on prod was changed without the approvers' signatures \(.*\): mallory at .* added mallory \(approve\)/);
    const selfSigned = await signPolicy(who.mallory, { ...edited.body, previous: policyDigest(first), version: 2 });
    expect(() => checkPolicy({ server: 'prod', current: selfSigned, pinned: first, history: () => null })).toThrow(/signed by 0 of the 1 approvers/);
  });
});
