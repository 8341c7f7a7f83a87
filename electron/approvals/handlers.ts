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
  router.handle('approvals:agent-keys', async () => {
    const { keys, problem } = await area.deps.state.agentKeys();
    return { keys: keys.map((publicKey) => ({ publicKey, fingerprint: keyFingerprint(publicKey) })), problem };
  });
  router.handle('approvals:set-identity', async (request) => {
    if (request.agentPublicKey !== undefined) {
      const wanted = request.agentPublicKey.trim().split(/\s+/).slice(0, 2).join(' ');
      const { keys, problem } = await area.deps.state.agentKeys();
      if (!keys.includes(wanted)) throw new GantryError('not_in_agent', problem ?? `The ssh-agent does not hold the key ${keyFingerprint(wanted)}: add it with ssh-add, or pick one it holds.`);
    }
    area.deps.state.saveIdentity(request);
    return { identity: identityView() };
  });
  router.handle('approvals:policy', ({ serverId }) => area.policyView(serverId));
  router.handle('approvals:setup-policy', (request) => area.setupPolicy(request));
  router.handle('approvals:propose-policy', (request) => area.proposePolicy(request));
  router.handle('approvals:cosign-policy', (request) => area.cosignPolicy(request));
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
      // The plan names the requester's project, environment and resource ids; they are local to each Gantry's inventory.
      throw new GantryError(
        'unknown_project',
        `This Gantry does not know the project "${draft.projectName}" this request was made in (its ids are those of ${draft.requestedBy}'s Gantry). Start it from ${draft.requestedBy}'s Gantry, or from a Gantry whose data folder came from it, by anyone the policy lets deploy; the approval was not used.`,
      );
    }
    const planId = deps.engine.adoptPlan({ plan: draft.plan, sourceHashes: draft.sourceHashes, baselines: {}, facts: draft.facts, projectId: draft.projectId, sourceServerId: draft.sourceServerId, targetServerId: draft.targetServerId });
    return deps.engine.start(planId, draft.options, { serverId, requestId });
  });
}
