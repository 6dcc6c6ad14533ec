import { call, callError, callOk } from '@patchbay/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type GitHubSandbox, githubSandbox, HELLO, tokenFor } from './helpers.js';

/**
 * What happens when GitHub says no, or fails: rate limits waited out or reported with their reset
 * time, reads retried after a 5xx and writes never, every status mapped once to a message that
 * says what to do. Faults are injected in the sandbox; the client is the real Octokit with its
 * retry and throttling plugins.
 */
let sandbox: GitHubSandbox;
beforeAll(async () => {
  sandbox = await githubSandbox();
});
afterEach(() => sandbox.reset());
afterAll(() => sandbox.close());

/** A fresh connector per test: Octokit's throttling keeps state per client. */
async function withClient<T>(
  argv: string[],
  run: (client: Awaited<ReturnType<typeof connect>>['client']) => Promise<T>,
  env?: Record<string, string>,
): Promise<T> {
  const session = await connect(sandbox, argv, env ? { env } : {});
  try {
    return await run(session.client);
  } finally {
    await session.close();
  }
}

describe('rate limits', () => {
  it('waits out a primary rate limit that resets within --rate-limit-wait, then answers', async () => {
    sandbox.faults.add({ kind: 'rateLimit', limit: 'primary', route: 'repos/get', forMs: 1_500 });
    await withClient([], async (client) => {
      const { data } = await callOk(client, 'github_get_repo', { repo: HELLO });
      expect(data.full_name).toBe(HELLO);
    });
    expect(sandbox.log.entries({ route: 'repos/get' }).map((e) => e.status)).toEqual([403, 200]);
  });

  it('reports a longer primary limit with its reset time — never as a permission problem', async () => {
    sandbox.faults.add({ kind: 'rateLimit', limit: 'primary', route: 'repos/get', forMs: 3_600_000 });
    const text = await withClient([], (client) => callError(client, 'github_get_repo', { repo: HELLO }));
    expect(text).toMatch(
      /^GitHub rate limit reached for this credential \(403\); it resets at 20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in 3\d{3} s\)\./,
    );
    expect(text).not.toMatch(/permission|scope/i);
    expect(sandbox.log.entries({ route: 'repos/get' })).toHaveLength(1);
  });

  it('waits out a secondary limit with a short retry-after, and reports a long one', async () => {
    sandbox.faults.add({ kind: 'rateLimit', limit: 'secondary', retryAfter: 1, route: 'issues/list-for-repo', times: 1 });
    await withClient([], async (client) => {
      await callOk(client, 'github_list_issues', { repo: HELLO, limit: 2 });
    });
    expect(sandbox.log.entries({ route: 'issues/list-for-repo' }).map((e) => e.status)).toEqual([403, 200]);

    sandbox.faults.add({ kind: 'rateLimit', limit: 'secondary', retryAfter: 120, route: 'issues/list-for-repo', times: 1 });
    const text = await withClient([], (client) => callError(client, 'github_list_issues', { repo: HELLO, limit: 2 }));
    expect(text).toMatch(/^GitHub rate limit reached for this credential \(403\); it resets at .* \(in 1[12]\d s\)/);
  });

  it('does not wait at all with --rate-limit-wait 0', async () => {
    sandbox.faults.add({ kind: 'rateLimit', limit: 'secondary', retryAfter: 1, route: 'repos/get', times: 1 });
    const text = await withClient(['--rate-limit-wait', '0'], (client) => callError(client, 'github_get_repo', { repo: HELLO }));
    expect(text).toMatch(/rate limit reached/);
    expect(sandbox.log.entries({ route: 'repos/get' })).toHaveLength(1);
  });
});

