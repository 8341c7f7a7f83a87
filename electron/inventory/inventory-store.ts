/**
 * The inventory in SQLite: projects, their environment chains, resources, instances and the
 * sealed spec history. Every chain change is checked with the pure rules in
 * shared/inventory/chain.ts and written in one transaction.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { GantryError } from '@shared/ipc/result';
import { chainProblems, reorderChain, type ChainLink } from '@shared/inventory/chain';
import type { EnvironmentView, ProjectSummary, ResourceView } from '@shared/inventory/model';
import type { DatabaseType, ResourceKind } from '@shared/spec/resource-spec';
import { canonicalJson } from '@shared/spec/canonical-json';
import { cronEntryFor } from '@shared/migration/schedules';
import type { GantryDatabase } from '../store/open-database';
import { environments, instances, projects, resourceLinks, resources, scheduledTasks, servers, specHistory } from '../store/schema';
import type { SealedSpec } from './spec-hash';

/** A new resource as the operator describes it. */
export interface NewResource {
  name: string;
  kind: ResourceKind;
  databaseType: DatabaseType | null;
  tags: string[];
  links: string[];
  scheduledTasks: { name: string; schedule: string; command: string; enabled: boolean }[];
}

/** An instance row: which container is a resource in an environment, and what Gantry recorded for it. */
export type InstanceRow = typeof instances.$inferSelect;

/** What happened when a spec was recorded. */
export type HistoryEvent = 'adopted' | 'migrated' | 'rolled_back' | 'accepted_drift';

/** Reads and writes the inventory tables. */
export class InventoryStore {
  constructor(private readonly db: GantryDatabase) {}

  /** Every project with the size of its chain, by name. */
  listProjects(): ProjectSummary[] {
    return this.db
      .select({
        id: projects.id,
        name: projects.name,
        createdAt: projects.createdAt,
        environmentCount: sql<number>`(SELECT COUNT(*) FROM environments e WHERE e.project_id = "projects"."id")`,
        resourceCount: sql<number>`(SELECT COUNT(*) FROM resources r WHERE r.project_id = "projects"."id")`,
      })
      .from(projects)
      .orderBy(asc(projects.name))
      .all();
  }

  /** One project, or a `not_found` error. */
  project(projectId: string): ProjectSummary {
    const found = this.listProjects().find((project) => project.id === projectId);
    if (!found) throw new GantryError('not_found', `There is no project with id ${projectId}. It may have been deleted; reload the project list.`);
    return found;
  }

  /** Creates a project and its initial chain (first to last). */
  createProject(name: string, chain: { name: string; production: boolean }[]): ProjectSummary {
    if (this.listProjects().some((project) => project.name.toLowerCase() === name.toLowerCase())) {
      throw new GantryError('conflict', `A project named "${name}" already exists. Choose another name.`);
    }
    const id = randomUUID();
    const links = chain.map((link) => ({ id: randomUUID(), ...link }));
    assertChain(links);
    const now = Date.now();
    this.db.transaction((tx) => {
      tx.insert(projects).values({ id, name, createdAt: now }).run();
      links.forEach((link, position) =>
        tx.insert(environments).values({ id: link.id, projectId: id, name: link.name, position, production: link.production, network: defaultNetwork(name, link.name), createdAt: now }).run(),
      );
    });
    return this.project(id);
  }

  /** The project's environments in chain order. */
  environments(projectId: string): EnvironmentView[] {
    return this.db
      .select({
        id: environments.id,
        projectId: environments.projectId,
        name: environments.name,
        position: environments.position,
        production: environments.production,
        serverId: environments.serverId,
        serverName: servers.name,
        network: environments.network,
        domain: environments.domain,
      })
      .from(environments)
      .leftJoin(servers, eq(servers.id, environments.serverId))
      .where(eq(environments.projectId, projectId))
      .orderBy(asc(environments.position))
      .all();
  }

