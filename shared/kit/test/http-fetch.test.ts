import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isRateLimitedError,
  parseLinkHeader,
  RateLimitedError,
  RateLimitGates,
  type RetryEvent,
  redactUrl,
  type ServiceFetchOptions,
  serviceFetch,
} from '../src/index.js';
import { json, reset, startTestServer } from './http-server.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** A serviceFetch with short backoffs and gates of its own, so tests do not share quota state. */
function makeFetch(options: Partial<ServiceFetchOptions> = {}) {
  const events: RetryEvent[] = [];
  const f = serviceFetch({
    service: 'Example',
    baseDelayMs: 5,
    gates: new RateLimitGates(),
    onRetry: (e) => events.push(e),
    ...options,
  });
  return { f, events };
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe('serviceFetch: what it repeats', () => {
  it('never repeats a POST that got a 503', async () => {
    server.route('/post-503', (_h, res) => json(res, 503, { message: 'unavailable' }));
    const { f } = makeFetch();
    const response = await f(`${server.url}/post-503`, { method: 'POST', body: '{"title":"bug"}' });
    expect(response.status).toBe(503);
    expect(server.hits('/post-503')).toHaveLength(1);
  });

  it('never repeats a POST whose connection was reset after it was sent', async () => {
    server.route('/post-reset', (_h, res) => reset(res));
    const { f } = makeFetch();
    await expect(f(`${server.url}/post-reset`, { method: 'POST', body: '{"title":"bug"}' })).rejects.toThrow();
    expect(server.hits('/post-reset')).toHaveLength(1);
  });

  it('never repeats a PATCH that got a 502', async () => {
    server.route('/patch-502', (_h, res) => json(res, 502, {}));
    const { f } = makeFetch();
    expect((await f(`${server.url}/patch-502`, { method: 'PATCH', body: '{}' })).status).toBe(502);
    expect(server.hits('/patch-502')).toHaveLength(1);
  });

  it('repeats a PUT that got a 503, with the same body', async () => {
    server.route('/put-503', (_h, res, n) => (n < 3 ? json(res, 503, {}) : json(res, 200, { ok: true })));
    const { f } = makeFetch();
    const response = await f(`${server.url}/put-503`, { method: 'PUT', body: 'content v2' });
    expect(response.status).toBe(200);
    expect(server.hits('/put-503').map((h) => h.body)).toEqual(['content v2', 'content v2', 'content v2']);
  });

  it('repeats a POST that carries an idempotency key, key and body unchanged', async () => {
    server.route('/post-keyed', (_h, res, n) => (n === 1 ? json(res, 503, {}) : json(res, 201, { id: 7 })));
    const { f } = makeFetch();
    const response = await f(`${server.url}/post-keyed`, {
      method: 'POST',
      headers: { 'Idempotency-Key': 'create-7f3a' },
      body: '{"title":"bug"}',
    });
    expect(response.status).toBe(201);
    const hits = server.hits('/post-keyed');
    expect(hits.map((h) => [h.headers['idempotency-key'], h.body])).toEqual([
      ['create-7f3a', '{"title":"bug"}'],
      ['create-7f3a', '{"title":"bug"}'],
    ]);
  });

  it('uses the idempotency header name it is given', async () => {
    server.route('/post-custom-key', (_h, res, n) => (n === 1 ? json(res, 503, {}) : json(res, 201, {})));
    const { f } = makeFetch({ idempotencyKeyHeader: 'X-Request-Id' });
    const keyed = await f(`${server.url}/post-custom-key`, { method: 'POST', headers: { 'X-Request-Id': 'r1' }, body: '{}' });
    expect(keyed.status).toBe(201);
    server.route('/post-default-key', (_h, res) => json(res, 503, {}));
    const unkeyed = await f(`${server.url}/post-default-key`, {
      method: 'POST',
      headers: { 'Idempotency-Key': 'k' },
      body: '{}',
    });
    expect(unkeyed.status).toBe(503);
    expect(server.hits('/post-default-key')).toHaveLength(1);
  });

  it('repeats a GET after a reset connection', async () => {
    server.route('/get-reset', (_h, res, n) => (n === 1 ? reset(res) : json(res, 200, { ok: true })));
    const { f, events } = makeFetch();
    expect((await f(`${server.url}/get-reset`)).status).toBe(200);
    expect(server.hits('/get-reset')).toHaveLength(2);
    expect(events[0]).toMatchObject({ method: 'GET', cause: 'network', attempt: 1 });
  });

  it('repeats a 500 for a GET, but not for a PUT, a DELETE or a POST', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'POST']) {
      server.route(`/500-${method}`, (_h, res, n) => (n === 1 ? json(res, 500, {}) : json(res, 200, {})));
    }
    const { f } = makeFetch();
    expect((await f(`${server.url}/500-GET`)).status).toBe(200);
    expect(server.hits('/500-GET')).toHaveLength(2);
    for (const method of ['PUT', 'DELETE', 'POST']) {
      expect((await f(`${server.url}/500-${method}`, { method, body: method === 'DELETE' ? null : 'x' })).status).toBe(500);
      expect(server.hits(`/500-${method}`)).toHaveLength(1);
    }
  });

  it('repeats 502, 503 and 504 for a DELETE', async () => {
    for (const status of [502, 503, 504]) {
      server.route(`/delete-${status}`, (_h, res, n) => (n === 1 ? json(res, status, {}) : res.writeHead(204).end()));
      const { f } = makeFetch();
      expect((await f(`${server.url}/delete-${status}`, { method: 'DELETE' })).status).toBe(204);
      expect(server.hits(`/delete-${status}`)).toHaveLength(2);
    }
  });

  it('does not repeat a client error', async () => {
    const { f } = makeFetch();
    expect((await f(`${server.url}/no-such-route`)).status).toBe(404);
    expect(server.hits('/no-such-route')).toHaveLength(1);
  });

  it('never repeats a streamed body, even for a PUT', async () => {
    server.route('/put-stream', (_h, res) => json(res, 503, {}));
    const { f } = makeFetch();
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const response = await f(`${server.url}/put-stream`, { method: 'PUT', body, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(503);
    expect(server.hits('/put-stream').map((h) => h.body)).toEqual(['streamed']);
  });

  it('gives up after maxRetries, returns the last response and marks how often it retried', async () => {
    server.route('/always-503', (_h, res) => json(res, 503, { message: 'down' }));
    const { f, events } = makeFetch({ maxRetries: 2 });
    const response = await f(`${server.url}/always-503`);
    expect(response.status).toBe(503);
    expect(response.headers.get('x-patchbay-retries')).toBe('2');
    expect(response.url).toBe(`${server.url}/always-503`);
    expect(await response.json()).toEqual({ message: 'down' });
    expect(server.hits('/always-503')).toHaveLength(3);
    expect(events.map((e) => e.attempt)).toEqual([1, 2]);
  });

  it('lets a connector mark a read that its service sends as POST safe', async () => {
    // Slack's Web API sends every method, reads included, as POST.
    server.route('/api/conversations.history', (_h, res, n) => (n === 1 ? json(res, 500, {}) : json(res, 200, { ok: true })));
    server.route('/api/chat.postMessage', (_h, res) => json(res, 503, {}));
    const reads = new Set(['conversations.history']);
    const { f } = makeFetch({
      requestKind: (r) => (reads.has(r.url.pathname.split('/').pop() ?? '') ? 'safe' : undefined),
    });
    expect((await f(`${server.url}/api/conversations.history`, { method: 'POST', body: 'channel=C1' })).status).toBe(200);
    expect(server.hits('/api/conversations.history')).toHaveLength(2);
    expect((await f(`${server.url}/api/chat.postMessage`, { method: 'POST', body: 'text=hi' })).status).toBe(503);
    expect(server.hits('/api/chat.postMessage')).toHaveLength(1);
  });
});

