import { GantryError } from '@shared/ipc/result';
import type { Router } from '../ipc/router';
import type { InventoryArea } from '../inventory/inventory-area';
import type { MigrationEngine } from '../migrations/engine';
import { maskedPlan } from '../migrations/engine';
import type { ApprovalsArea } from './approvals-area';
import { liveReview } from './live-review';
import { approvedDraft, requestApproval } from './run-approval';
import { keyFingerprint } from './sshsig';

/** Registers the `approvals:*` channels. */
export function registerApprovalHandlers(router: Router, area: ApprovalsArea, deps: { engine: MigrationEngine; inventory: InventoryArea }): void {
  const identityView = () => {
    const setting = area.deps.state.identitySetting();
    if (!setting) return null;
    const publicKey = setting.kind === 'agent' ? setting.publicKey : area.deps.state.identity().signer.publicKey;
    return { principal: setting.principal, kind: setting.kind, keyPath: setting.kind === 'key-file' ? setting.keyPath : null, publicKey, fingerprint: keyFingerprint(publicKey) };
  };
  router.handle('approvals:identity', () => ({ identity: identityView() }));
  router.handle('approvals:set-identity', (request) => {
    area.deps.state.saveIdentity(request);
    return { identity: identityView() };
  });
  router.handle('approvals:policy', ({ serverId }) => area.policyView(serverId));
  router.handle('approvals:setup-policy', (request) => area.setupPolicy(request));
  router.handle('approvals:pin-policy', ({ serverId, digest }) => area.pinPolicy(serverId, digest));
  router.handle('approvals:list', () => area.listRequests());
  router.handle('approvals:request', async ({ planId, options }) => {
    const draft = deps.engine.runDraft(planId, options);
    const project = deps.inventory.store.project(draft.projectId);
    const { requestId } = await requestApproval(area, draft, { projectName: project.name, masked: maskedPlan(draft.plan) });
    return { requestId, serverId: draft.targetServerId };
  });
  router.handle('approvals:decide', async (request) => ({ request: await area.decide(request) }));
  router.handle('approvals:live-review', (request) => liveReview(area, deps.inventory.sealer, request));
  router.handle('approvals:start', async ({ serverId, requestId }) => {
    const draft = await approvedDraft(area, serverId, requestId);
    if (!deps.inventory.store.listProjects().some((project) => project.id === draft.projectId)) {
      throw new GantryError('unknown_project', 'This request was made from a Gantry whose project this one does not know: start it from the requester’s Gantry.');
    }
    const planId = deps.engine.adoptPlan({ plan: draft.plan, sourceHashes: draft.sourceHashes, baselines: {}, facts: draft.facts, projectId: draft.projectId, sourceServerId: draft.sourceServerId, targetServerId: draft.targetServerId });
    return deps.engine.start(planId, draft.options, { serverId, requestId });
  });
}
