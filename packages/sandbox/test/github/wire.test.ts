/**
 * GitHub's wire behaviour through the real client: paging with Link headers, conditional
 * requests, the primary and secondary rate limits, faults, reset, unknown routes, the request log,
 * and ids/ETags/timestamps. Every exchange is also checked against the API description.
 */
import { Octokit } from '@octokit/rest';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/index.js';
import { failure, repo, useGitHub } from './harness.js';

const h = useGitHub();

describe('paging', () => {
  it('pages every list with per_page/page and Link rels first, prev, next, last', async () => {
    const middle = await h.octo.issues.listForRepo({ ...repo, state: 'all', per_page: 30, page: 3 });
    const link = middle.headers.link!;
    for (const [rel, page] of [
      ['first', 1],
      ['prev', 2],
      ['next', 4],
      ['last', 7],
    ] as const)
      expect(link).toMatch(new RegExp(`[?&]page=${page}>; rel="${rel}"`));
    const last = await h.octo.issues.listForRepo({ ...repo, state: 'all', per_page: 30, page: 7 });
    expect(last.headers.link).not.toContain('rel="next"');
    expect(last.data.length).toBe(187 - 6 * 30);
    const everything = await h.octo.paginate(h.octo.issues.listForRepo, { ...repo, state: 'all', per_page: 100 });
    expect(everything.map((i) => i.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 187 }, (_, k) => k + 1));
    expect(h.sandbox.log.entries({ route: 'issues/list-for-repo', since: 2 })).toHaveLength(2);
  });

  it('caps per_page at 100 and defaults to 30, keeping the other query parameters in the links', async () => {
    expect((await h.octo.issues.listForRepo({ ...repo, state: 'all', per_page: 500 })).data).toHaveLength(100);
    const defaults = await h.octo.issues.listForRepo({ ...repo, labels: 'bug', state: 'all' });
    expect(defaults.data).toHaveLength(30);
    expect(defaults.headers.link).toContain('labels=bug');
  });

  it('keeps newest-first order stable across pages while nothing changes', async () => {
    const pages = await Promise.all(
      [1, 2, 3].map((page) => h.octo.issues.listForRepo({ ...repo, state: 'all', per_page: 10, page })),
    );
    const numbers = pages.flatMap((p) => p.data.map((i) => i.number));
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    expect(new Set(numbers).size).toBe(30);
  });
});

