import { describe, expect, it } from 'vitest';
import { MASK } from '../redact';
import type { PlannedResource } from './plan';
import { specWith } from './test-fixtures';
import { githubRepositoryOf, webhookReminderSummary, webhookReminders } from './webhook-reminders';

function planned(overrides: Partial<PlannedResource> & Pick<PlannedResource, 'desiredSpec'>): PlannedResource {
  return {
    resourceId: 'web', name: 'web', kind: 'application', mode: 'clone', addedAsDependency: false,
    source: { uuid: 'u1', containerName: 'uat-web', hostnames: [] }, target: { uuid: 'u2', containerName: 'production-web', hostnames: [] },
    volumesToCreate: [], scheduledTasks: [], linksToCreate: [], tags: [], ...overrides,
  } as PlannedResource;
}

const web = planned({
  desiredSpec: specWith({
    labels: { 'org.opencontainers.image.source': 'https://github.com/acme/shop', 'traefik.http.routers.web.rule': 'Host(`shop.example.com`)' },
    env: { SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/secrettoken', DATABASE_URL: 'postgres://u:p@db/app' },
  }),
});

describe('webhook reminders after the first clone into production', () => {
  it('names the domain the clone gets in production as the URL to configure, before what its labels route', () => {
    const withDomain = { ...web, domain: { domain: 'shop.prod.example', url: 'https://shop.prod.example', proxy: 'caddy-admin', routeId: 'r', dial: null, acmeIssuer: null } } as PlannedResource;
    expect(webhookReminders({ target: { production: true }, resources: [withDomain] }).map((entry) => entry.productionUrl)).toEqual(['https://shop.prod.example', 'https://shop.prod.example']);
  });

  it('lists the source repository label and webhook variables, with the production URL to configure', () => {
    const reminders = webhookReminders({ target: { production: true }, resources: [web] });
    expect(reminders.map((entry) => [entry.site, entry.key, entry.githubRepository, entry.productionUrl])).toEqual([
      ['label', 'org.opencontainers.image.source', 'acme/shop', 'https://shop.example.com'],
      ['env', 'SLACK_WEBHOOK_URL', null, 'https://shop.example.com'],
    ]);
    expect(webhookReminderSummary(reminders)).toContain('web label org.opencontainers.image.source (acme/shop) → point it at https://shop.example.com');
  });

  it('is empty outside production and for a promote (production already had it)', () => {
    expect(webhookReminders({ target: { production: false }, resources: [web] })).toEqual([]);
    expect(webhookReminders({ target: { production: true }, resources: [{ ...web, mode: 'promote' }] })).toEqual([]);
  });

  it('reads owner/repo from https, ssh and git@ forms', () => {
    expect(githubRepositoryOf('git@github.com:acme/shop.git')).toBe('acme/shop');
    expect(githubRepositoryOf('https://github.com/acme/shop/tree/main')).toBe('acme/shop');
    expect(githubRepositoryOf('https://gitlab.com/acme/shop')).toBeNull();
  });

  it('never shows a token a webhook URL carries in the clear', () => {
    const summary = webhookReminderSummary(webhookReminders({ target: { production: true }, resources: [planned({ desiredSpec: specWith({ env: { DEPLOY_WEBHOOK: 'https://ci.example.com/hook?token=abcdef123456' } }) })] }))!;
    expect(summary).not.toContain('abcdef123456');
    expect(summary).toContain(MASK);
  });
});
