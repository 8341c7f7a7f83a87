import { useEffect, useState } from 'react';
import type { ApprovalRequestView, LiveReviewView } from '@shared/approvals/views';
import { invoke } from '../../lib/api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PrecheckList } from '../migrations/PrecheckList';

/**
 * The approver's live check of an open request: the pre-checks that read the target, re-run now
 * from this Gantry, and a warning when the target no longer is as the request recorded it.
 */
export function LiveReview({ request }: { request: ApprovalRequestView }) {
  const [review, setReview] = useState<LiveReviewView | null>(null);
  const [checking, setChecking] = useState(true);
  const [round, setRound] = useState(0);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    void invoke('approvals:live-review', { serverId: request.serverId, requestId: request.id }).then((result) => {
      if (!current) return;
      setChecking(false);
      if (!result.ok) return setError(result.error.message);
      setError(null);
      setReview(result.value);
    });
    return () => {
      current = false;
    };
  }, [request.serverId, request.id, round]);
  const check = () => {
    setChecking(true);
    setRound((value) => value + 1);
  };

  return (
    <section className="approval-live" aria-label={`Live check of ${request.target}`} data-testid="approval-live" data-checked={review && !checking ? 'true' : 'false'}>
      <div className="row">
        <strong>Live check of {request.target}</strong>
        <span className="muted">{review ? `as of ${new Date(review.checkedAt).toLocaleTimeString()}` : 'reading the target…'}</span>
        <button type="button" className="secondary small-button" disabled={checking} onClick={check}>
          {checking ? 'Checking…' : 'Check again'}
        </button>
      </div>
      {review?.warning ? (
        <p role="alert" className="approval-live-warning" data-testid="live-target-warning">
          {review.warning}
        </p>
      ) : review ? (
        <p className="muted">
          {request.target} is as {request.requester.principal} requested it.
        </p>
      ) : null}
      {review ? (
        <details>
          <summary>Pre-checks re-run now ({review.prechecks.filter((each) => each.severity !== 'ok').length} to look at)</summary>
          <PrecheckList prechecks={review.prechecks} />
        </details>
      ) : null}
      <ErrorBanner message={error} />
    </section>
  );
}
