/**
 * serviceFetch and fromHttpError inside the client libraries the SaaS connectors use — Octokit's
 * request layer, Slack's WebClient, Google's gaxios — against a real local server: the fetch they
 * are given is the one that runs, and the errors they throw are the ones mapped.
 */
import { once } from 'node:events';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { request as octokitRequest } from '@octokit/request';
import { LogLevel, WebClient } from '@slack/web-api';
import { Gaxios } from 'gaxios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  createLogger,
  createServer,
  defineConnector,
  defineTool,
  fromHttpError,
  type HttpServiceProfile,
  loadOrThrow,
  RateLimitGates,
  serviceFetch,
} from '../src/index.js';
import { json, reset, startTestServer } from './http-server.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`;

/** What a GitHub connector would declare: GitHub's own ways of saying "rate limited". */
const github: HttpServiceProfile = {
  service: 'GitHub',
  credential: 'GITHUB_TOKEN',
  isRateLimited: (r) => r.status === 403 && (r.headers.get('x-ratelimit-remaining') === '0' || r.headers.has('retry-after')),
  resetAt: (r) =>
    r.headers.get('x-ratelimit-remaining') === '0' ? Number(r.headers.get('x-ratelimit-reset')) * 1000 : undefined,
};

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('with Octokit (request.fetch)', () => {
  const octokit = (token: string) =>
    octokitRequest.defaults({
      baseUrl: `${server.url}/gh`,
      headers: { authorization: `token ${token}` },
      request: { fetch: serviceFetch({ ...github, baseDelayMs: 5, gates: new RateLimitGates() }) },
    });

  it('repeats a read after a 503 and never repeats creating an issue after a 502', async () => {
    server.route('/gh/repos/octo/hello/issues', (h, res) => {
      const n = server.hits('/gh/repos/octo/hello/issues').filter((x) => x.method === h.method).length;
      if (h.method === 'GET') return n === 1 ? json(res, 503, {}) : json(res, 200, [{ number: 1 }]);
      json(res, 502, { message: 'Server Error' });
    });
    const gh = octokit('ghp_read_write');
    const list = await gh('GET /repos/{owner}/{repo}/issues', { owner: 'octo', repo: 'hello' });
    expect(list.data).toEqual([{ number: 1 }]);

    const error = await caught(gh('POST /repos/{owner}/{repo}/issues', { owner: 'octo', repo: 'hello', title: 'bug' }));
    expect(server.hits('/gh/repos/octo/hello/issues').filter((h) => h.method === 'POST')).toHaveLength(1);
    expect(fromHttpError(error, github)?.render()).toMatch(
      /^GitHub failed \(502: Server Error\): .* This POST was not repeated, .* check whether it took effect/,
    );
  });

  it('maps a validation error with GitHub’s field, a 404 with both readings, and a 5xx with its retries', async () => {
    server.route('/gh/repos/octo/hello/labels', (_h, res) =>
      json(res, 422, { message: 'Validation Failed', errors: [{ resource: 'Label', field: 'color', code: 'invalid' }] }),
    );
    server.route('/gh/repos/octo/down', (_h, res) => json(res, 503, { message: 'Service Unavailable' }));
    const gh = octokit('ghp_validation');
    const invalid = fromHttpError(
      await caught(gh('POST /repos/{owner}/{repo}/labels', { owner: 'octo', repo: 'hello', name: 'x', color: 'zz' })),
      github,
    );
    expect(invalid?.render()).toBe(
      'GitHub rejected the request as invalid in `color` (422: Validation Failed (color invalid)). Correct `color` and call again.',
    );
    const missing = fromHttpError(await caught(gh('GET /repos/{owner}/{repo}', { owner: 'octo', repo: 'secret' })), github);
    expect(missing?.render()).toMatch(
      /^GitHub found nothing .* \(404: Not Found\): either it does not exist, or it exists and GITHUB_TOKEN has no access/,
    );
    const down = fromHttpError(await caught(gh('GET /repos/{owner}/{repo}', { owner: 'octo', repo: 'down' })), github);
    expect(down?.render()).toMatch(/^GitHub failed \(503: Service Unavailable\) after 3 retries: /);
  });

  it('reports a spent quota with its reset time, then holds the credential without sending', async () => {
    const resetSeconds = Math.ceil(Date.now() / 1000) + 1800;
    server.route('/gh/user', (h, res) =>
      h.headers.authorization === 'token ghp_spent'
        ? json(
            res,
            403,
            { message: 'API rate limit exceeded for user ID 1.' },
            { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetSeconds) },
          )
        : json(res, 200, { login: 'other' }),
    );
    const gh = octokit('ghp_spent');
    const first = fromHttpError(await caught(gh('GET /user')), github);
    expect(first?.render()).toMatch(
      new RegExp(`^GitHub rate limit reached for this credential \\(403\\); it resets at ${ISO} \\(in 1[78]\\d\\d s\\)`),
    );
    expect(first?.render()).not.toMatch(/permission/i);
    expect(first?.render()).toContain(new Date(resetSeconds * 1000).toISOString().slice(0, 19));

    // Octokit wraps what a fetch throws in a RequestError with status 500; the gate's error is its cause.
    const second = await caught(gh('GET /user'));
    expect((second as { status: number }).status).toBe(500);
    expect(fromHttpError(second, github)?.render()).toContain(
      `it resets at ${new Date(resetSeconds * 1000).toISOString().slice(0, 19)}`,
    );
    expect(server.hits('/gh/user')).toHaveLength(1);
  });

  it('does not say a write may have reached GitHub when no connection was made (refused)', async () => {
    // A port that was just free: nothing listens there, so the connection is refused.
    const probe = createNetServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const closed = octokitRequest.defaults({
      baseUrl: `http://127.0.0.1:${port}`,
      headers: { authorization: 'token ghp_network' },
      request: { fetch: serviceFetch({ ...github, baseDelayMs: 5, gates: new RateLimitGates() }) },
    });
    const refused = fromHttpError(await caught(closed('POST /repos/{owner}/{repo}/forks', { owner: 'o', repo: 'r' })), github);
    expect(refused?.render()).toMatch(/^Could not reach GitHub \(ECONNREFUSED\): no answer came back\. Check the network/);
    expect(refused?.render()).not.toMatch(/may have reached/);
  });

  it('says a write may have reached GitHub when the connection broke, and leaves a cancellation to the kit', async () => {
    server.route('/gh/repos/octo/hello/forks', (_h, res) => reset(res));
    const gh = octokit('ghp_network');
    const broken = fromHttpError(await caught(gh('POST /repos/{owner}/{repo}/forks', { owner: 'octo', repo: 'hello' })), github);
    expect(broken?.render()).toMatch(/^Could not reach GitHub \(\w+\): no answer came back\. The POST may have reached GitHub/);
    expect(server.hits('/gh/repos/octo/hello/forks')).toHaveLength(1);

    server.route('/gh/slow', (_h, res) => json(res, 503, {}, { 'retry-after': '5' }));
    const controller = new AbortController();
    const pending = gh('GET /slow', { request: { signal: controller.signal } });
    setTimeout(() => controller.abort(), 100);
    const aborted = await caught(pending);
    expect((aborted as Error).name).toBe('AbortError');
    expect(fromHttpError(aborted, github)).toBeUndefined();
  });
});

