/**
 * New credentials on the first clone into production: production never shares a password with
 * uat. For every database the plan creates in production, each password variable the adapter
 * names gets a new strong value, and every value in the plan's resources that embeds the old
 * password (the whole value, a URL's `user:password@`, a DSN's `password=`) is rewritten to the
 * new one — matched by value, not by variable name. Works on the plan in memory (the plan cache
 * keeps it for `migrations:reveal`; the journal only ever sees it masked). Later promotes keep
 * production's credentials because a promote never touches env vars.
 */
import { randomInt } from 'node:crypto';
import type { MigrationPlan, PlannedResource } from '@shared/migration/plan';
import type { ResourceSpec } from '@shared/spec/resource-spec';
import { adapterFor, detectDatabase } from './registry';

/** One rotated credential, named without its value. */
export interface RotatedCredential {
  resourceId: string;
  resourceName: string;
  /** The variable that holds the new password. */
  variable: string;
  /** Where the old password was rewritten: `<resource name> <VARIABLE>` (or `command`). */
  rewritten: string[];
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A strong password that needs no escaping in a URL, a DSN or a shell: 32 characters, ~183 bits. */
export function newPassword(length = 32): string {
  let value = '';
  for (let i = 0; i < length; i += 1) value += ALPHABET[randomInt(ALPHABET.length)];
  return value;
}

/** Names of the spec's variables that hold a password the database uses (not user names, not *_FILE paths). */
export function passwordVariables(spec: ResourceSpec): string[] {
  const detected = detectDatabase(spec).best;
  if (!detected) return [];
  const { credentialEnv } = adapterFor(detected.type).credentials(spec);
  return credentialEnv.filter((name) => /PASS|SECRET|AUTH/i.test(name) && !/_FILE$/.test(name) && (spec.env[name] ?? '') !== '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `text` with every embedding of `old` replaced: the whole value, a URL's `:old@`, a key-value
 * DSN's `password=old` (ending at `;`, `&`, space or the end), raw or percent-encoded.
 */
export function rewriteEmbedded(text: string, old: string, next: string): string {
  if (text === old) return next;
  let out = text;
  for (const form of new Set([old, encodeURIComponent(old)])) {
    const value = escapeRegExp(form);
    out = out.replace(new RegExp(`:${value}@`, 'g'), `:${next}@`);
    out = out.replace(new RegExp(`(password|pwd|pass)=${value}(?=$|[;&\\s])`, 'gi'), `$1=${next}`);
  }
  return out;
}

/** The spec with every embedding of the `old` password rewritten to `next` (env values except `skip`, command, entrypoint), and where. */
export function rewriteCredential(spec: ResourceSpec, old: string, next: string, skip: string | null): { spec: ResourceSpec; sites: string[] } {
  const sites: string[] = [];
  const env = Object.fromEntries(
    Object.entries(spec.env).map(([name, value]) => {
      if (name === skip) return [name, value];
      const rewritten = rewriteEmbedded(value, old, next);
      if (rewritten !== value) sites.push(name);
      return [name, rewritten];
    }),
  );
  const words = (list: string[] | null, site: string) => {
    if (!list) return list;
    const rewritten = list.map((word) => rewriteEmbedded(word, old, next));
    if (rewritten.some((word, i) => word !== list[i])) sites.push(site);
    return rewritten;
  };
  return { spec: { ...spec, env, command: words(spec.command, 'command'), entrypoint: words(spec.entrypoint, 'entrypoint') }, sites };
}

/**
 * The plan with new credentials for every database it clones into production (none for any
 * other plan), and what was rotated. Pure apart from the password source (injectable for tests).
 */
export function rotateFirstProductionClone(plan: MigrationPlan, generate: () => string = newPassword): { plan: MigrationPlan; rotated: RotatedCredential[] } {
  if (!plan.target.production) return { plan, rotated: [] };
  let resources: PlannedResource[] = plan.resources.map((resource) => ({ ...resource, desiredSpec: structuredClone(resource.desiredSpec) }));
  const rotated: RotatedCredential[] = [];
  for (const database of plan.resources) {
    if (database.kind !== 'database' || database.mode !== 'clone') continue;
    const current = resources.find((resource) => resource.resourceId === database.resourceId)!;
    // Variables holding the same password get the same new one.
    const byValue = new Map<string, string>();
    for (const variable of passwordVariables(current.desiredSpec)) {
      const old = current.desiredSpec.env[variable]!;
      const next = byValue.get(old) ?? generate();
      byValue.set(old, next);
      const rewritten: string[] = [];
      resources = resources.map((resource) => {
        const own = resource.resourceId === database.resourceId;
        const result = rewriteCredential(resource.desiredSpec, old, next, own ? variable : null);
        const env = own ? { ...result.spec.env, [variable]: next } : result.spec.env;
        rewritten.push(...result.sites.map((site) => `${resource.name} ${site}`));
        return { ...resource, desiredSpec: { ...result.spec, env } };
      });
      rotated.push({ resourceId: database.resourceId, resourceName: database.name, variable, rewritten });
    }
  }
  return { plan: { ...plan, resources }, rotated };
}

/** The run's summary line for the operator: what was rotated and rewritten, never a value. */
export function rotationSummary(rotated: readonly RotatedCredential[], environmentName: string): string | null {
  if (rotated.length === 0) return null;
  const parts = rotated.map((entry) => `${entry.resourceName} ${entry.variable}${entry.rewritten.length ? ` (rewritten in ${entry.rewritten.join(', ')})` : ''}`);
  return `New credentials for ${environmentName}, generated for this first clone (production shares no password with the environment before it): ${parts.join('; ')}. Reveal them on the database's page; they are never stored or logged.`;
}

/** The plan rotated (see `rotateFirstProductionClone`): what the engine keeps and shows. */
export function withRotatedCredentials(plan: MigrationPlan): MigrationPlan {
  return rotateFirstProductionClone(plan).plan;
}

/**
 * What a rotated plan rotated, read from the plan itself (so it survives the plan's trip through an
 * approval request): every password variable of a database it clones into production, and the
 * values of the other resources that embed that password.
 */
export function rotationOf(plan: MigrationPlan): RotatedCredential[] {
  if (!plan.target.production) return [];
  return plan.resources
    .filter((resource) => resource.kind === 'database' && resource.mode === 'clone')
    .flatMap((database) =>
      passwordVariables(database.desiredSpec).map((variable) => {
        const value = database.desiredSpec.env[variable]!;
        const rewritten = plan.resources
          .filter((resource) => resource.resourceId !== database.resourceId)
          .flatMap((resource) => rewriteCredential(resource.desiredSpec, value, '\u0000', null).sites.map((site) => `${resource.name} ${site}`));
        return { resourceId: database.resourceId, resourceName: database.name, variable, rewritten };
      }),
    );
}

/** The passwords of one variable in flight: the one the database took before, and the new one. */
export interface InFlightPassword {
  old: string;
  next: string;
}

/** Where secrets are kept (the OS keychain; `electron/keychain/secret-store.ts`). */
interface SecretKeeper {
  set(account: string, secret: string): void;
  get(account: string): string | null;
  delete(account: string): void;
}

/**
 * The credentials of a rotation in flight, in the OS keychain under `rotation:<migration id>`
 * (never the journal: it keeps only masked values), so that an undo after a crash knows both the
 * new password the database may hold and the old one to put back. Written before the database
 * is changed; removed when the run is finalized or its last password change is undone.
 */
export class RotationVault {
  constructor(private readonly secrets: SecretKeeper, private readonly migrationId: string) {}

  private get account(): string {
    return `rotation:${this.migrationId}`;
  }

  /** Every variable's passwords this run keeps. */
  all(): Record<string, InFlightPassword> {
    const text = this.secrets.get(this.account);
    if (!text) return {};
    try {
      const parsed = JSON.parse(text) as { format?: number; variables?: Record<string, InFlightPassword> };
      return parsed.format === 1 && parsed.variables ? parsed.variables : {};
    } catch {
      return {};
    }
  }

  get(variable: string): InFlightPassword | null {
    return this.all()[variable] ?? null;
  }

  put(variable: string, passwords: InFlightPassword): void {
    this.secrets.set(this.account, JSON.stringify({ format: 1, variables: { ...this.all(), [variable]: passwords } }));
  }

  /** Forgets one variable; the keychain entry goes with the last. */
  forget(variable: string): void {
    const { [variable]: _gone, ...rest } = this.all();
    if (Object.keys(rest).length === 0) this.secrets.delete(this.account);
    else this.secrets.set(this.account, JSON.stringify({ format: 1, variables: rest }));
  }

  /** Forgets the whole run. */
  clear(): void {
    this.secrets.delete(this.account);
  }
}

/**
 * Why a run that rotated credentials cannot be rolled back or "restored from its snapshot": its
 * old containers hold the old password, which the database no longer takes (and with which a
 * retained MySQL password is discarded). Null for any other run.
 */
export function rotationRollbackRefusal(steps: readonly { kind: string; params?: unknown }[], migrationId: string): string | null {
  const changed = steps.filter((step) => step.kind === 'set-database-password');
  if (changed.length === 0) return null;
  const variables = changed.map((step) => (step.params as { variable?: string } | undefined)?.variable ?? '?').join(', ');
  return `Run ${migrationId.slice(0, 8)} rotated ${variables} in the database itself; putting its previous containers back would give them a password the database no longer takes. Rotate credentials again instead (an interrupted or failed rotation is undone by itself, password included).`;
}
