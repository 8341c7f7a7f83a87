import { describe, expect, it } from 'vitest';
import { allowedSignersText, parseAllowedSigners } from './allowed-signers';
import { canonicalPlanText, type PlanToRun } from './canonical';
import { describePolicyChanges, isProtected } from './policy-changes';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEv1yKJv7d4Qq2d8v2m3Jm0bT8oKQ6P9lJvY6uD0uK3H';

describe('allowed_signers', () => {
  it('reads principals, namespaces and keys, skips comments and says which line it did not understand', () => {
    const parsed = parseAllowedSigners(`# team\nalice@example.com,alice namespaces="gantry-approval,git" ${KEY} alice laptop\n\nbob ${KEY}\n*@example.com ${KEY}\nnonsense\n`);
    expect(parsed).toEqual([
      { line: 2, principals: ['alice@example.com', 'alice'], publicKey: KEY, namespaces: ['gantry-approval', 'git'] },
      { line: 4, principals: ['bob'], publicKey: KEY, namespaces: null },
      { line: 5, error: expect.stringContaining('no wildcards') },
      { line: 6, error: expect.stringContaining('expected') },
    ]);
    expect(allowedSignersText({ members: [{ principal: 'bob', publicKey: KEY, roles: ['approve'] }] })).toBe(`bob namespaces="gantry-approval" ${KEY}\n`);
  });
});

describe('the plan text', () => {
  const run: PlanToRun = {
    plan: { source: { id: 's', name: 'uat' }, target: { id: 't', name: 'production', production: true }, server: { id: 'p', name: 'prod' }, direction: 'forward' as never, resources: [] },
    steps: [],
    specHashes: [{ resourceId: 'web', liveSpecHash: 'h1' }],
    sourceHashes: {},
    options: { waitForReady: true, healthTimeoutSec: 300 },
  };
  it('is the same for the same plan and changes with the options or the target spec hashes', () => {
    expect(canonicalPlanText(run)).toBe(canonicalPlanText({ ...run, options: { ...run.options, httpCheckPath: null } }));
    expect(canonicalPlanText(run)).not.toBe(canonicalPlanText({ ...run, options: { ...run.options, healthTimeoutSec: 30 } }));
    expect(canonicalPlanText(run)).not.toBe(canonicalPlanText({ ...run, specHashes: [{ resourceId: 'web', liveSpecHash: 'h2' }] }));
  });
});

describe('policy changes', () => {
  it('says what changed, and production is always protected', () => {
    const before = { format: 1, kind: 'gantry-policy', version: 1, previous: null, protectedEnvironments: [], members: [{ principal: 'bob', publicKey: KEY, roles: ['approve'] }], approvalsRequired: 1, changedBy: 'a', changedAt: '' } as const;
    const after = { ...before, protectedEnvironments: ['uat'], approvalsRequired: 2, members: [{ principal: 'mallory', publicKey: KEY, roles: ['approve'] }] } as never;
    expect(describePolicyChanges(before as never, after)).toEqual(['added mallory (approve)', 'removed bob', 'approvals required 1 → 2', 'now protects uat']);
    expect(isProtected(null, { name: 'live', production: true })).toBe(true);
    expect(isProtected(after, { name: 'uat', production: false })).toBe(true);
    expect(isProtected(null, { name: 'uat', production: false })).toBe(false);
  });
});
