import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerGithubHook } from './github-hooks';
import { startFakeGithubApi, type FakeGithubApi } from './testing/fake-github-api';

let github: FakeGithubApi;
const TOKEN = 'ghp_faketoken0123456789abcdef';
const SECRET = 'hook-secret-0123456789abcdef';

beforeAll(async () => {
  github = await startFakeGithubApi({ token: TOKEN, repositories: ['acme/shop'] });
});
afterAll(() => github.close());

describe('registering a GitHub webhook (against a FAKE GitHub API on loopback)', () => {
  it('sends a well-formed hook creation with the production URL and a secret, and returns the hook id', async () => {
    const { hookId } = await registerGithubHook({ repository: 'acme/shop', url: 'https://shop.example.com/hooks/github', secret: SECRET, token: TOKEN, apiBase: github.baseUrl });
    expect(hookId).toBe(1);
    const [request] = github.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/repos/acme/shop/hooks' });
    expect(request!.headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' });
    expect(request!.body).toEqual({ name: 'web', active: true, events: ['push'], config: { url: 'https://shop.example.com/hooks/github', content_type: 'json', secret: SECRET, insecure_ssl: '0' } });
  });

  it('never registers a hook without a real secret', async () => {
    const before = github.requests.length;
    await expect(registerGithubHook({ repository: 'acme/shop', url: 'https://shop.example.com/', secret: '', token: TOKEN, apiBase: github.baseUrl })).rejects.toMatchObject({ code: 'invalid_request' });
    expect(github.requests.length).toBe(before);
  });

  it('says what GitHub answered, without the token', async () => {
    const wrong = await registerGithubHook({ repository: 'acme/shop', url: 'https://shop.example.com/', secret: SECRET, token: 'ghp_wrong_token_value_123', apiBase: github.baseUrl }).catch((error: Error) => error);
    expect(wrong).toMatchObject({ code: 'github_refused', message: 'GitHub refused the webhook for acme/shop: Bad credentials (HTTP 401).' });
    const missing = await registerGithubHook({ repository: 'acme/nope', url: 'https://shop.example.com/', secret: SECRET, token: TOKEN, apiBase: github.baseUrl }).catch((error: Error) => error);
    expect((missing as Error).message).toContain('Not Found (HTTP 404)');
    expect(JSON.stringify([wrong, missing].map((error) => (error as Error).message))).not.toContain('ghp_');
  });
});
