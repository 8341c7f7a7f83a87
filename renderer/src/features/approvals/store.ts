import { useEffect } from 'react';
import { create } from 'zustand';
import type { ResponseOf } from '@shared/ipc/contract';
import type { ApprovalRequestView } from '@shared/approvals/views';
import { invoke } from '../../lib/api';

/** How often the open requests are read again from the servers while the app is open. */
const REFRESH_MS = 60_000;

interface ApprovalsState {
  requests: ApprovalRequestView[];
  maintenance: ResponseOf<'approvals:list'>['maintenance'];
  problems: ResponseOf<'approvals:list'>['problems'];
  identity: ResponseOf<'approvals:identity'>['identity'];
  loaded: boolean;
  loading: boolean;
  error: string | null;
  load(): Promise<void>;
  loadIdentity(): Promise<void>;
}

/** The approval requests on every server this Gantry knows (read from the servers, never stored). */
export const useApprovals = create<ApprovalsState>((set) => ({
  requests: [],
  maintenance: [],
  problems: [],
  identity: null,
  loaded: false,
  loading: false,
  error: null,
  async load() {
    set({ loading: true });
    const result = await invoke('approvals:list', {});
    set(result.ok ? { requests: result.value.requests, maintenance: result.value.maintenance, problems: result.value.problems, loaded: true, loading: false, error: null } : { loading: false, loaded: true, error: result.error.message });
  },
  async loadIdentity() {
    const result = await invoke('approvals:identity', {});
    if (result.ok) set({ identity: result.value.identity });
  },
}));

/** Requests waiting for this operator: pending ones someone else made. */
export function waitingForMe(requests: ApprovalRequestView[]): number {
  return requests.filter((request) => request.state === 'pending_approval' && !request.mine).length;
}

/** Keeps the request list fresh: once now, then every minute (the navigation shows the count). */
export function useApprovalsRefresh(): void {
  const load = useApprovals((state) => state.load);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);
}
