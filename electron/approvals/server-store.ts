/**
 * Approval state on the server itself (`/var/lib/gantry/approvals/`), so every Gantry that reaches
 * the server sees the same policy, requests and decisions, and no local database decides:
 *
 *     policy.json                  the current signed policy; allowed_signers beside it
 *     policies/<hex>.json          every policy it replaced (a pinned Gantry walks the chain)
 *     requests/<id>/request.json   the signed request
 *     requests/<id>/plan.json      the plan to run, in clear (0600: it holds the target's secrets)
 *     requests/<id>/decisions/     one signed file per approval or rejection
 *     requests/<id>/consumed/      created once (mkdir is atomic): the request was used; by.json says by whom
 *     maintenance/<migration>.json a maintenance run (rollback, restore, …) into a protected environment, signed by its starter
 *     proposals/<hex>.json         a policy change waiting for more approvers' signatures
 *
 * Files are written through a temporary name and renamed (or linked, when they must not exist yet),
 * so a reader never sees half a file. Everything read is parsed through the documents' schemas.
 */
import { z } from 'zod';
import { GantryError } from '@shared/ipc/result';
import { allowedSignersText } from '@shared/approvals/allowed-signers';
import { consumption, decisionFile, maintenanceFile, policyFile, requestFile, type Consumption, type DecisionFile, type MaintenanceFile, type PolicyFile, type RequestFile } from '@shared/approvals/documents';
import { shellQuote, type RemoteHost } from '../servers/remote-host';
import { policyDigest } from './verify';

/** Where approval state lives on every server. */
export const APPROVALS_DIR = '/var/lib/gantry/approvals';

/** A stored document that did not parse: kept in listings with the reason, never used. */
export interface Unreadable {
  file: string;
  problem: string;
}

/** One request folder as read from the server. */
export interface StoredRequest {
  id: string;
  request: RequestFile | null;
  decisions: DecisionFile[];
  consumed: Consumption | null;
  unreadable: Unreadable[];
}

/** The approval folder of one server, reached over its SSH connection. */
export class ApprovalStore {
  constructor(private readonly host: RemoteHost) {}

  /** The current policy (null when the server has none) and the policies it replaced, by digest. */
  async readPolicy(signal?: AbortSignal): Promise<{ current: PolicyFile | null; history: Map<string, PolicyFile>; unreadable: Unreadable[] }> {
    const script = `cd ${APPROVALS_DIR} 2>/dev/null || exit 0; [ -f policy.json ] && printf 'P policy.json %s\\n' "$(base64 -w0 policy.json)"; for f in policies/*.json; do [ -f "$f" ] && printf 'H %s %s\\n' "$f" "$(base64 -w0 "$f")"; done; true`;
    const lines = await this.run(script, signal);
    const history = new Map<string, PolicyFile>();
    const unreadable: Unreadable[] = [];
    let current: PolicyFile | null = null;
    for (const [tag, file, data] of lines) {
      const parsed = parseDocument(policyFile, data, file);
      if ('problem' in parsed) {
        unreadable.push(parsed);
        if (tag === 'P') throw new GantryError('policy_unreadable', `The approval policy on ${this.host.label} cannot be read (${parsed.problem}). Protected runs are refused until it is fixed.`);
        continue;
      }
      if (tag === 'P') current = parsed.value;
      else history.set(policyDigest(parsed.value), parsed.value);
    }
    return { current, history, unreadable };
  }

  /** Writes the first policy; refused when the server already has one. */
  async createPolicy(policy: PolicyFile, signal?: AbortSignal): Promise<void> {
    await this.exec(`umask 077; mkdir -p ${APPROVALS_DIR}/policies ${APPROVALS_DIR}/requests`, signal);
    const created = await this.write(`${APPROVALS_DIR}/policy.json`, JSON.stringify(policy, null, 2), { exclusive: true, signal });
    if (!created) throw new GantryError('policy_exists', `${this.host.label} already has an approval policy; change it instead.`);
    await this.write(`${APPROVALS_DIR}/allowed_signers`, allowedSignersText(policy.body), { signal });
  }

  /** Replaces the policy with a change of it (`next.body.previous` names the current one), keeping the old one in the history. */
  async replacePolicy(next: PolicyFile, signal?: AbortSignal): Promise<void> {
    const previous = next.body.previous;
    if (!previous) throw new GantryError('invalid_policy', 'A policy change must name the policy it replaces.');
    const { current } = await this.readPolicy(signal);
    if (!current || policyDigest(current) !== previous) throw new GantryError('policy_conflict', `The policy on ${this.host.label} changed meanwhile; reload it and make the change again.`);
    await this.write(`${APPROVALS_DIR}/policies/${previous.slice('sha256:'.length)}.json`, JSON.stringify(current, null, 2), { signal });
    await this.write(`${APPROVALS_DIR}/policy.json`, JSON.stringify(next, null, 2), { signal });
    await this.write(`${APPROVALS_DIR}/allowed_signers`, allowedSignersText(next.body), { signal });
  }

