/**
 * The `webhooks:*` channels: the reminders of a migration (what still points at the environment
 * before production), the GitHub token kept in the keychain, and registering a GitHub webhook
 * with a new secret (kept in the keychain too; never stored in SQLite or logged).
 */
import { GantryError } from '@shared/ipc/result';
import { webhookReminders } from '@shared/migration/webhook-reminders';
import { newPassword } from '../databases/rotation';
import type { Router } from '../ipc/router';
import type { SecretStore } from '../keychain/secret-store';
import type { MigrationJournal } from '../migrations/journal';
import { readStoredRun } from '../migrations/stored-run';
import { registerGithubHook } from './github-hooks';

/** The keychain account of the GitHub token. */
export const GITHUB_TOKEN_ACCOUNT = 'webhooks:github-token';

/** What the webhook channels need. */
export interface WebhookHandlerDeps {
  journal: MigrationJournal;
  secrets: SecretStore;
  /** GitHub's API base (GitHub Enterprise; the tests' fake GitHub API); GitHub's public API when absent. */
  githubApiBase?: string;
  log: (message: string, fields: Record<string, unknown>) => void;
}

/** Registers the `webhooks:*` channels. */
export function registerWebhookHandlers(router: Router, deps: WebhookHandlerDeps): void {
  router.handle('webhooks:reminders', ({ migrationId }) => {
    const row = deps.journal.get(migrationId);
    if (!row) throw new GantryError('not_found', `There is no migration ${migrationId}.`);
    return { reminders: webhookReminders(readStoredRun(row.planJson, row.kind).plan) };
  });
  router.handle('webhooks:github-token', () => ({ saved: Boolean(deps.secrets.get(GITHUB_TOKEN_ACCOUNT)) }));
  router.handle('webhooks:set-github-token', ({ token }) => {
    deps.secrets.set(GITHUB_TOKEN_ACCOUNT, token);
    return { saved: true };
  });
  router.handle('webhooks:register-github', async ({ repository, url }) => {
    const token = deps.secrets.get(GITHUB_TOKEN_ACCOUNT);
    if (!token) throw new GantryError('no_token', 'Save a GitHub token first (it is kept in the keychain).');
    const secret = newPassword(40);
    const { hookId } = await registerGithubHook({ repository, url, secret, token, ...(deps.githubApiBase ? { apiBase: deps.githubApiBase } : {}) });
    deps.secrets.set(`webhooks:github-secret:${repository}:${hookId}`, secret);
    deps.log('GitHub webhook registered', { repository, hookId, url });
    return { hookId, secretAccount: `webhooks:github-secret:${repository}:${hookId}` };
  });
}
