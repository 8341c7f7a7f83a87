import { useState } from 'react';
import type { MaintenanceKind, PolicyRole } from '@shared/approvals/documents';
import type { PolicyView } from '@shared/approvals/views';
import { parseAllowedSigners } from '@shared/approvals/allowed-signers';
import { invoke } from '../../lib/api';
import { ErrorBanner } from '../../components/ErrorBanner';

const ROLES: { role: PolicyRole; label: string }[] = [
  { role: 'request', label: 'request' },
  { role: 'approve', label: 'approve' },
  { role: 'deploy', label: 'deploy' },
];
const MAINTENANCE: { kind: MaintenanceKind; label: string }[] = [
  { kind: 'rollback', label: 'Rollback' },
  { kind: 'restore', label: 'Restore from a snapshot' },
  { kind: 'restore-backup', label: 'Restore this backup' },
  { kind: 'rotate-credentials', label: 'Rotate credentials' },
  { kind: 'change-domain', label: 'Change domain' },
];

/**
 * The team of a policy and its rules: members as allowed_signers lines, each with their own
 * roles, the approvals a run needs, and which maintenance runs the policy refuses in production.
 * Used for the first policy (written at once) and for a change (signed, applied once enough
 * approvers of the current policy signed it).
 */
export function PolicyForm({ serverId, current, onDone }: { serverId: string; current: PolicyView | null; onDone: (view: PolicyView) => void }) {
  const [signers, setSigners] = useState(current ? current.members.map((member) => `${member.principal} ${member.publicKey}`).join('\n') : '');
  const [roles, setRoles] = useState<Record<string, PolicyRole[]>>(Object.fromEntries((current?.members ?? []).map((member) => [member.principal, member.roles])));
  const [required, setRequired] = useState(current?.approvalsRequired ?? 1);
  const [refused, setRefused] = useState<MaintenanceKind[]>(current?.maintenanceRefused ?? []);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const lines = parseAllowedSigners(signers);
  const members = lines.flatMap((line) => ('principals' in line ? [{ principal: line.principals[0]!, publicKey: line.publicKey, roles: roles[line.principals[0]!] ?? ROLES.map((each) => each.role) }] : []));
  const toggle = (principal: string, role: PolicyRole, on: boolean) => {
    const now = roles[principal] ?? ROLES.map((each) => each.role);
    setRoles({ ...roles, [principal]: ROLES.map((each) => each.role).filter((each) => (each === role ? on : now.includes(each))) });
  };

  async function save() {
    const bad = lines.find((line) => 'error' in line);
    if (bad && 'error' in bad) return setError(`Line ${bad.line}: ${bad.error}`);
    const roleless = members.find((member) => member.roles.length === 0);
    if (roleless) return setError(`${roleless.principal} has no role: give them at least one, or remove their line.`);
    setBusy(true);
    const request = { serverId, members, approvalsRequired: required, maintenanceRefused: refused, protectedEnvironments: current?.protectedEnvironments ?? [] };
    const result = current ? await invoke('approvals:propose-policy', request) : await invoke('approvals:setup-policy', request);
    setBusy(false);
    if (!result.ok) return setError(result.error.message);
    setError(null);
    onDone(result.value);
  }

  return (
    <form
      className="form-grid"
      aria-label={current ? 'Propose a policy change' : 'Set up a policy'}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <label>
        Team members (allowed_signers lines: name and public key)
        <textarea rows={4} value={signers} onChange={(event) => setSigners(event.target.value)} placeholder="alice ssh-ed25519 AAAA…" />
      </label>
      {members.length > 0 ? (
        <table className="policy-roles">
          <caption>What each member may do</caption>
          <thead>
            <tr>
              <th scope="col">Member</th>
              {ROLES.map((each) => (
                <th scope="col" key={each.role}>
                  {each.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {members.map((member) => (
              <tr key={member.principal} data-testid="policy-member" data-principal={member.principal}>
                <th scope="row">{member.principal}</th>
                {ROLES.map((each) => (
                  <td key={each.role}>
                    <input type="checkbox" aria-label={`${member.principal} may ${each.label}`} checked={member.roles.includes(each.role)} onChange={(event) => toggle(member.principal, each.role, event.target.checked)} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <label>
        Approvals needed (the requester never counts)
        <input type="number" min={1} max={20} value={required} onChange={(event) => setRequired(Number(event.target.value))} />
      </label>
      <fieldset>
        <legend>Refuse these in production without an approval (otherwise a deployer may start them, recorded on the server)</legend>
        {MAINTENANCE.map((each) => (
          <label key={each.kind} className="inline-check">
            <input type="checkbox" checked={refused.includes(each.kind)} onChange={(event) => setRefused(event.target.checked ? [...refused, each.kind] : refused.filter((kind) => kind !== each.kind))} /> {each.label}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={busy}>
        {current ? 'Sign and propose the change' : 'Write the policy on the server'}
      </button>
      <ErrorBanner message={error} />
    </form>
  );
}
