import { useEffect, useState } from 'react';
import type { MigrationPlan } from '@shared/migration/plan';
import { invoke } from '../../lib/api';

/**
 * True when the plan's target needs an approval: production always, and any environment the
 * target server's policy protects (read from the server when the plan changes).
 */
export function useProtectedTarget(plan: MigrationPlan | null): boolean {
  const [byPolicy, setByPolicy] = useState<{ key: string; value: boolean } | null>(null);
  const key = plan ? `${plan.server.id}:${plan.target.name}` : '';
  useEffect(() => {
    if (!plan || plan.target.production) return;
    let current = true;
    void invoke('approvals:policy', { serverId: plan.server.id }).then((result) => {
      if (current) setByPolicy({ key, value: result.ok && result.value.protectedEnvironments.includes(plan.target.name) });
    });
    return () => {
      current = false;
    };
  }, [plan, key]);
  if (!plan) return false;
  return plan.target.production || (byPolicy?.key === key && byPolicy.value);
}
