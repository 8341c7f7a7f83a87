/**
 * "Change domain" of a resource that runs in an environment, as one journaled run on the one run
 * path (kind `restore`, an operator's maintenance run like "Rotate credentials", so whatever gate
 * the run path applies to those applies here). `domains:check` reads the server live (its proxy,
 * what it routes, what the domain resolves to there) and answers the pre-checks before anything
 * runs; `domains:change` checks again, refuses what blocks, and starts the run: a fresh verified
 * backup first for a production database, then the new routing (a plain Caddy's route under the
 * same `@id`, or the container recreated with the new labels), the certificate check, and the
 * record. Its undo is the rollback of that run (`domain-change-undo.ts`).
 */
import { GantryError } from '@shared/ipc/result';
import { domainChangeSteps, planDomainChange, type DomainCheckView } from '@shared/domains/domain-change';
import { validateDomain } from '@shared/domains/domain-name';
import type { MigrationPlan, PlannedResource } from '@shared/migration/plan';
import { healthWaitMs } from '@shared/migration/plan-steps';
import { containerName as nameOf, specFromInspect } from '@shared/spec/spec-from-inspect';
import { readDomainFacts } from '../domains/domain-facts';
import { inspectServer } from '../inventory/discovery';
import type { InventoryStore } from '../inventory/inventory-store';
import type { SpecSealer } from '../inventory/spec-hash';
import type { Router } from '../ipc/router';
import type { RemoteHost } from '../servers/remote-host';
import { maskedPlan, type MigrationEngine } from './engine';
import type { LaunchRequest } from './run-path';
import { maskSteps } from './steps/registry';

/** What the domain channels need. */
export interface DomainRunDeps {
  engine: MigrationEngine;
  inventory: InventoryStore;
  hosts: (serverId: string) => RemoteHost;
  /** Seals the live spec, so a recovery checks the container is back as it was (none: not checked). */
  sealer?: () => SpecSealer;
}

/** Reads the resource and its server live and plans the change (nothing is written). */
async function readChange(deps: Pick<DomainRunDeps, 'inventory' | 'hosts'>, request: { environmentId: string; resourceId: string; domain: string }) {
  const environment = deps.inventory.environment(request.environmentId);
  if (!environment.serverId) throw new GantryError('not_bound', `${environment.name} has no server, so nothing there has a domain.`);
  const host = deps.hosts(environment.serverId);
  const view = deps.inventory.resources(environment.projectId).find((each) => each.id === request.resourceId);
  const instance = deps.inventory.instances(environment.projectId).find((each) => each.environmentId === environment.id && each.resourceId === request.resourceId);
  if (!view || !instance) throw new GantryError('not_found', `${view?.name ?? 'This resource'} has no recorded container in ${environment.name}; migrate or adopt it there first.`);
  const inspect = await inspectServer(host);
  const container = inspect.containers.find((each) => nameOf(each) === instance.containerName);
  if (!container) throw new GantryError('not_found', `${instance.containerName} is not on ${host.label} any more; discover ${environment.name} again.`);
  const spec = specFromInspect(container, inspect.images.find((image) => image.Id === container.Image));
  const valid = validateDomain(request.domain);
  const facts = await readDomainFacts(host, inspect.containers, valid.ok ? [valid.domain] : []);
  const subject = { resourceId: view.id, name: view.name, containerName: instance.containerName, spec, tags: view.tags };
  const planned = planDomainChange(subject, request.domain, facts, { serverName: environment.serverName ?? host.label, targetName: environment.name });
  return { environment, host, view, instance, subject, facts, planned, valid };
}

/** The pre-checks of a domain change as the dialog shows them. */
export async function checkDomainChange(deps: Pick<DomainRunDeps, 'inventory' | 'hosts'>, request: { environmentId: string; resourceId: string; domain: string }): Promise<DomainCheckView> {
  const { environment, facts, planned, valid } = await readChange(deps, request);
  return {
    current: planned.current,
    domain: valid.ok ? valid.domain : null,
    url: valid.ok ? valid.url : null,
    proxy: facts.proxy.kind,
    prechecks: planned.prechecks.map(({ id, severity, message }) => ({ id, severity, message })),
    blocking: planned.prechecks.some((check) => check.severity === 'blocking'),
    confirmName: environment.production ? environment.name : null,
  };
}

