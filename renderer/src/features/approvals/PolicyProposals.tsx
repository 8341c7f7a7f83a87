import { useState } from 'react';
import type { PolicyView } from '@shared/approvals/views';
import { invoke } from '../../lib/api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useApprovals } from './store';

/** Policy changes waiting for approvers' signatures: what each changes, who signed, and "Sign this change". */
export function PolicyProposals({ serverId, policy, onChange }: { serverId: string; policy: PolicyView; onChange: (view: PolicyView) => void }) {
  const me = useApprovals((state) => state.identity?.principal ?? null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (policy.proposals.length === 0) return null;
  const approver = policy.members.some((member) => member.principal === me && member.roles.includes('approve'));

  async function cosign(digest: string) {
    setBusy(true);
    const result = await invoke('approvals:cosign-policy', { serverId, digest });
    setBusy(false);
    if (!result.ok) return setError(result.error.message);
    setError(null);
    onChange(result.value);
  }

  return (
    <div className="policy-proposal">
    <ul className="plain-list" aria-label={`Proposed changes of the policy of ${policy.serverName}`}>
      {policy.proposals.map((proposal) => (
        <li key={proposal.digest} data-testid="policy-proposal" data-version={proposal.version}>
          <strong>Proposed v{proposal.version}</strong> by {proposal.changedBy} at {new Date(proposal.changedAt).toLocaleString()}: {proposal.changes.join('; ')}. Signed by {proposal.signedBy.join(', ') || 'nobody valid'} ({proposal.signedBy.length} of {proposal.approvalsRequired} needed).{' '}
          {proposal.stale ? (
            <span role="alert">The policy changed since: it can no longer apply.</span>
          ) : approver && me && !proposal.signedBy.includes(me) ? (
            <button type="button" className="small-button" disabled={busy} onClick={() => void cosign(proposal.digest)}>
              Sign this change
            </button>
          ) : null}
        </li>
      ))}
    </ul>
      <ErrorBanner message={error} />
    </div>
  );
}
