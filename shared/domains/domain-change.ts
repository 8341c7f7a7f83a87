/**
 * "Change domain" of a resource that already runs in an environment: the pre-checks (the same as
 * a first assignment's, plus "that is already its domain") and the steps of the journaled run that
 * moves it, as pure functions of what the engine read from the server. A plain Caddy gets its
 * route (same `@id`) pointed at the new domain; a label-reading proxy (Traefik,
 * caddy-docker-proxy) gets the container recreated with the new labels. Either way the run then
 * waits for the new domain's certificate and records the resource again. Its undo is built from
 * the journal (`domainChangeUndoSteps`): the previous route put back, or the container restored
 * from the snapshot the change kept.
 */
import { z } from 'zod';
import type { MigrationStep, snapshotRef } from '../migration/steps';
import { CERTIFICATE_WAIT_MS } from '../migration/plan-steps';
import type { Precheck } from '../migration/prechecks';
import type { ResourceSpec } from '../spec/resource-spec';
import { planDomain, type DomainAssignment, type DomainFacts } from './domain-assignment';
import { validateDomain } from './domain-name';
import { caddyRouteIdFor, type CaddyRoute } from './proxy-routing';

const id = z.string().min(1).max(100);

/** `domains:check`: the pre-checks of changing one resource's domain, before anything runs. */
export const domainCheckRequest = z.object({ environmentId: id, resourceId: id, domain: z.string().max(300) }).strict();

/** `domains:change`: starts the run; production asks for its name typed as confirmation. */
export const domainChangeRequest = domainCheckRequest.extend({ confirmation: z.string().max(200).optional() }).strict();

/** One pre-check as the dialog shows it. */
export const domainPrecheckView = z.object({ id: z.string(), severity: z.enum(['ok', 'warning', 'blocking']), message: z.string() });

/** What `domains:check` answers. */
export const domainCheckView = z.object({
  /** The domain the resource is routed at now (read from the server's proxy), or null. */
  current: z.string().nullable(),
  /** The new domain in its ASCII form, when it is valid. */
  domain: z.string().nullable(),
  url: z.string().nullable(),
  /** How the change is made: the proxy found on the server. */
  proxy: z.enum(['traefik', 'caddy-docker-proxy', 'caddy-admin', 'none']).nullable(),
  prechecks: z.array(domainPrecheckView),
  blocking: z.boolean(),
  /** Production runs ask for the environment's name typed as confirmation. */
  confirmName: z.string().nullable(),
});
/** What `domains:check` answers. */
export type DomainCheckView = z.infer<typeof domainCheckView>;

/** What a change-domain run journals about itself (so its undo knows what it moved). */
export const domainChangeRecord = z.object({ resourceId: z.string(), from: z.string().nullable(), to: z.string() });
/** What a change-domain run journals about itself. */
export type DomainChangeRecord = z.infer<typeof domainChangeRecord>;

/** The resource whose domain changes, as the engine read it live. */
export interface DomainChangeSubject {
  resourceId: string;
  name: string;
  containerName: string;
  spec: ResourceSpec;
  tags: readonly string[];
}

/** The domain the proxy routes to this container now: its Caddy route's or its labels' first host. */
export function currentDomainOf(facts: DomainFacts, containerName: string): string | null {
  const routeId = caddyRouteIdFor(containerName);
  return facts.routedDomains.find((each) => each.holder === routeId || each.holder === containerName)?.domain ?? null;
}

/** The pre-checks of moving `subject` to `typed`, and the routing it gets when nothing blocks. */
export function planDomainChange(subject: DomainChangeSubject, typed: string, facts: DomainFacts, context: { serverName: string; targetName: string }): { assignment: DomainAssignment | null; spec: ResourceSpec; prechecks: Precheck[]; current: string | null } {
  const current = currentDomainOf(facts, subject.containerName);
  const valid = validateDomain(typed);
  if (valid.ok && valid.domain === current) {
    return { assignment: null, spec: subject.spec, current, prechecks: [{ id: `domain:${subject.resourceId}:same`, check: 'domain', severity: 'blocking', message: `${valid.domain} is already ${subject.name}'s domain in ${context.targetName}; enter the new one.`, resourceId: subject.resourceId }] };
  }
  // A change is an assignment to a resource that runs there already: its own route is not "elsewhere".
  const planned = planDomain({ resourceId: subject.resourceId, name: subject.name, mode: 'clone', containerName: subject.containerName, spec: subject.spec }, typed, facts, { ...context, production: true, otherDomains: [] });
  return { ...planned, current };
}