describe('conditional requests', () => {
  it('answers 304 to a matching If-None-Match without counting it, and a new ETag once the object changed', async () => {
    const first = await h.octo.issues.get({ ...repo, issue_number: 1 });
    const etag = first.headers.etag!;
    const used = Number(first.headers['x-ratelimit-used']);
    const notModified = await failure(h.octo.issues.get({ ...repo, issue_number: 1, headers: { 'if-none-match': etag } }));
    expect(notModified.status).toBe(304);
    expect(Number(notModified.response.headers['x-ratelimit-used'])).toBe(used);
    await h.octo.issues.update({ ...repo, issue_number: 1, title: 'Renamed' });
    const changed = await h.octo.issues.get({ ...repo, issue_number: 1, headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(Date.parse(changed.data.updated_at)).toBeGreaterThan(Date.parse(first.data.updated_at));
  });
});

describe('rate limits', () => {
  it('counts requests per identity and refuses with 403 and x-ratelimit-remaining: 0 once spent', async () => {
    h.sandbox.state.rateLimits.core = 3;
    for (let k = 1; k <= 3; k++) {
      const ok = await h.octo.repos.get(repo);
      expect(ok.headers['x-ratelimit-remaining']).toBe(String(3 - k));
    }
    const spent = await failure(h.octo.repos.get(repo));
    expect(spent.status).toBe(403);
    expect(spent.response.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(spent.response.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
    expect(spent.response.data.message).toMatch(/^API rate limit exceeded for user ID \d+/);
    // Other identities have their own budget; /rate_limit itself is not counted.
    expect((await h.hubot.repos.get(repo)).status).toBe(200);
    const status = await h.octo.rateLimit.get();
    expect(status.data.resources.core).toMatchObject({ limit: 3, remaining: 0, used: 3 });
    h.sandbox.state.primaryLimitStatus = 429;
    expect((await failure(h.octo.repos.get(repo))).status).toBe(429);
  });

  it('gives anonymous callers 60 requests and search its own budget', async () => {
    const anon = await h.anonymous.repos.get(repo);
    expect(anon.headers['x-ratelimit-limit']).toBe('60');
    const search = await h.octo.search.repos({ q: 'hello' });
    expect(search.headers).toMatchObject({ 'x-ratelimit-resource': 'search', 'x-ratelimit-limit': '30' });
  });

  it('opens a primary rate-limit window on request (a fault) and closes it when the window ends', async () => {
    h.sandbox.faults.add({ kind: 'rateLimit', limit: 'primary', forMs: 400 });
    const limited = await failure(h.octo.issues.listForRepo(repo));
    expect(limited.status).toBe(403);
    expect(limited.response.headers['x-ratelimit-remaining']).toBe('0');
    await new Promise((r) => setTimeout(r, 450));
    expect((await h.octo.issues.listForRepo(repo)).status).toBe(200);
  });

  it('limits content creation per minute (the secondary limit GitHub documents), per identity', async () => {
    h.sandbox.state.writesPerMinute = 2;
    await h.octo.issues.create({ ...repo, title: 'one' });
    await h.octo.issues.createComment({ ...repo, issue_number: 1, body: 'two' });
    const third = await failure(h.octo.issues.create({ ...repo, title: 'three' }));
    expect(third.status).toBe(403);
    expect(third.response.data.message).toMatch(/secondary rate limit/);
    expect(Number(third.response.headers['retry-after'])).toBeGreaterThanOrEqual(59);
    expect((await h.octo.issues.listForRepo({ ...repo, per_page: 1 })).data[0]!.title).toBe('one');
    expect((await h.hubot.issues.create({ ...repo, title: 'hubot is not limited by octocat' })).status).toBe(201);
  });

  it('answers the secondary limit with retry-after and GitHub’s message', async () => {
    h.sandbox.faults.add({ kind: 'rateLimit', limit: 'secondary', retryAfter: 7, route: 'issues/create', times: 1 });
    const limited = await failure(h.octo.issues.create({ ...repo, title: 'x' }));
    expect(limited.status).toBe(403);
    expect(limited.response.headers['retry-after']).toBe('7');
    expect(limited.response.data.message).toMatch(/secondary rate limit/);
    expect((await h.octo.issues.create({ ...repo, title: 'x' })).status).toBe(201);
  });
});

describe('faults through the client', () => {
  it('answers an injected 502 with GitHub’s error body, then recovers', async () => {
    h.sandbox.faults.add({ kind: 'error', status: 502, route: '/repos/{owner}/{repo}/pulls', times: 1 });
    const failed = await failure(h.octo.pulls.list(repo));
    expect(failed.status).toBe(502);
    expect(failed.response.data.message).toBe('Server Error');
    expect((await h.octo.pulls.list(repo)).status).toBe(200);
  });

  it('loses the answer of a write that was carried out when the connection resets after it', async () => {
    h.sandbox.faults.add({ kind: 'reset', when: 'after', route: 'issues/create', times: 1 });
    await expect(h.octo.issues.create({ ...repo, title: 'Applied but unanswered' })).rejects.toThrow();
    const newest = (await h.octo.issues.listForRepo({ ...repo, per_page: 1 })).data[0]!;
    expect(newest.title).toBe('Applied but unanswered');
    expect(h.sandbox.log.entries({ route: 'issues/create' })).toMatchObject([{ status: 0, faults: ['reset'] }]);
  });

  it('sends a malformed body, which Octokit hands over as an unparsed string', async () => {
    h.sandbox.faults.add({ kind: 'malformed', route: 'repos/get', times: 1 });
    const broken = await h.octo.repos.get(repo);
    expect(broken.status).toBe(200);
    expect(typeof broken.data).toBe('string');
    expect(() => JSON.parse(broken.data as unknown as string)).toThrow(SyntaxError);
    expect(typeof (await h.octo.repos.get(repo)).data).toBe('object');
  });

  it('delays answers with latency without changing them', async () => {
    h.sandbox.faults.add({ kind: 'latency', ms: 80, times: 1 });
    expect((await h.octo.users.getAuthenticated()).data.login).toBe('octocat');
    expect(h.sandbox.log.last()!.durationMs).toBeGreaterThanOrEqual(80);
  });
});

describe('state, reset and the log', () => {
  it('makes created objects readable by the next call, with growing ids and ISO timestamps, until reset', async () => {
    const a = await h.octo.issues.create({ ...repo, title: 'First new' });
    const b = await h.octo.issues.create({ ...repo, title: 'Second new' });
    expect(b.data.number).toBe(a.data.number + 1);
    expect(b.data.id).toBeGreaterThan(a.data.id);
    expect(a.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.now() - Date.parse(a.data.created_at)).toBeLessThan(60_000);
    expect(h.sandbox.state.repo('octocat/hello-world')!.issues.get(a.data.number)!.title).toBe('First new');
    expect((await h.octo.issues.get({ ...repo, issue_number: a.data.number })).data.title).toBe('First new');
    h.sandbox.reset();
    expect((await failure(h.octo.issues.get({ ...repo, issue_number: a.data.number }))).status).toBe(404);
  });

  it('logs who called, never the token, and names unknown routes loudly', async () => {
    await h.octo.repos.get(repo);
    await h.hubot.repos.get(repo);
    await h.anonymous.repos.get(repo);
    await failure(h.client('ghp_wrong').repos.get(repo));
    const unknown = await failure(h.octo.request('GET /repos/{owner}/{repo}/traffic/views', repo));
    expect(unknown.status).toBe(404);
    expect(unknown.response.data).toEqual({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
      status: '404',
    });
    expect(h.sandbox.log.entries().map((e) => e.identity)).toEqual(['octocat', 'hubot', 'anonymous', 'invalid', 'octocat']);
    expect(h.sandbox.log.unknownRoutes()).toMatchObject([
      { method: 'GET', path: '/repos/octocat/hello-world/traffic/views', status: 404 },
    ]);
    expect(h.warnings.join('\n')).toContain('UNKNOWN ROUTE GET /repos/octocat/hello-world/traffic/views');
    const everything = JSON.stringify(h.sandbox.log.entries());
    for (const token of h.sandbox.state.tokens.keys()) expect(everything).not.toContain(token);
  });

  it('gives every object a stable sha: the same content in two repositories has the same blob sha', async () => {
    const a = await h.octo.repos.createOrUpdateFileContents({
      ...repo,
      path: 'same.txt',
      message: 'same',
      content: Buffer.from('same\n').toString('base64'),
    });
    const b = await h.octo.repos.createOrUpdateFileContents({
      owner: 'patchbay-demo',
      repo: 'platform',
      path: 'same.txt',
      message: 'same',
      content: Buffer.from('same\n').toString('base64'),
    });
    // What `printf 'same\n' | git hash-object --stdin` prints.
    expect(a.data.content!.sha).toBe('1275430f1765c63e539cb0452565563bd6aef6a6');
    expect(a.data.content!.sha).toBe(b.data.content!.sha);
    expect(a.data.commit.sha).not.toBe(b.data.commit.sha);
  });
});

describe('several services in one process', () => {
  it('serves GitHub under /github with links that keep the prefix', async () => {
    const group = await startSandbox({ services: ['github'], logger: false });
    try {
      expect(group.env['GITHUB_API_URL']).toBe(`${group.url}/github`);
      const octokit = new Octokit({ baseUrl: group.env['GITHUB_API_URL'], auth: group.env['GITHUB_TOKEN'] });
      const page = await octokit.issues.listForRepo({ ...repo, per_page: 5 });
      expect(page.headers.link).toContain(`${group.url}/github/repos/octocat/hello-world/issues?`);
      const all = await octokit.paginate(octokit.issues.listForRepo, { ...repo, per_page: 100 });
      expect(all.length).toBeGreaterThan(100);
    } finally {
      await group.close();
    }
  });
});