describe('retries', () => {
  it('retries a read after a 5xx', async () => {
    sandbox.faults.add({ kind: 'error', status: 502, route: 'repos/get', times: 1 });
    await withClient([], (client) => callOk(client, 'github_get_repo', { repo: HELLO }));
    expect(sandbox.log.entries({ route: 'repos/get' }).map((e) => e.status)).toEqual([502, 200]);
  });

  it('sends a failed POST once, and says it may or may not have been applied', async () => {
    sandbox.faults.add({ kind: 'error', status: 502, route: 'issues/create', times: 1 });
    const text = await withClient([], (client) => callError(client, 'github_create_issue', { repo: HELLO, title: 'Once' }));
    expect(text).toMatch(
      /^GitHub failed \(502: Server Error\): the fault is on GitHub's side, not in the request\. This POST was not repeated/,
    );
    expect(sandbox.log.entries({ route: 'issues/create' })).toHaveLength(1);
  });

  it('never repeats a write whose answer was lost after GitHub applied it (the reason writes are not retried)', async () => {
    const before = sandbox.state.repo(HELLO)!.issues.size;
    sandbox.faults.add({ kind: 'reset', when: 'after', route: 'issues/create', times: 1 });
    const outcome = await withClient([], (client) => call(client, 'github_create_issue', { repo: HELLO, title: 'Applied once' }));
    expect(outcome.isError).toBe(true);
    expect(outcome.text).not.toMatch(/^Created/);
    expect(sandbox.log.entries({ route: 'issues/create' })).toHaveLength(1);
    // It was created exactly once: a retry would have made two.
    expect(sandbox.state.repo(HELLO)!.issues.size).toBe(before + 1);
  });

  it('retries a read whose connection dropped', async () => {
    sandbox.faults.add({ kind: 'reset', when: 'before', route: 'repos/get', times: 1 });
    await withClient([], (client) => callOk(client, 'github_get_repo', { repo: HELLO }));
    expect(sandbox.log.entries({ route: 'repos/get' }).map((e) => e.status)).toEqual([0, 200]);
  });
});

describe('errors, mapped once', () => {
  it('401: the token is invalid or expired, and which variable to fix', async () => {
    const text = await withClient([], (client) => callError(client, 'github_get_me'), {
      GITHUB_TOKEN: 'ghp_revokedToken0000000000000000000000000',
    });
    expect(text).toMatch(
      /^GitHub rejected the credential \(401: Bad credentials\): it is missing, invalid, expired or revoked\. Set GITHUB_PERSONAL_ACCESS_TOKEN \(or GITHUB_TOKEN\) to a valid one/,
    );
    expect(text).not.toContain('ghp_revokedToken');
  });

  it('a write the token’s scopes do not cover names the scope GitHub asked for', async () => {
    const token = tokenFor(sandbox, 'octocat', ['read:user']);
    const text = await withClient(
      [],
      (client) => callError(client, 'github_create_branch', { repo: HELLO, branch: 'x', from: 'main' }),
      {
        GITHUB_TOKEN: token,
      },
    );
    expect(text).toMatch(/either it does not exist, or it exists and/);
    expect(text).toMatch(/the token may lack the scope public_repo or repo/);
  });

  it('403 without push access says a permission is missing, not a rate limit', async () => {
    const token = tokenFor(sandbox, 'outsider');
    const text = await withClient([], (client) => callError(client, 'github_create_branch', { repo: HELLO, branch: 'x' }), {
      GITHUB_TOKEN: token,
    });
    expect(text).toMatch(
      /^GitHub refused this request \(403: Must have push access to this repository\.\)\. The credential lacks a permission/,
    );
    expect(text).not.toMatch(/rate limit/);
  });

  it('404 says not found or no access, both', async () => {
    const text = await withClient([], (client) => callError(client, 'github_get_repo', { repo: 'octocat/does-not-exist' }));
    expect(text).toMatch(
      /GitHub found nothing at GET \/repos\/octocat\/does-not-exist \(404: Not Found\): either it does not exist, or it exists and .* has no access to it/,
    );
    // A private repository the token cannot see answers the same.
    const hidden = await withClient([], (client) => callError(client, 'github_get_repo', { repo: 'octocat/secret-project' }), {
      GITHUB_TOKEN: tokenFor(sandbox, 'outsider'),
    });
    expect(hidden).toMatch(/either it does not exist, or it exists and/);
  });

  it('a malformed answer to a read is a fault reported in one line, not a crash', async () => {
    sandbox.faults.add({ kind: 'malformed', route: 'repos/get', times: 3 });
    const text = await withClient([], (client) => callError(client, 'github_get_repo', { repo: HELLO }));
    expect(text.split('\n')).toHaveLength(1);
  });
});
