import { useEffect } from 'react';
import type { ApprovalRequestView, MaintenanceRecordView } from '@shared/approvals/views';
import { useApprovals } from './store';
import './approvals.css';

const STATE_WORDS: Record<ApprovalRequestView['state'], string> = {
  pending_approval: 'pending approval',
  approved: 'approved, not started',
  rejected: 'rejected',
  expired: 'expired',
  used: 'run',
  invalid: 'not trusted',
};
const MAINTENANCE_WORDS: Record<MaintenanceRecordView['run'], string> = {
  rollback: 'Rollback',
  restore: 'Restore from a snapshot',
  'restore-backup': 'Restore of a backup',
  'rotate-credentials': 'Credentials rotation',
  'change-domain': 'Domain change',
};
const when = (iso: string) => new Date(iso).toLocaleString();

/**
 * The approval trail, read from the servers: who requested, approved or rejected, when, with key
 * fingerprints, and which maintenance runs went into production without an approval and who
 * started them. In History it lists everything (rejected and expired requests stay listed); on a
 * migration's page only what concerns that run.
 */
export function ApprovalTrail({ migrationId }: { migrationId?: string }) {
  const requests = useApprovals((state) => state.requests);
  const maintenance = useApprovals((state) => state.maintenance);
  const loaded = useApprovals((state) => state.loaded);
  const load = useApprovals((state) => state.load);
  // A migration's page reads the servers again (its run may just have used a request); History reads them once.
  useEffect(() => {
    if (migrationId || !useApprovals.getState().loaded) void load();
  }, [migrationId, load]);
  const shownRequests = migrationId ? requests.filter((request) => request.consumed?.migrationId === migrationId) : requests;
  const shownMaintenance = migrationId ? maintenance.filter((record) => record.migrationId === migrationId) : maintenance;
  if (migrationId && shownRequests.length === 0 && shownMaintenance.length === 0) return null;

  return (
    <section className="approval-trail" aria-labelledby={migrationId ? 'trail-title-run' : 'trail-title'} data-testid="approval-trail">
      <h2 id={migrationId ? 'trail-title-run' : 'trail-title'}>{migrationId ? 'Approval' : 'Approvals'}</h2>
      {!migrationId && loaded && shownRequests.length === 0 && shownMaintenance.length === 0 ? <p className="muted">No approval request or maintenance run into a protected environment is recorded on the servers.</p> : null}
      <ul className="plain-list">
        {shownRequests.map((request) => (
          <li key={request.id} data-testid="trail-request" data-state={request.state}>
            <strong>{request.summary.title}</strong> on {request.serverName}: {STATE_WORDS[request.state]}.
            <ul>
              <li>
                Requested by <strong>{request.requester.principal}</strong> <code>{request.requester.fingerprint}</code> at {when(request.createdAt)}
              </li>
              {request.approvals.map((approval) => (
                <li key={approval.principal}>
                  Approved by <strong>{approval.principal}</strong> <code>{approval.fingerprint}</code> at {when(approval.at)}
                </li>
              ))}
              {request.rejection ? (
                <li>
                  Rejected by <strong>{request.rejection.principal}</strong> <code>{request.rejection.fingerprint}</code> at {when(request.rejection.at)}: {request.rejection.reason}
                </li>
              ) : null}
              {request.state === 'expired' ? <li>Expired at {when(request.expiresAt)}</li> : null}
              {request.consumed ? (
                <li>
                  Started by <strong>{request.consumed.by}</strong> on {request.consumed.machine} at {when(request.consumed.at)} (migration {request.consumed.migrationId.slice(0, 8)})
                </li>
              ) : null}
              {request.problems.map((problem) => (
                <li key={problem} className="approval-problems">
                  {problem}
                </li>
              ))}
            </ul>
          </li>
        ))}
        {shownMaintenance.map((record) => (
          <li key={`${record.serverId}:${record.migrationId}`} data-testid="trail-maintenance" data-run={record.run}>
            <strong>{MAINTENANCE_WORDS[record.run]}</strong> into {record.target} on {record.serverName} without an approval, as the policy allows: started by <strong>{record.by.principal}</strong> <code>{record.by.fingerprint}</code> on {record.machine} at {when(record.at)} (migration {record.migrationId.slice(0, 8)})
            {record.problem ? <span className="approval-problems"> — not trusted: {record.problem}</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
