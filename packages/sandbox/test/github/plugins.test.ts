/**
 * The answers that make a client wait or retry are recognised by the client libraries the
 * GitHub connector uses: `@octokit/plugin-throttling` sees the primary limit (and waits for
 * `x-ratelimit-reset`) and the secondary limit (and waits `retry-after`), and
 * `@octokit/plugin-retry` retries a 5xx read.
 */
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { describe, expect, it } from 'vitest';
import { repo, useGitHub } from './harness.js';

const h = useGitHub();
const Client = Octokit.plugin(throttling, retry);
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function client(events: string[]) {
  return new Client({
    baseUrl: h.sandbox.url,
    auth: h.sandbox.token,
    log: quiet,
    throttle: {
      onRateLimit: (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) => {
        events.push(`primary retryAfter=${retryAfter}`);
        return retryCount < 1;
      },
      onSecondaryRateLimit: (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) => {
        events.push(`secondary retryAfter=${retryAfter}`);
        return retryCount < 1;
      },
    },
    retry: { retryAfterBaseValue: 10 },
  });
}

describe('Octokit plugins against the sandbox', () => {
  it('throttling recognises a spent primary limit, waits for the reset, and succeeds', async () => {
    const events: string[] = [];
    h.sandbox.faults.add({ kind: 'rateLimit', limit: 'primary', forMs: 300, route: 'repos/get' });
    const res = await client(events).repos.get(repo);
    expect(res.status).toBe(200);
    expect(events).toHaveLength(1);
    // x-ratelimit-reset is in whole seconds, and the plugin adds a second: 1 to 3 seconds.
    expect(events[0]).toMatch(/^primary retryAfter=[1-3]$/);
    expect(h.sandbox.log.entries({ route: 'repos/get' }).map((e) => e.status)).toEqual([403, 200]);
  });

  it('throttling recognises the secondary limit and waits retry-after', async () => {
    const events: string[] = [];
    h.sandbox.faults.add({ kind: 'rateLimit', limit: 'secondary', retryAfter: 1, route: 'issues/list-for-repo', times: 1 });
    const res = await client(events).issues.listForRepo(repo);
    expect(res.status).toBe(200);
    expect(events).toEqual(['secondary retryAfter=1']);
    expect(h.sandbox.log.entries({ route: 'issues/list-for-repo' }).map((e) => e.status)).toEqual([403, 200]);
  });

  it('retry retries a read that failed with 502 and does not retry a 404', async () => {
    h.sandbox.faults.add({ kind: 'error', status: 502, route: 'repos/get', times: 2 });
    expect((await client([]).repos.get(repo)).status).toBe(200);
    expect(h.sandbox.log.entries({ route: 'repos/get' }).map((e) => e.status)).toEqual([502, 502, 200]);
    await expect(client([]).repos.get({ owner: 'octocat', repo: 'nope' })).rejects.toMatchObject({ status: 404 });
    expect(h.sandbox.log.entries({ path: '/repos/octocat/nope' })).toHaveLength(1);
  });
});