/** The run that moves one resource to a new domain; refuses when a pre-check blocks or production is not confirmed. */
export async function domainChangeRun(deps: Pick<DomainRunDeps, 'inventory' | 'hosts' | 'sealer'>, request: { environmentId: string; resourceId: string; domain: string; confirmation?: string | undefined }): Promise<LaunchRequest> {
  const { environment, host, view, instance, subject, planned } = await readChange(deps, request);
  const blocking = planned.prechecks.filter((check) => check.severity === 'blocking');
  if (blocking.length > 0 || !planned.assignment) throw new GantryError('precheck_blocked', `The domain of ${view.name} was not changed: ${blocking.map((check) => check.message).join(' ') || 'no routing could be planned.'}`);
  if (environment.production && request.confirmation !== environment.name) throw new GantryError('confirmation_required', `${environment.name} is production: type its name to confirm the domain change.`);
  const assignment = planned.assignment;
  const backupFirst = view.kind === 'database' && environment.production;
  const resource: PlannedResource = {
    resourceId: view.id,
    name: view.name,
    kind: view.kind,
    mode: 'promote',
    unchanged: false,
    addedAsDependency: false,
    source: { uuid: view.id, containerName: instance.containerName, hostnames: [] },
    target: { uuid: view.id, containerName: instance.containerName, hostnames: [] },
    desiredSpec: planned.spec,
    volumesToCreate: [],
    scheduledTasks: [],
    linksToCreate: [],
    tags: [...view.tags],
    domain: assignment,
  };
  const steps = domainChangeSteps(subject, assignment, planned.current, { backupFirst, healthTimeoutMs: healthWaitMs(planned.spec) });
  const target = { id: environment.id, name: environment.name, production: environment.production };
  const plan: MigrationPlan = { source: target, target, server: { id: environment.serverId!, name: environment.serverName ?? host.label }, direction: 'forward', resources: [resource], steps, diff: { resources: [], unified: '' }, missingDependencies: [], prechecks: planned.prechecks, blocking: false };
  const warnings = planned.prechecks.filter((check) => check.severity === 'warning').map((check) => check.message);
  const beforeHash = deps.sealer ? deps.sealer().seal(subject.spec).hash : null;
  const how = assignment.proxy === 'caddy-admin' ? `Caddy's route ${assignment.routeId} on ${environment.serverName ?? host.label} is pointed at it` : `${instance.containerName} is recreated with ${assignment.proxy === 'traefik' ? 'Traefik' : 'caddy-docker-proxy'} labels for it`;
  return {
    run: { format: 1, kind: 'restore', plan: maskedPlan(plan), steps: maskSteps(steps), sourceServerId: environment.serverId!, promotedFrom: { [view.id]: instance.promotedFromHash }, event: 'migrated', expected: beforeHash ? [{ resourceId: view.id, name: view.name, containerName: instance.containerName, beforeHash }] : [], domainChange: { resourceId: view.id, from: planned.current, to: assignment.domain } },
    options: { waitForReady: true, healthTimeoutSec: 300, httpCheckPath: null },
    projectId: environment.projectId,
    sourceEnvironmentId: null,
    targetEnvironmentId: environment.id,
    rollbackOf: null,
    resources: [resource],
    title: `Change the domain of ${view.name} in ${environment.name} to ${assignment.domain}`,
    firstLog: `Changes the domain of ${view.name} in ${environment.name} from ${planned.current ?? '(none)'} to ${assignment.domain}: ${how}${backupFirst ? ', after a verified backup' : ''}. Undo (Roll back) puts ${planned.current ?? 'no domain'} back.${warnings.length ? ` Pre-check warnings: ${warnings.join(' ')}` : ''}`,
  };
}

/** Registers `domains:check` and `domains:change`. */
export function registerDomainHandlers(router: Router, deps: DomainRunDeps): void {
  router.handle('domains:check', (request) => checkDomainChange(deps, request));
  router.handle('domains:change', async (request) => deps.engine.runPath.launch(await domainChangeRun(deps, request)));
}