  /** One environment, or a `not_found` error. */
  environment(environmentId: string): EnvironmentView {
    const row = this.db.select({ projectId: environments.projectId }).from(environments).where(eq(environments.id, environmentId)).get();
    const found = row && this.environments(row.projectId).find((environment) => environment.id === environmentId);
    if (!found) throw new GantryError('not_found', `There is no environment with id ${environmentId}. Reload the project.`);
    return found;
  }

  /**
   * Adds an environment to the chain: at the end, or just before the production environment
   * when the new one is not production (so production stays last).
   */
  addEnvironment(input: { projectId: string; name: string; production: boolean; serverId: string | null; network?: string; domain: string }): EnvironmentView {
    const project = this.project(input.projectId);
    if (input.serverId !== null) this.assertServer(input.serverId);
    const chain = this.environments(input.projectId);
    const id = randomUUID();
    const productionAt = chain.findIndex((environment) => environment.production);
    const position = !input.production && productionAt !== -1 ? productionAt : chain.length;
    const next: ChainLink[] = [...chain];
    next.splice(position, 0, { id, name: input.name, production: input.production });
    assertChain(next);
    this.db.transaction((tx) => {
      next.forEach((link, index) => {
        if (link.id !== id) tx.update(environments).set({ position: index }).where(eq(environments.id, link.id)).run();
      });
      tx.insert(environments)
        .values({
          id,
          projectId: input.projectId,
          name: input.name,
          position,
          production: input.production,
          serverId: input.serverId,
          network: input.network ?? defaultNetwork(project.name, input.name),
          domain: input.domain,
          createdAt: Date.now(),
        })
        .run();
    });
    return this.environment(id);
  }

  /** Puts the project's environments in the given order (every environment listed once). */
  reorderEnvironments(projectId: string, order: readonly string[]): EnvironmentView[] {
    this.project(projectId);
    const { chain, problems } = reorderChain(this.environments(projectId), order);
    if (problems.length > 0) throw new GantryError('invalid_chain', problems.join(' '), { problems });
    this.db.transaction((tx) => chain.forEach((link, position) => tx.update(environments).set({ position }).where(eq(environments.id, link.id)).run()));
    return this.environments(projectId);
  }

  /** Binds an environment to a server (or unbinds it with null) and updates its settings. */
  bindEnvironment(input: { environmentId: string; serverId: string | null; network?: string; domain?: string; production?: boolean }): EnvironmentView {
    const environment = this.environment(input.environmentId);
    if (input.serverId !== null) this.assertServer(input.serverId);
    if (input.production !== undefined && input.production !== environment.production) {
      const chain = this.environments(environment.projectId).map((link) => (link.id === environment.id ? { ...link, production: input.production ?? false } : link));
      assertChain(chain);
    }
    this.db
      .update(environments)
      .set({
        serverId: input.serverId,
        ...(input.network !== undefined ? { network: input.network } : {}),
        ...(input.domain !== undefined ? { domain: input.domain } : {}),
        ...(input.production !== undefined ? { production: input.production } : {}),
      })
      .where(eq(environments.id, input.environmentId))
      .run();
    return this.environment(input.environmentId);
  }

