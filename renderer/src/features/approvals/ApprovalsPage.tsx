import { useEffect, useState } from 'react';
import type { ApprovalRequestView } from '@shared/approvals/views';
import { invoke } from '../../lib/api';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner } from '../../components/ErrorBanner';
import { SpecDiff } from '../migrations/SpecDiff';
import { useMigrations } from '../migrations/store';
import { IdentitySection, PoliciesSection } from './ApprovalSetup';
import { LiveReview } from './LiveReview';
import { useApprovals } from './store';
import './approvals.css';

const STATE_LABELS: Record<ApprovalRequestView['state'], string> = {
  pending_approval: 'Pending approval',
  approved: 'Approved',
  rejected: 'Rejected',
  expired: 'Expired',
  used: 'Used',
  invalid: 'Not trusted',
};

/** The Approvals section: your key, each server's policy, and every request on the servers (open ones first). */
export function ApprovalsPage() {
  const requests = useApprovals((state) => state.requests);
  const problems = useApprovals((state) => state.problems);
  const loaded = useApprovals((state) => state.loaded);
  const loading = useApprovals((state) => state.loading);
  const error = useApprovals((state) => state.error);
  const load = useApprovals((state) => state.load);
  useEffect(() => void load(), [load]);
  const ordered = [...requests].sort((a, b) => Number(b.state === 'pending_approval' || b.state === 'approved') - Number(a.state === 'pending_approval' || a.state === 'approved'));

  return (
    <section className="page approvals-page" aria-labelledby="approvals-title" data-approvals-loaded={loaded && !loading ? 'true' : 'false'}>
      <div className="page-header">
        <h1 id="approvals-title">Approvals</h1>
        <button type="button" className="secondary" onClick={() => void load()} disabled={loading}>
          {loading ? 'Reading the servers…' : 'Refresh'}
        </button>
      </div>
      <IdentitySection />
      <PoliciesSection />
      <ErrorBanner message={error} />
      {problems.map((problem) => (
        <p key={problem.serverId} role="alert" className="approval-problem">
          {problem.serverName}: {problem.message}
        </p>
      ))}
      <h2>Requests</h2>
      {loaded && ordered.length === 0 ? <EmptyState title="No approval requests">A migration into production asks for one at its last step.</EmptyState> : null}
      <ul className="plain-list approval-list">
        {ordered.map((request) => (
          <li key={request.id}>
            <RequestCard request={request} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function RequestCard({ request }: { request: ApprovalRequestView }) {
  const load = useApprovals((state) => state.load);
  const openMigration = useMigrations((state) => state.openMigration);
  const [reason, setReason] = useState('');
  const [rejecting, setRejecting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const open = request.state === 'pending_approval' || request.state === 'approved';

  async function decide(decision: 'approve' | 'reject') {
    setBusy(true);
    const result = await invoke('approvals:decide', { serverId: request.serverId, requestId: request.id, decision, reason: decision === 'reject' ? reason : null });
    setBusy(false);
    if (!result.ok) return setError(result.error.message);
    setError(null);
    setRejecting(false);
    await load();
  }

  async function start() {
    setBusy(true);
    const result = await invoke('approvals:start', { serverId: request.serverId, requestId: request.id });
    setBusy(false);
    if (!result.ok) return setError(result.error.message);
    openMigration(result.value.migrationId);
  }

  return (
    <article className="card approval-request" data-testid="approval-request" data-request-id={request.id} data-state={request.state} aria-label={request.summary.title}>
      <header className="row">
        <strong>{request.summary.title}</strong>
        <span className={`approval-state state-${request.state}`}>{STATE_LABELS[request.state]}</span>
        <span className="muted">
          {request.summary.project} · {request.serverName}
        </span>
      </header>
      <p>
        Requested by <strong>{request.requester.principal}</strong> <code>{request.requester.fingerprint}</code> at {new Date(request.createdAt).toLocaleString()}; valid until {new Date(request.expiresAt).toLocaleString()}.
        {' '}
        {request.approvals.length} of {request.approvalsRequired} approval{request.approvalsRequired === 1 ? '' : 's'}.
      </p>
      <ul className="plain-list" aria-label="Decisions">
        {request.approvals.map((approval) => (
          <li key={approval.principal}>
            Approved by <strong>{approval.principal}</strong> <code>{approval.fingerprint}</code> at {new Date(approval.at).toLocaleString()}
          </li>
        ))}
        {request.rejection ? (
          <li>
            Rejected by <strong>{request.rejection.principal}</strong> <code>{request.rejection.fingerprint}</code> at {new Date(request.rejection.at).toLocaleString()}: {request.rejection.reason}
          </li>
        ) : null}
        {request.consumed ? (
          <li>
            Used by <strong>{request.consumed.by}</strong> on {request.consumed.machine} at {new Date(request.consumed.at).toLocaleString()}
          </li>
        ) : null}
      </ul>
      {request.problems.length > 0 ? (
        <ul className="approval-problems" aria-label="Not accepted">
          {request.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      ) : null}
      {open ? <LiveReview request={request} /> : null}
      <details>
        <summary>Changes ({request.summary.changes.length})</summary>
        <ul className="plain-list approval-changes">
          {request.summary.changes.map((change, index) => (
            <li key={index}>
              <code>{change}</code>
            </li>
          ))}
        </ul>
        <SpecDiff unified={request.summary.diff} label={`Spec diff of ${request.summary.title}`} />
      </details>
      {open ? (
        <div className="row">
          {request.state === 'pending_approval' && !request.mine ? (
            <>
              <button type="button" disabled={busy} onClick={() => void decide('approve')}>
                Approve
              </button>
              <button type="button" className="secondary" disabled={busy} onClick={() => setRejecting(!rejecting)}>
                Reject…
              </button>
            </>
          ) : null}
          {request.state === 'approved' ? (
            <button type="button" disabled={busy} onClick={() => void start()}>
              Start migration
            </button>
          ) : null}
          {request.mine && request.state === 'pending_approval' ? <span className="muted">Waiting for someone else to approve.</span> : null}
        </div>
      ) : null}
      {rejecting ? (
        <form
          className="row"
          onSubmit={(event) => {
            event.preventDefault();
            void decide('reject');
          }}
        >
          <label>
            Why
            <input value={reason} onChange={(event) => setReason(event.target.value)} required />
          </label>
          <button type="submit" disabled={busy}>
            Reject the request
          </button>
        </form>
      ) : null}
      <ErrorBanner message={error} />
    </article>
  );
}