describe('serviceFetch: rate limits', () => {
  it('waits the Retry-After seconds before repeating', async () => {
    server.route('/retry-after-seconds', (_h, res, n) =>
      n === 1 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, {}),
    );
    const { f, events } = makeFetch();
    expect((await f(`${server.url}/retry-after-seconds`)).status).toBe(200);
    const [first, second] = server.hits('/retry-after-seconds');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(990);
    expect(events).toEqual([expect.objectContaining({ cause: 'status', status: 429, delayMs: 1000 })]);
  });

  it('waits until a Retry-After date before repeating', async () => {
    let until = 0;
    server.route('/retry-after-date', (_h, res, n) => {
      if (n > 1) return json(res, 200, {});
      const date = new Date(Date.now() + 1500);
      until = Math.floor(date.getTime() / 1000) * 1000; // HTTP dates have whole seconds
      json(res, 503, {}, { 'retry-after': date.toUTCString() });
    });
    const { f } = makeFetch();
    expect((await f(`${server.url}/retry-after-date`)).status).toBe(200);
    expect(server.hits('/retry-after-date')[1]!.at).toBeGreaterThanOrEqual(until - 10);
  });

  it('returns the 429 at once when its reset is beyond the bound, so the tool can say when it resets', async () => {
    server.route('/retry-after-hour', (_h, res) => json(res, 429, { message: 'slow down' }, { 'retry-after': '3600' }));
    const { f, events } = makeFetch({ maxWaitMs: 2_000 });
    const response = await f(`${server.url}/retry-after-hour`);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3600');
    expect(await response.json()).toEqual({ message: 'slow down' });
    expect(server.hits('/retry-after-hour')).toHaveLength(1);
    expect(events).toEqual([]);
  });

  it('uses the connector hooks for what the service calls a rate limit and when it resets', async () => {
    // GitHub's primary limit: 403 with x-ratelimit-remaining 0 and a reset in epoch seconds.
    const github: Partial<ServiceFetchOptions> = {
      isRateLimited: (r) => r.status === 403 && r.headers.get('x-ratelimit-remaining') === '0',
      resetAt: (r) =>
        r.headers.get('x-ratelimit-remaining') === '0' ? Number(r.headers.get('x-ratelimit-reset')) * 1000 : undefined,
    };
    let reset = 0;
    server.route('/primary-limit', (_h, res, n) => {
      if (n > 1) return json(res, 200, {});
      reset = Math.ceil(Date.now() / 1000) + 1;
      json(
        res,
        403,
        { message: 'API rate limit exceeded' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      );
    });
    server.route('/forbidden', (_h, res) => json(res, 403, { message: 'Resource not accessible by integration' }));
    const { f } = makeFetch({ ...github, maxWaitMs: 5_000 });
    expect((await f(`${server.url}/primary-limit`)).status).toBe(200);
    expect(server.hits('/primary-limit')[1]!.at).toBeGreaterThanOrEqual(reset * 1000 - 10);
    expect((await f(`${server.url}/forbidden`)).status).toBe(403);
    expect(server.hits('/forbidden')).toHaveLength(1);
  });
  it('backs off rather than repeating at once when the reset it is given has already passed', async () => {
    server.route('/reset-past', (_h, res, n) =>
      n === 1 ? json(res, 429, {}, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1000' }) : json(res, 200, {}),
    );
    const { f, events } = makeFetch({ resetAt: (r) => Number(r.headers.get('x-ratelimit-reset')) * 1000 });
    expect((await f(`${server.url}/reset-past`)).status).toBe(200);
    expect(events).toEqual([expect.objectContaining({ cause: 'status', status: 429, delayMs: expect.any(Number) })]);
    expect(events[0]!.delayMs).toBeGreaterThan(0);
  });

  it('lets the hook read a JSON error body when the service says "rate limited" only there', async () => {
    // Google: 403 with reason userRateLimitExceeded, no header to tell it from a missing permission.
    const limitBody = {
      error: { code: 403, message: 'User rate limit exceeded', errors: [{ reason: 'userRateLimitExceeded' }] },
    };
    const denyBody = {
      error: { code: 403, message: 'Insufficient permissions', errors: [{ reason: 'insufficientFilePermissions' }] },
    };
    server.route('/drive-limit', (_h, res, n) => (n === 1 ? json(res, 403, limitBody) : json(res, 200, { files: [] })));
    server.route('/drive-deny', (_h, res) => json(res, 403, denyBody));
    const { f } = makeFetch({
      isRateLimited: (r) =>
        r.status === 403 &&
        JSON.stringify((r.body as { error?: { errors?: unknown } })?.error?.errors).includes('RateLimitExceeded'),
    });
    expect((await f(`${server.url}/drive-limit`)).status).toBe(200);
    expect(server.hits('/drive-limit')).toHaveLength(2);
    const denied = await f(`${server.url}/drive-deny`);
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual(denyBody);
    expect(server.hits('/drive-deny')).toHaveLength(1);
  });
});

describe('serviceFetch: one rate-limit gate per credential', () => {
  it('after a spent quota, fails fast with the reset time without sending; another credential is not held', async () => {
    server.route('/gate-hour', (h, res) =>
      h.headers.authorization === 'Bearer token-a' ? json(res, 429, {}, { 'retry-after': '3600' }) : json(res, 200, { ok: true }),
    );
    const { f } = makeFetch({ maxWaitMs: 2_000 });
    const started = Date.now();
    expect((await f(`${server.url}/gate-hour`, { headers: auth('token-a') })).status).toBe(429);

    const second = await f(`${server.url}/gate-hour`, { headers: auth('token-a') }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(RateLimitedError);
    expect(isRateLimitedError(second)).toBe(true);
    const resetAt = (second as RateLimitedError).resetAt.getTime();
    expect(resetAt).toBeGreaterThanOrEqual(started + 3_600_000);
    expect(resetAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect((second as Error).message).toMatch(/Example rate limit .* held until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in 36\d\d s\)/);
    expect(server.hits('/gate-hour')).toHaveLength(1);

    expect((await f(`${server.url}/gate-hour`, { headers: auth('token-b') })).status).toBe(200);
    expect(server.hits('/gate-hour')).toHaveLength(2);
  });

  it('holds a later request with that credential until the reset, then sends it', async () => {
    server.route('/gate-second', (_h, res) => json(res, 429, {}, { 'retry-after': '1' }));
    server.route('/gate-after', (_h, res) => json(res, 200, {}));
    const { f, events } = makeFetch({ maxRetries: 0 });
    expect((await f(`${server.url}/gate-second`, { headers: auth('token-c') })).status).toBe(429);
    const limitedAt = server.hits('/gate-second')[0]!.at;
    // A different path, the same credential: the quota is the credential's, not the URL's.
    expect((await f(`${server.url}/gate-after`, { headers: auth('token-c') })).status).toBe(200);
    expect(server.hits('/gate-after')[0]!.at - limitedAt).toBeGreaterThanOrEqual(990);
    expect(events).toEqual([expect.objectContaining({ cause: 'rate-limit-gate', attempt: 0 })]);
  });

  it('closes the gate on a success that spent the last request of the quota', async () => {
    const reset = Math.ceil(Date.now() / 1000) + 3600;
    server.route('/last-request', (_h, res) =>
      json(res, 200, {}, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }),
    );
    const { f } = makeFetch({
      resetAt: (r) =>
        r.headers.get('x-ratelimit-remaining') === '0' ? Number(r.headers.get('x-ratelimit-reset')) * 1000 : undefined,
    });
    expect((await f(`${server.url}/last-request`, { headers: auth('token-d') })).status).toBe(200);
    const next = await f(`${server.url}/last-request`, { method: 'POST', body: '{}', headers: auth('token-d') }).catch(
      (e: unknown) => e,
    );
    expect((next as RateLimitedError).resetAt.getTime()).toBe(reset * 1000);
    expect(server.hits('/last-request')).toHaveLength(1);
  });

  it('shares the gate between two fetches given the same gates, and keys it as the connector says', async () => {
    server.route('/api/users.list', (_h, res) => json(res, 429, {}, { 'retry-after': '3600' }));
    server.route('/api/conversations.list', (_h, res) => json(res, 200, {}));
    const gates = new RateLimitGates();
    // Slack limits per method tier: one gate per credential and method.
    const gateKey = (r: { url: URL }, credential: string) => `${credential} ${r.url.pathname}`;
    const one = makeFetch({ gates, gateKey }).f;
    const other = makeFetch({ gates, gateKey }).f;
    expect((await one(`${server.url}/api/users.list`, { method: 'POST', headers: auth('xoxb-1') })).status).toBe(429);
    await expect(other(`${server.url}/api/users.list`, { method: 'POST', headers: auth('xoxb-1') })).rejects.toBeInstanceOf(
      RateLimitedError,
    );
    expect((await other(`${server.url}/api/conversations.list`, { method: 'POST', headers: auth('xoxb-1') })).status).toBe(200);
    expect(server.hits('/api/users.list')).toHaveLength(1);
  });

  it('closes the gate on a POST that was refused for the rate limit, without repeating it', async () => {
    server.route('/post-429', (_h, res) => json(res, 429, {}, { 'retry-after': '3600' }));
    const { f } = makeFetch();
    expect((await f(`${server.url}/post-429`, { method: 'POST', body: '{}', headers: auth('token-e') })).status).toBe(429);
    await expect(f(`${server.url}/post-429`, { headers: auth('token-e') })).rejects.toBeInstanceOf(RateLimitedError);
    expect(server.hits('/post-429')).toHaveLength(1);
  });
});

describe('serviceFetch: cancellation', () => {
  it('stops a backoff the moment the caller aborts', async () => {
    server.route('/abort-backoff', (_h, res) => json(res, 503, {}, { 'retry-after': '30' }));
    const controller = new AbortController();
    // Abort shortly after the fetch has the 503 and has started its 30-second wait.
    const { f, events } = makeFetch({
      maxWaitMs: 60_000,
      onRetry: (e) => {
        events.push(e);
        setTimeout(() => controller.abort(), 50);
      },
    });
    await expect(f(`${server.url}/abort-backoff`, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(events).toEqual([expect.objectContaining({ cause: 'status', status: 503, delayMs: 30_000 })]);
    expect(server.hits('/abort-backoff')).toHaveLength(1);
  });

  it('stops a wait at a closed gate the moment the caller aborts, without sending', async () => {
    server.route('/abort-gate', (_h, res) => json(res, 429, {}, { 'retry-after': '30' }));
    const { f, events } = makeFetch({ maxWaitMs: 60_000, maxRetries: 0 });
    expect((await f(`${server.url}/abort-gate`, { headers: auth('token-f') })).status).toBe(429);
    const controller = new AbortController();
    const pending = f(`${server.url}/abort-gate`, { headers: auth('token-f'), signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toEqual([expect.objectContaining({ cause: 'rate-limit-gate' })]);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.hits('/abort-gate')).toHaveLength(1);
  });
});

describe('serviceFetch: logging', () => {
  it('tells onRetry the method, a URL without query secrets, the status and the delay; never headers', async () => {
    server.route('/flaky', (_h, res, n) => (n === 1 ? json(res, 503, {}) : json(res, 200, {})));
    const { f, events } = makeFetch();
    await f(`${server.url}/flaky?page=2&access_token=query-secret-1&key=query-secret-2`, { headers: auth('header-secret-3') });
    expect(events).toEqual([
      {
        method: 'GET',
        url: `${server.url}/flaky?page=2&access_token=***&key=***`,
        attempt: 1,
        cause: 'status',
        status: 503,
        delayMs: expect.any(Number),
      },
    ]);
    expect(JSON.stringify(events)).not.toMatch(/secret/);
  });

  it('redactUrl drops user info and masks credential-like parameters', () => {
    expect(redactUrl('https://user:pw@api.example/x?client_secret=s&sig=abc&page=3')).toBe(
      'https://api.example/x?client_secret=***&sig=***&page=3',
    );
  });
});

describe('parseLinkHeader', () => {
  it('reads rel links', () => {
    expect(parseLinkHeader('<https://api.example/x?page=2>; rel="next", <https://api.example/x?page=9>; rel="last"')).toEqual({
      next: 'https://api.example/x?page=2',
      last: 'https://api.example/x?page=9',
    });
    expect(parseLinkHeader(null)).toEqual({});
  });
});
