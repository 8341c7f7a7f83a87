import type { ResourceStatus } from '@shared/inventory/status';

const LABELS: Record<ResourceStatus, string> = {
  in_sync: 'in sync',
  behind: 'behind upstream',
  drifted: 'drifted',
  unhealthy: 'unhealthy',
  absent: 'absent',
  unreachable: 'server unreachable',
};

/** A resource's status in words (never colour alone), with the reason as its tooltip. */
export function StatusBadge({ status, reason }: { status: ResourceStatus | null; reason: string }) {
  return (
    <span className={`inventory-status inventory-status-${status ?? 'unknown'}`} data-testid="resource-status" data-status={status ?? 'unknown'} title={reason}>
      {status ? LABELS[status] : 'not discovered'}
    </span>
  );
}
