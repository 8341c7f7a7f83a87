/**
 * Registers a repository webhook through GitHub's REST API (`POST /repos/{owner}/{repo}/hooks`),
 * always with a secret so the receiver can check GitHub's signature. The token and the secret
 * come from the keychain and are never logged; the API base is injectable (GitHub Enterprise, and
 * the fake GitHub API the tests run on loopback).
 */
import { z } from 'zod';
import { GantryError } from '@shared/ipc/result';
import { redactSecrets } from '@shared/redact';

/** GitHub's public API. */
export const GITHUB_API = 'https://api.github.com';

/** What a hook registration needs. */
export interface GithubHookRequest {
  /** `owner/repo`. */
  repository: string;
  /** Where GitHub sends events: the production URL. */
  url: string;
  /** The hook's secret (GitHub signs each delivery with it); required. */
  secret: string;
  token: string;
  events?: string[];
  apiBase?: string;
  signal?: AbortSignal;
}

const createdHook = z.looseObject({ id: z.number(), active: z.boolean().optional(), config: z.looseObject({ url: z.string().optional() }).optional() });

/** Creates the hook; returns GitHub's id for it. Errors say what GitHub answered, without the token. */
export async function registerGithubHook(request: GithubHookRequest, fetchImpl: typeof fetch = fetch): Promise<{ hookId: number }> {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(request.repository);
  if (!match) throw new GantryError('invalid_request', `${request.repository} is not an owner/repo name.`);
  if (request.secret.length < 16) throw new GantryError('invalid_request', 'A webhook needs a secret of at least 16 characters.');
  if (!/^https?:\/\//.test(request.url)) throw new GantryError('invalid_request', `${request.url} is not an http(s) URL GitHub can deliver to.`);
  const endpoint = `${(request.apiBase ?? GITHUB_API).replace(/\/$/, '')}/repos/${encodeURIComponent(match[1]!)}/${encodeURIComponent(match[2]!)}/hooks`;
  let response: Response;
  try {
    response = await fetchImpl(endpoint, {
      method: 'POST',
      headers: { Accept: 'application/vnd.github+json', Authorization: `Bearer ${request.token}`, 'X-GitHub-Api-Version': '2022-11-28', 'Content-Type': 'application/json', 'User-Agent': 'Gantry' },
      body: JSON.stringify({ name: 'web', active: true, events: request.events ?? ['push'], config: { url: request.url, content_type: 'json', secret: request.secret, insecure_ssl: '0' } }),
      ...(request.signal ? { signal: request.signal } : {}),
    });
  } catch (error) {
    throw new GantryError('github_unreachable', `GitHub's API could not be reached: ${redactSecrets((error as Error).message)}`);
  }
  const text = await response.text();
  if (response.status !== 201) {
    const message = /"message"\s*:\s*"([^"]*)"/.exec(text)?.[1] ?? `HTTP ${response.status}`;
    throw new GantryError('github_refused', `GitHub refused the webhook for ${request.repository}: ${redactSecrets(message)} (HTTP ${response.status}).`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  const parsed = createdHook.safeParse(body);
  if (!parsed.success) throw new GantryError('github_unreadable', `GitHub answered the webhook creation for ${request.repository} with something Gantry cannot read.`);
  return { hookId: parsed.data.id };
}