  /** Writes a new request and the plan it covers (the plan readable by the server's root only). */
  async createRequest(request: RequestFile, plan: unknown, signal?: AbortSignal): Promise<void> {
    const dir = this.requestDir(request.body.id);
    await this.exec(`umask 077; mkdir -p ${APPROVALS_DIR}/requests && mkdir ${dir} && mkdir ${dir}/decisions`, signal);
    await this.write(`${dir}/plan.json`, JSON.stringify(plan), { exclusive: true, signal });
    await this.write(`${dir}/request.json`, JSON.stringify(request, null, 2), { exclusive: true, signal });
  }

  /** Adds an approval or a rejection to a request. */
  async addDecision(decision: DecisionFile, signal?: AbortSignal): Promise<void> {
    const dir = this.requestDir(decision.body.requestId);
    const name = `${decision.body.approver.principal}-${decision.body.createdAt.replace(/[^0-9]/g, '')}-${decision.body.decision}.json`;
    const found = await this.exec(`[ -f ${dir}/request.json ] && echo yes || true`, signal);
    if (found.trim() !== 'yes') throw new GantryError('not_found', `${this.host.label} has no approval request ${decision.body.requestId}.`);
    await this.write(`${dir}/decisions/${name}`, JSON.stringify(decision, null, 2), { exclusive: true, signal });
  }

  /** Every request on the server with its decisions and whether it was used (plans are not read). */
  async listRequests(signal?: AbortSignal): Promise<StoredRequest[]> {
    return this.readRequests('*', signal);
  }

  /** One request (null when the server has none by that id). */
  async readRequest(id: string, signal?: AbortSignal): Promise<StoredRequest | null> {
    return (await this.readRequests(checkedId(id), signal))[0] ?? null;
  }

