/**
 * Webhook reminders: after the first clone into production, what still points at the old
 * environment and must be configured by hand (or through GitHub's API) — resources whose labels
 * or env name a git repository or a webhook. Pure: computed from a plan's (masked) resources, so
 * the run's summary and the migration page show the same list.
 */
import { z } from 'zod';
import { redactSecrets } from '../redact';
import type { ResourceSpec } from '../spec/resource-spec';
import type { PlannedResource } from './plan';

/** One thing to configure after the first clone into production. */
export const webhookReminder = z.object({
  resourceId: z.string(),
  resourceName: z.string(),
  /** Where it was found: a label or an env variable, by name. */
  site: z.enum(['label', 'env']),
  key: z.string(),
  /** The value, masked (a webhook URL may carry a token). */
  value: z.string(),
  /** `owner/repo` when the value names a GitHub repository (a hook can then be registered). */
  githubRepository: z.string().nullable(),
  /** The production URL to configure there, or null when production has no domain for the resource yet. */
  productionUrl: z.string().nullable(),
});
/** One thing to configure after the first clone into production. */
export type WebhookReminder = z.infer<typeof webhookReminder>;

/** Labels that name the resource's source repository. */
const SOURCE_LABELS = ['org.opencontainers.image.source', 'org.label-schema.vcs-url', 'com.github.repo'];
/** Env names that name a webhook or a repository. */
const WEBHOOK_ENV = /WEBHOOK|HOOK_URL|GIT_?REPO|REPO(SITORY)?_URL|GIT_URL/i;

/** `owner/repo` of a GitHub URL (https, ssh or `git@github.com:`), or null. */
export function githubRepositoryOf(value: string): string | null {
  const match = /github\.com[/:]([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?(?:[/#?].*)?$/.exec(value.trim());
  return match ? `${match[1]}/${match[2]}` : null;
}

/** The first domain the resource is routed under (Traefik `Host(...)`, a Caddy label, a VIRTUAL_HOST), as an https URL. */
export function productionUrlOf(spec: ResourceSpec): string | null {
  for (const [key, value] of Object.entries(spec.labels)) {
    const host = /Host\(`([^`]+)`\)/.exec(value)?.[1] ?? (key === 'caddy' ? value.split(/[\s,]/)[0] : undefined);
    if (host) return `https://${host.replace(/^https?:\/\//, '')}`;
  }
  const virtual = spec.env.VIRTUAL_HOST?.split(',')[0]?.trim();
  return virtual ? `https://${virtual}` : null;
}

/** The reminders of a run: for each resource it clones into production, what names a repository or a webhook. */
export function webhookReminders(plan: { target: { production: boolean }; resources: readonly PlannedResource[] }): WebhookReminder[] {
  if (!plan.target.production) return [];
  return plan.resources
    .filter((resource) => resource.mode === 'clone')
    .flatMap((resource) => {
      const spec = resource.desiredSpec;
      // The domain the clone gets in production (typed in the wizard) comes first; else what its labels route.
      const productionUrl = resource.domain?.url ?? productionUrlOf(spec);
      const of = (site: 'label' | 'env', key: string, value: string): WebhookReminder => ({
        resourceId: resource.resourceId,
        resourceName: resource.name,
        site,
        key,
        value: redactSecrets(value),
        githubRepository: githubRepositoryOf(value),
        productionUrl,
      });
      return [
        ...Object.entries(spec.labels).filter(([key, value]) => SOURCE_LABELS.includes(key) && value !== '').map(([key, value]) => of('label', key, value)),
        ...Object.entries(spec.env).filter(([key, value]) => WEBHOOK_ENV.test(key) && value !== '').map(([key, value]) => of('env', key, value)),
      ];
    });
}

/** The run's summary line: what to configure, with the production URL (null when there is nothing). */
export function webhookReminderSummary(reminders: readonly WebhookReminder[]): string | null {
  if (reminders.length === 0) return null;
  const items = reminders.map((entry) => `${entry.resourceName} ${entry.site} ${entry.key} (${entry.githubRepository ?? entry.value}) → point it at ${entry.productionUrl ?? 'production’s URL once it has a domain'}`);
  return `Still pointing at the environment before production; configure: ${items.join('; ')}.`;
}
