/**
 * Production for lab tests that drive an engine process (the fault matrix): prod's approval policy
 * with two real test operators, and prod as a test compares it. The engine's operator (alice)
 * requests each run; the second operator's approval (bob) is signed here with bob's own key and
 * written where his Gantry writes it, so no second engine is needed and the engine checks a real
 * signature by a policy member.
 */
import { createHash } from 'node:crypto';
import { requestFile } from '@shared/approvals/documents';
import { APPROVALS_DIR } from '../../approvals/server-store';
import { signDecision } from '../../approvals/sign-documents';
import { requestDigest } from '../../approvals/verify';
import { makeIdentities, type TestIdentity } from '../../approvals/testing/test-identities';
import type { EngineProcess } from './engine-process';

/** Runs a shell command on prod (plain OpenSSH, not through Gantry). */
type ProdShell = (command: string) => Promise<string>;

/** The two operators of prod's policy: alice requests (the engine's identity), bob approves. */
export interface ProductionOperators {
  alice: TestIdentity;
  bob: TestIdentity;
}

/** Gives the engine alice's identity and sets up prod's policy (alice and bob, one approval); the engine pins it. */
export async function setUpProductionPolicy(engine: EngineProcess, prodServerId: string, prodSh: ProdShell): Promise<ProductionOperators> {
  await prodSh(`rm -rf ${APPROVALS_DIR}`);
  const who = makeIdentities(['alice', 'bob'] as const);
  await engine.call('approvals:set-identity', { principal: 'alice', keyPath: who.alice.keyPath });
  const roles: ('request' | 'approve' | 'deploy')[] = ['request', 'approve', 'deploy'];
  const members = (['alice', 'bob'] as const).map((name) => ({ principal: name, publicKey: who[name].signer.publicKey, roles }));
  const policy = await engine.call('approvals:setup-policy', { serverId: prodServerId, members, approvalsRequired: 1 });
  if (policy.state !== 'pinned') throw new Error(`prod's policy is ${policy.state} after setting it up`);
  return who;
}

/** bob approves request `requestId`: a decision signed with his key over the request as it is on prod, written into its decisions folder. */
export async function approveAs(approver: TestIdentity, requestId: string, prodSh: ProdShell): Promise<void> {
  const dir = `${APPROVALS_DIR}/requests/${requestId}`;
  const file = requestFile.parse(JSON.parse(await prodSh(`cat ${dir}/request.json`)));
  const decision = await signDecision(approver, { id: requestId, digest: requestDigest(file), expiresAt: file.body.expiresAt }, { decision: 'approve' });
  await prodSh(`umask 077; cat > ${dir}/decisions/${approver.principal}-approve.json <<'EOF'\n${JSON.stringify(decision)}\nEOF`);
}

/**
 * Containers of a server whose names contain `filter`, as a test compares them: name, id, image and
 * state readable, and a SHA-256 of each one's config (env, labels, mounts, ports, restart count,
 * creation and start time), so a recreated or restarted container differs and no password is printed.
 */
export async function containersOf(sh: (command: string) => Promise<string>, filter: string): Promise<string[]> {
  const out = await sh(
    `for c in $(docker ps -aq --filter name=${filter}); do docker inspect --format '{{.Name}} {{.Id}} {{.Config.Image}} {{.State.Status}}' $c; docker inspect --format '{{.Created}} {{.State.StartedAt}} {{.RestartCount}} {{json .Config}} {{json .HostConfig}} {{json .Mounts}}' $c; done`,
  );
  const lines = out.split('\n').filter(Boolean);
  const rows: string[] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) rows.push(`${lines[i]} config ${createHash('sha256').update(lines[i + 1]!).digest('hex').slice(0, 16)}`);
  return rows.sort();
}

/** The routes of every HTTP server in Caddy's running config on prod, read from its admin API. */
export async function caddyRoutes(prodSh: ProdShell): Promise<string> {
  const servers = JSON.parse((await prodSh('curl -sS -m 10 http://localhost:2019/config/apps/http/servers')) || 'null') as Record<string, { routes?: unknown[] }> | null;
  return JSON.stringify(Object.entries(servers ?? {}).map(([name, server]) => [name, server.routes ?? []]));
}