describe('with Slack’s WebClient (fetch option)', () => {
  // Slack answers `ok: false` with a code; the connector says which status each code means.
  const codes: Record<string, number> = { invalid_auth: 401, missing_scope: 403, channel_not_found: 404 };
  const slack: HttpServiceProfile = {
    service: 'Slack',
    credential: 'SLACK_BOT_TOKEN',
    describeError: (_error, facts) => (facts.message && codes[facts.message] ? { status: codes[facts.message] } : undefined),
  };
  // Every Slack method is a POST, reads included: the connector names the reads.
  const reads = new Set(['conversations.history', 'users.list']);
  const client = (token: string) =>
    new WebClient(token, {
      slackApiUrl: `${server.url}/api/`,
      fetch: serviceFetch({
        ...slack,
        baseDelayMs: 5,
        maxWaitMs: 2_000,
        gates: new RateLimitGates(),
        requestKind: (r) => (reads.has(r.url.pathname.slice('/api/'.length)) ? 'safe' : undefined),
      }),
      // One retry layer: serviceFetch's. Slack's own would repeat chat.postMessage after a network error.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    });

  it('repeats a read the connector marked safe, and never a post', async () => {
    server.route('/api/conversations.history', (_h, res, n) =>
      n === 1 ? json(res, 503, {}) : json(res, 200, { ok: true, messages: [{ text: 'hi' }] }),
    );
    server.route('/api/chat.postMessage', (_h, res) => json(res, 503, {}));
    const web = client('xoxb-reads-1');
    const history = await web.conversations.history({ channel: 'C1' });
    expect(history.messages).toEqual([{ text: 'hi' }]);
    const error = await caught(web.chat.postMessage({ channel: 'C1', text: 'hello' }));
    expect(server.hits('/api/chat.postMessage')).toHaveLength(1);
    expect(fromHttpError(error, slack)?.render()).toMatch(/^Slack failed \(503\): the fault is on Slack's side/);
  });

  it('maps an ok:false code through the connector’s table, naming the scope Slack says is needed', async () => {
    server.route('/api/conversations.info', (_h, res) =>
      json(res, 200, { ok: false, error: 'missing_scope', needed: 'channels:read', provided: 'chat:write' }),
    );
    server.route('/api/conversations.archive', (_h, res) => json(res, 200, { ok: false, error: 'cant_archive_general' }));
    const web = client('xoxb-scopes-1');
    const scope = fromHttpError(await caught(web.conversations.info({ channel: 'C1' })), slack);
    expect(scope?.render()).toMatch(
      /^Slack refused this request \(403: missing_scope\)\. The credential lacks a permission: it needs channels:read\./,
    );
    const unmapped = fromHttpError(await caught(web.conversations.archive({ channel: 'C1' })), slack);
    expect(unmapped?.render()).toBe('Slack refused the request: cant_archive_general.');
  });

  it('reports a 429 beyond the bound with its reset time, then holds the token without sending', async () => {
    server.route('/api/users.list', (_h, res) => json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '600' }));
    const web = client('xoxb-limited-1');
    const first = fromHttpError(await caught(web.users.list({})), slack);
    expect(first?.render()).toMatch(
      new RegExp(`^Slack rate limit reached for this credential \\(429\\); it resets at ${ISO} \\(in (59\\d|600) s\\)`),
    );
    const second = fromHttpError(await caught(web.users.list({})), slack);
    expect(second?.render()).toMatch(/^Slack rate limit reached .* it resets at /);
    expect(server.hits('/api/users.list')).toHaveLength(1);
  });
});

describe('with gaxios (fetchImplementation), as Google’s clients use it', () => {
  // Google says "rate limited" with 403 and a reason in the body.
  const reasonOf = (body: unknown) => (body as { error?: { errors?: Array<{ reason?: string }> } })?.error?.errors?.[0]?.reason;
  const drive: HttpServiceProfile = {
    service: 'Google Drive',
    credential: 'the signed-in account',
    hints: { 401: 'Run `patchbay-gdrive auth` to sign in again.' },
    isRateLimited: (r) => r.status === 403 && /^(userRateLimitExceeded|rateLimitExceeded)$/.test(reasonOf(r.body) ?? ''),
  };
  const gaxios = () =>
    new Gaxios({
      headers: { authorization: 'Bearer ya29.test-access-token' },
      fetchImplementation: serviceFetch({ ...drive, baseDelayMs: 5, gates: new RateLimitGates() }),
      // One retry layer: serviceFetch's.
      retry: false,
    });
  const googleError = (code: number, reason: string, message: string) => ({
    error: { code, message, errors: [{ reason, message }] },
  });

  it('repeats a read after a body-declared rate limit and a 500', async () => {
    server.route('/drive/v3/files', (_h, res, n) => {
      if (n === 1) return json(res, 403, googleError(403, 'userRateLimitExceeded', 'User rate limit exceeded.'));
      if (n === 2) return json(res, 500, googleError(500, 'backendError', 'Backend Error'));
      json(res, 200, { files: [{ id: 'f1' }] });
    });
    const response = await gaxios().request({ url: `${server.url}/drive/v3/files` });
    expect(response.data).toEqual({ files: [{ id: 'f1' }] });
    expect(server.hits('/drive/v3/files')).toHaveLength(3);
  });

  it('maps Google’s error body: 401 with the connector’s advice, 403 permission, 403 rate limit, 404', async () => {
    server.route('/drive/v3/about', (_h, res) => json(res, 401, googleError(401, 'authError', 'Invalid Credentials')));
    server.route('/drive/v3/files/f2', (h, res) =>
      h.method === 'DELETE'
        ? json(
            res,
            403,
            googleError(403, 'insufficientFilePermissions', 'The user does not have sufficient permissions for this file.'),
          )
        : json(res, 404, googleError(404, 'notFound', 'File not found: f2.')),
    );
    server.route('/drive/v3/files/f3/copy', (_h, res) =>
      json(res, 403, googleError(403, 'rateLimitExceeded', 'Rate Limit Exceeded')),
    );
    const g = gaxios();
    const auth = fromHttpError(await caught(g.request({ url: `${server.url}/drive/v3/about` })), drive);
    expect(auth?.render()).toBe(
      'Google Drive rejected the credential (401: Invalid Credentials): it is missing, invalid, expired or revoked. Run `patchbay-gdrive auth` to sign in again.',
    );
    const denied = fromHttpError(await caught(g.request({ url: `${server.url}/drive/v3/files/f2`, method: 'DELETE' })), drive);
    expect(denied?.render()).toMatch(
      /^Google Drive refused this request \(403: The user does not have sufficient permissions for this file\.\)/,
    );
    const missing = fromHttpError(await caught(g.request({ url: `${server.url}/drive/v3/files/f2` })), drive);
    expect(missing?.render()).toMatch(
      /^Google Drive found nothing at what was asked for \(404: File not found: f2\.\): either it does not exist, or/,
    );
    const limited = fromHttpError(
      await caught(g.request({ url: `${server.url}/drive/v3/files/f3/copy`, method: 'POST' })),
      drive,
    );
    expect(limited?.render()).toMatch(/^Google Drive rate limit reached for this credential \(403\)\. Wait a minute/);
    expect(server.hits('/drive/v3/files/f3/copy')).toHaveLength(1);
  });
});

describe('as a connector’s mapError', () => {
  it('turns the client library’s error into the isError result the model reads, without the token', async () => {
    server.route('/mcp-gh/user', (_h, res) => json(res, 401, { message: 'Bad credentials' }));
    const token = 'ghp_0123456789abcdefghijklmnopqrstuvwxyz';
    const gh = octokitRequest.defaults({
      baseUrl: `${server.url}/mcp-gh`,
      headers: { authorization: `token ${token}` },
      request: { fetch: serviceFetch({ ...github, gates: new RateLimitGates() }) },
    });
    const whoami = defineTool({
      name: 'gh_whoami',
      title: 'Who am I',
      description: 'The signed-in user.',
      toolset: 'context',
      access: 'read',
      input: {},
      output: { login: z.string() },
      async handler(_args, ctx) {
        const { data } = await gh('GET /user', { request: { signal: ctx.signal } });
        return { structured: { login: data.login }, text: data.login };
      },
    });
    const definition = defineConnector({
      name: 'gh',
      title: 'GitHub (test)',
      version: '0.0.0',
      description: 'mapError test',
      instructions: 'Test.',
      options: {},
      toolsets: { context: { title: 'Context', description: 'who', default: true } },
      tools: [whoami],
      createServices: () => ({}),
      mapError: (error) => fromHttpError(error, github),
    });
    const mcp = createServer(loadOrThrow(definition, { argv: [], log: createLogger('gh', 'error', () => undefined) }));
    const client = new Client({ name: 'kit-test', version: '0' });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await mcp.connect(b);
    await client.connect(a);
    try {
      const result = await client.callTool({ name: 'gh_whoami', arguments: {} });
      expect(result.isError).toBe(true);
      const text = (result.content as Array<{ text: string }>)[0]!.text;
      expect(text).toBe(
        'GitHub rejected the credential (401: Bad credentials): it is missing, invalid, expired or revoked. Set GITHUB_TOKEN to a valid one and restart the server.',
      );
      expect(server.hits('/mcp-gh/user')[0]!.headers.authorization).toBe(`token ${token}`);
    } finally {
      await client.close();
    }
  });
});