/** The steps of a change-domain run. `backupFirst`: a production database is backed up (and verified) before anything else. */
export function domainChangeSteps(subject: DomainChangeSubject, assignment: DomainAssignment, current: string | null, options: { backupFirst: boolean; healthTimeoutMs: number }): MigrationStep[] {
  const { resourceId, containerName } = subject;
  const steps: MigrationStep[] = [];
  if (options.backupFirst) steps.push({ id: `backup-database:${resourceId}`, kind: 'backup-database', title: `Back up ${containerName} and verify the backup`, resourceId, undo: null, params: { containerName, resourceName: subject.name } });
  if (assignment.proxy === 'caddy-admin') {
    steps.push({
      id: `route-domain:${resourceId}`,
      kind: 'route-domain',
      title: current ? `Route ${assignment.domain} to ${containerName} through Caddy instead of ${current}` : `Route ${assignment.domain} to ${containerName} through Caddy`,
      resourceId,
      undo: current ? `Route ${current} again` : `Remove the route of ${assignment.domain}`,
      params: { containerName, domain: assignment.domain, routeId: assignment.routeId!, dial: assignment.dial! },
    });
  } else {
    steps.push(
      { id: `replace-container:${resourceId}`, kind: 'replace-container', title: `Recreate ${containerName} with the routing labels of ${assignment.domain}`, resourceId, undo: `Put the previous ${containerName} back${current ? ` (routed at ${current})` : ''}`, params: { containerName, previousSpecHash: null } },
      { id: `wait-healthy:${resourceId}`, kind: 'wait-healthy', title: `Wait for ${containerName} to be healthy`, resourceId, undo: null, params: { containerName, timeoutMs: options.healthTimeoutMs } },
    );
  }
  steps.push(
    { id: `check-certificate:${resourceId}`, kind: 'check-certificate', title: `Wait for the certificate of ${assignment.domain}`, resourceId, undo: null, params: { domain: assignment.domain, acmeIssuer: assignment.acmeIssuer, timeoutMs: CERTIFICATE_WAIT_MS } },
    { id: `record-resource:${resourceId}`, kind: 'record-resource', title: `Record ${containerName} at ${assignment.domain}`, resourceId, undo: 'Restore the previous record', params: { containerName, tags: [...subject.tags] } },
  );
  return steps;
}

/** What a completed change-domain run did, read from its journal. */
export interface DoneDomainChange {
  change: DomainChangeRecord;
  containerName: string;
  tags: readonly string[];
  /** The Caddy route the route step replaced (null: there was none), when the change went through Caddy. */
  previousRoute?: CaddyRoute | null;
  /** The route step's params, when the change went through Caddy. */
  routed?: { routeId: string; dial: string; domain: string };
  /** The snapshot the replace step kept, when the change recreated the container. */
  snapshot?: z.infer<typeof snapshotRef>;
  acmeIssuer: string | null;
  healthTimeoutMs: number;
}

/** The steps that undo a completed change-domain run: the old route back (or the new one removed), or the container from its snapshot; then the old domain's certificate and the record. */
export function domainChangeUndoSteps(done: DoneDomainChange): MigrationStep[] {
  const { resourceId, from, to } = done.change;
  const { containerName } = done;
  const steps: MigrationStep[] = [];
  if (done.routed) {
    const previous = done.previousRoute ?? null;
    const host = previous?.match?.[0]?.host?.[0];
    const dial = previous?.handle?.[0]?.upstreams?.[0]?.dial;
    if (previous && host && dial) steps.push({ id: `route-domain:${resourceId}`, kind: 'route-domain', title: `Route ${host} to ${containerName} through Caddy again instead of ${to}`, resourceId, undo: `Route ${to} again`, params: { containerName, domain: host, routeId: done.routed.routeId, dial } });
    else steps.push({ id: `route-domain:${resourceId}`, kind: 'route-domain', title: `Remove the route of ${to}`, resourceId, undo: `Route ${to} again`, params: { ...done.routed, containerName, remove: true } });
  } else if (done.snapshot) {
    steps.push(
      { id: `restore-container:${resourceId}`, kind: 'restore-container', title: `Restore ${containerName} with its previous routing${from ? ` (${from})` : ''}`, resourceId, undo: `Put the current ${containerName} back`, params: { containerName, snapshot: done.snapshot } },
      { id: `wait-healthy:${resourceId}`, kind: 'wait-healthy', title: `Wait for ${containerName} to be healthy`, resourceId, undo: null, params: { containerName, timeoutMs: done.healthTimeoutMs } },
    );
  }
  if (from) steps.push({ id: `check-certificate:${resourceId}`, kind: 'check-certificate', title: `Wait for the certificate of ${from}`, resourceId, undo: null, params: { domain: from, acmeIssuer: done.acmeIssuer, timeoutMs: CERTIFICATE_WAIT_MS } });
  steps.push({ id: `record-resource:${resourceId}`, kind: 'record-resource', title: `Record ${containerName}${from ? ` at ${from}` : ''}`, resourceId, undo: 'Restore the previous record', params: { containerName, tags: [...done.tags] } });
  return steps;
}