  /** The project's resources with their tags, links and scheduled tasks, by name. */
  resources(projectId: string): ResourceView[] {
    const rows = this.db.select().from(resources).where(eq(resources.projectId, projectId)).orderBy(asc(resources.name)).all();
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      kind: row.kind as ResourceKind,
      databaseType: (row.databaseType as DatabaseType | null) ?? null,
      tags: JSON.parse(row.tagsJson) as string[],
      links: this.db.select().from(resourceLinks).where(eq(resourceLinks.resourceId, row.id)).all().map((link) => link.targetId),
      scheduledTasks: this.db
        .select()
        .from(scheduledTasks)
        .where(eq(scheduledTasks.resourceId, row.id))
        .orderBy(asc(scheduledTasks.name))
        .all()
        .map(({ name, schedule, command, enabled }) => ({ name, schedule, command, enabled })),
    }));
  }

  /** One resource of a project, or a `not_found` error. */
  resource(projectId: string, resourceId: string): ResourceView {
    const found = this.resources(projectId).find((resource) => resource.id === resourceId);
    if (!found) throw new GantryError('not_found', `There is no resource with id ${resourceId} in this project.`);
    return found;
  }

  /** Creates a resource; its links must point at resources of the same project. */
  createResource(projectId: string, input: NewResource): ResourceView {
    if ((input.kind === 'database') !== (input.databaseType !== null)) {
      throw new GantryError(
        'invalid_request',
        input.kind === 'database' ? 'A database resource needs its database type (e.g. postgresql or redis).' : `Only a database has a database type; "${input.name}" is a ${input.kind}.`,
      );
    }
    const existing = this.resources(projectId);
    if (existing.some((resource) => resource.name === input.name)) throw new GantryError('conflict', `The project already has a resource named "${input.name}". Attach the container to it or choose another name.`);
    const unknownLink = input.links.find((link) => !existing.some((resource) => resource.id === link));
    if (unknownLink) throw new GantryError('not_found', `Resource "${input.name}" links to ${unknownLink}, which is not a resource of this project.`);
    const id = randomUUID();
    this.db.transaction((tx) => {
      tx.insert(resources)
        .values({ id, projectId, name: input.name, kind: input.kind, databaseType: input.databaseType, tagsJson: JSON.stringify([...new Set(input.tags)].sort()), createdAt: Date.now() })
        .run();
      for (const targetId of new Set(input.links)) tx.insert(resourceLinks).values({ resourceId: id, targetId }).run();
      for (const task of input.scheduledTasks) tx.insert(scheduledTasks).values({ id: randomUUID(), resourceId: id, ...task }).run();
    });
    return this.resource(projectId, id);
  }

  /**
   * Replaces a resource's tags, links and scheduled tasks (what migrations carry besides the
   * container). Links must stay inside the project and never form a cycle (migrations order
   * dependencies first); schedules must be ones cron reads. Nothing is written when any is wrong.
   */
  updateResource(resourceId: string, input: Pick<NewResource, 'tags' | 'links' | 'scheduledTasks'> & { databaseType?: DatabaseType }): ResourceView {
    const row = this.db.select().from(resources).where(eq(resources.id, resourceId)).get();
    if (!row) throw new GantryError('not_found', `There is no resource with id ${resourceId}.`);
    if (input.databaseType && row.kind !== 'database') throw new GantryError('invalid_request', `"${row.name}" is ${/^[aeiou]/.test(row.kind) ? 'an' : 'a'} ${row.kind}, not a database: only a database resource has a database type.`, { field: 'databaseType' });
    const project = this.resources(row.projectId);
    const nameOf = (id: string) => project.find((resource) => resource.id === id)?.name ?? id;
    const links = [...new Set(input.links)];
    if (links.includes(resourceId)) throw new GantryError('invalid_request', `"${row.name}" cannot use itself: remove it from its links.`);
    const unknownLink = links.find((link) => !project.some((resource) => resource.id === link));
    if (unknownLink) throw new GantryError('not_found', `"${row.name}" links to ${unknownLink}, which is not a resource of this project.`);
    const cycle = linkCycle(resourceId, links, new Map(project.map((resource) => [resource.id, resource.links])));
    if (cycle) throw new GantryError('invalid_request', `Links cannot go round in a circle (${cycle.map(nameOf).join(' → ')}): a migration moves what a resource uses first. Remove one of these links.`);
    const taskNames = new Set<string>();
    for (const task of input.scheduledTasks) {
      if (taskNames.has(task.name)) throw new GantryError('conflict', `"${row.name}" has two scheduled tasks named "${task.name}": task names must differ.`);
      taskNames.add(task.name);
      try {
        cronEntryFor(task, { resourceId, resourceName: row.name, containerName: row.name });
      } catch (error) {
        throw new GantryError('invalid_request', (error as Error).message);
      }
    }
    this.db.transaction((tx) => {
      tx.update(resources)
        .set({ tagsJson: JSON.stringify([...new Set(input.tags)].sort()), ...(input.databaseType ? { databaseType: input.databaseType } : {}) })
        .where(eq(resources.id, resourceId))
        .run();
      tx.delete(resourceLinks).where(eq(resourceLinks.resourceId, resourceId)).run();
      for (const targetId of links) tx.insert(resourceLinks).values({ resourceId, targetId }).run();
      tx.delete(scheduledTasks).where(eq(scheduledTasks.resourceId, resourceId)).run();
      for (const task of input.scheduledTasks) tx.insert(scheduledTasks).values({ id: randomUUID(), resourceId, ...task, schedule: task.schedule.trim() }).run();
    });
    return this.resource(row.projectId, resourceId);
  }

  /** Every instance of the project's resources. */
  instances(projectId: string): InstanceRow[] {
    return this.db
      .select({ instance: instances })
      .from(instances)
      .innerJoin(resources, eq(resources.id, instances.resourceId))
      .where(eq(resources.projectId, projectId))
      .all()
      .map((row) => row.instance);
  }

  /**
   * Records the spec Gantry now vouches for: sets (or replaces) the instance and appends a
   * history row, in one transaction. The spec must be sealed: it is stored as is.
   */
  recordInstance(input: {
    resourceId: string;
    environmentId: string;
    serverId: string | null;
    containerName: string;
    containerId: string | null;
    sealed: SealedSpec;
    event: HistoryEvent;
    promotedFromHash?: string | null;
  }): InstanceRow {
    const now = Date.now();
    const row: InstanceRow = {
      resourceId: input.resourceId,
      environmentId: input.environmentId,
      serverId: input.serverId,
      containerName: input.containerName,
      containerId: input.containerId,
      recordedHash: input.sealed.hash,
      recordedAt: now,
      promotedFromHash: input.promotedFromHash ?? null,
    };
    this.db.transaction((tx) => {
      tx.insert(instances)
        .values(row)
        .onConflictDoUpdate({ target: [instances.resourceId, instances.environmentId], set: row })
        .run();
      tx.insert(specHistory)
        .values({ resourceId: input.resourceId, environmentId: input.environmentId, event: input.event, specJson: canonicalJson(input.sealed.spec), specHash: input.sealed.hash, at: now })
        .run();
    });
    return row;
  }

  /** The recorded specs of one instance, newest first. */
  history(resourceId: string, environmentId: string): (typeof specHistory.$inferSelect)[] {
    return this.db
      .select()
      .from(specHistory)
      .where(and(eq(specHistory.resourceId, resourceId), eq(specHistory.environmentId, environmentId)))
      .orderBy(desc(specHistory.id))
      .all();
  }

  private assertServer(serverId: string): void {
    if (!this.db.select({ id: servers.id }).from(servers).where(eq(servers.id, serverId)).get()) {
      throw new GantryError('not_found', `There is no server with id ${serverId}. Add the server first, then bind the environment to it.`);
    }
  }
}

function assertChain(chain: readonly ChainLink[]): void {
  const problems = chainProblems(chain);
  if (problems.length > 0) throw new GantryError('invalid_chain', problems.join(' '), { problems });
}

/** The default Docker network of an environment: `gantry-<project>-<environment>`. */
export function defaultNetwork(projectName: string, environmentName: string): string {
  const project = projectName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'project';
  return `gantry-${project}-${environmentName}`;
}

/** The path of a cycle the links of `resourceId` would close (it, then back to it), or null. */
function linkCycle(resourceId: string, links: string[], linksOf: Map<string, string[]>): string[] | null {
  const seen = new Set<string>();
  const walk = (id: string, path: string[]): string[] | null => {
    if (id === resourceId) return [...path, id];
    if (seen.has(id)) return null;
    seen.add(id);
    for (const next of linksOf.get(id) ?? []) {
      const found = walk(next, [...path, id]);
      if (found) return found;
    }
    return null;
  };
  for (const link of links) {
    const found = walk(link, [resourceId]);
    if (found) return found;
  }
  return null;
}