  /** The plan stored with a request (in clear: memory only). */
  async readPlan(id: string, signal?: AbortSignal): Promise<unknown> {
    const text = await this.exec(`cat ${this.requestDir(id)}/plan.json`, signal);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new GantryError('request_unreadable', `The plan of request ${id.slice(0, 8)} on ${this.host.label} is not valid JSON.`);
    }
  }

  /**
   * Marks a request used, exactly once: `mkdir` either creates the mark or finds it. Returns null
   * when this call used it, or who used it before.
   */
  async consume(mark: Consumption, signal?: AbortSignal): Promise<Consumption | null> {
    const dir = this.requestDir(mark.requestId);
    const script = `umask 077; if mkdir ${dir}/consumed 2>/dev/null; then printf '%s' ${shellQuote(JSON.stringify(mark))} > ${dir}/consumed/by.json.tmp && mv ${dir}/consumed/by.json.tmp ${dir}/consumed/by.json && echo GANTRY_CONSUMED; else sleep 0.2; printf 'USED '; cat ${dir}/consumed/by.json 2>/dev/null; fi`;
    const output = (await this.exec(script, signal)).trim();
    if (output === 'GANTRY_CONSUMED') return null;
    const parsed = consumption.safeParse(safeJson(output.replace(/^USED /, '')));
    return parsed.success ? parsed.data : { format: 1, requestId: mark.requestId, by: 'unknown', machine: 'unknown', migrationId: 'unknown', at: new Date(0).toISOString() };
  }

  /** Records a maintenance run into a protected environment (once per run). */
  async recordMaintenance(record: MaintenanceFile, signal?: AbortSignal): Promise<void> {
    await this.exec(`umask 077; mkdir -p ${APPROVALS_DIR}/maintenance`, signal);
    const name = record.body.migrationId.replace(/[^0-9a-zA-Z-]/g, '');
    await this.write(`${APPROVALS_DIR}/maintenance/${name}.json`, JSON.stringify(record, null, 2), { exclusive: true, ...(signal ? { signal } : {}) });
  }

  /** Every maintenance record on the server (unreadable ones named). */
  async listMaintenance(signal?: AbortSignal): Promise<{ records: MaintenanceFile[]; unreadable: Unreadable[] }> {
    return this.readFolder(`${APPROVALS_DIR}/maintenance`, maintenanceFile, signal);
  }

  /** Keeps a policy change that needs more signatures, by the digest of its body. */
  async saveProposal(proposal: PolicyFile, digest: string, signal?: AbortSignal): Promise<void> {
    await this.exec(`umask 077; mkdir -p ${APPROVALS_DIR}/proposals`, signal);
    await this.write(`${APPROVALS_DIR}/proposals/${digest.slice('sha256:'.length)}.json`, JSON.stringify(proposal, null, 2), signal ? { signal } : {});
  }

  /** The policy changes waiting for signatures (unreadable ones named). */
  async listProposals(signal?: AbortSignal): Promise<{ records: PolicyFile[]; unreadable: Unreadable[] }> {
    return this.readFolder(`${APPROVALS_DIR}/proposals`, policyFile, signal);
  }

  /** Removes a proposal once it became the policy (or was replaced). */
  async removeProposal(digest: string, signal?: AbortSignal): Promise<void> {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new GantryError('invalid_request', `"${digest}" is not a policy digest.`);
    await this.exec(`rm -f ${APPROVALS_DIR}/proposals/${digest.slice('sha256:'.length)}.json`, signal);
  }

  private async readFolder<T>(dir: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<{ records: T[]; unreadable: Unreadable[] }> {
    const script = `cd ${dir} 2>/dev/null || exit 0; for f in *.json; do [ -f "$f" ] && printf 'F %s %s\\n' "$f" "$(base64 -w0 "$f")"; done; true`;
    const records: T[] = [];
    const unreadable: Unreadable[] = [];
    for (const [, file, data] of await this.run(script, signal)) {
      const parsed = parseDocument(schema, data, file);
      if ('problem' in parsed) unreadable.push(parsed);
      else records.push(parsed.value);
    }
    return { records, unreadable };
  }

  private requestDir(id: string): string {
    return `${APPROVALS_DIR}/requests/${checkedId(id)}`;
  }

  private async readRequests(pattern: string, signal?: AbortSignal): Promise<StoredRequest[]> {
    const script = [
      `cd ${APPROVALS_DIR}/requests 2>/dev/null || exit 0`,
      `for d in ${pattern}; do [ -d "$d" ] || continue`,
      `  [ -f "$d/request.json" ] && printf 'R %s %s\\n' "$d" "$(base64 -w0 "$d/request.json")"`,
      `  for f in "$d"/decisions/*.json; do [ -f "$f" ] && printf 'D %s %s\\n' "$f" "$(base64 -w0 "$f")"; done`,
      `  [ -f "$d/consumed/by.json" ] && printf 'C %s %s\\n' "$d" "$(base64 -w0 "$d/consumed/by.json")"`,
      `  [ -d "$d/consumed" ] && [ ! -f "$d/consumed/by.json" ] && printf 'C %s %s\\n' "$d" "$(printf '{}' | base64 -w0)"`,
      'done; true',
    ].join('\n');
    const requests = new Map<string, StoredRequest>();
    for (const [tag, file, data] of await this.run(script, signal)) {
      const id = file.split('/')[0]!;
      const entry = requests.get(id) ?? { id, request: null, decisions: [], consumed: null, unreadable: [] };
      requests.set(id, entry);
      const schema = tag === 'R' ? requestFile : tag === 'D' ? decisionFile : consumption;
      const parsed = parseDocument<unknown>(schema, data, file);
      if ('problem' in parsed) {
        entry.unreadable.push(parsed);
        // A mark that cannot be read still means "used": a request is never run twice.
        if (tag === 'C') entry.consumed = { format: 1, requestId: id, by: 'unknown', machine: 'unknown', migrationId: 'unknown', at: new Date(0).toISOString() };
      } else if (tag === 'R') entry.request = parsed.value as RequestFile;
      else if (tag === 'D') entry.decisions.push(parsed.value as DecisionFile);
      else entry.consumed = parsed.value as Consumption;
    }
    return [...requests.values()];
  }

  private async run(script: string, signal?: AbortSignal): Promise<[string, string, string][]> {
    const output = await this.exec(script, signal);
    return output
      .split('\n')
      .map((line) => line.split(' '))
      .filter((parts): parts is [string, string, string] => parts.length === 3)
      .map(([tag, file, data]) => [tag, file, Buffer.from(data, 'base64').toString('utf8')]);
  }

  private async exec(command: string, signal?: AbortSignal): Promise<string> {
    const result = await this.host.exec(`sh -c ${shellQuote(command)}`, signal ? { signal } : {});
    if (result.code !== 0) throw new GantryError('approvals_storage', `Could not use ${APPROVALS_DIR} on ${this.host.label}: ${result.stderr.trim() || `exit ${result.code}`}`);
    return result.stdout;
  }

  /** Writes `content` (sent on stdin, no size limit of a command line); false when `exclusive` and the file exists. */
  private async write(path: string, content: string, options: { exclusive?: boolean; signal?: AbortSignal }): Promise<boolean> {
    const temporary = `${path}.tmp.$$`;
    const place = options.exclusive ? `if ln ${temporary} ${path} 2>/dev/null; then rm -f ${temporary}; echo WRITTEN; else rm -f ${temporary}; echo EXISTS; fi` : `mv ${temporary} ${path} && echo WRITTEN`;
    const process = await this.host.spawn(`sh -c ${shellQuote(`umask 077; cat > ${temporary} && ${place}`)}`, options.signal ? { signal: options.signal } : {});
    let output = '';
    process.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    process.stdin.end(content);
    const { code, stderr } = await process.done;
    if (code !== 0) throw new GantryError('approvals_storage', `Could not write ${path} on ${this.host.label}: ${stderr.trim() || `exit ${code}`}`);
    return output.trim() === 'WRITTEN';
  }
}

function checkedId(id: string): string {
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new GantryError('invalid_request', `"${id}" is not an approval request id.`);
  return id;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function parseDocument<T>(schema: z.ZodType<T>, text: string, file: string): { value: T } | Unreadable {
  const json = safeJson(text);
  if (json === null) return { file, problem: 'not valid JSON' };
  const parsed = schema.safeParse(json);
  return parsed.success ? { value: parsed.data } : { file, problem: z.prettifyError(parsed.error).split('\n').slice(0, 3).join(' ') };
}
