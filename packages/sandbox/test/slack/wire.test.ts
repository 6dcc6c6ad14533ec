/**
 * Slack's wire behaviour through the emulator: request encodings and where the token may be, the
 * 200-with-ok:false convention, unknown methods, rate limits per tier and per channel (and
 * WebClient's own Retry-After handling), faults, pagination across pages, ordered unique
 * timestamps, reset, the request log, and the large generated workspace.
 */
import { WebAPIHTTPError, WebAPIRateLimitedError, WebClient, WebClientEvent } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/index.js';
import { generatedUserId, largeWorkspace } from '../../src/slack/index.js';
import type { SlackState } from '../../src/slack/state.js';
import { clientLog, errorCode, slackError, useSlack } from './harness.js';

const h = useSlack();

// biome-ignore lint/suspicious/noExplicitAny: answers are asserted on loosely
type Any = any;

/** A raw call, as curl or another client would make it. */
async function raw(
  method: string,
  init: {
    form?: Record<string, string>;
    json?: unknown;
    query?: Record<string, string>;
    token?: string | null;
    get?: boolean;
    contentType?: string;
    body?: string;
  } = {},
): Promise<{ status: number; headers: Headers; body: Any }> {
  const url = new URL(`${h.sandbox.env['SLACK_API_URL']}${method}`);
  for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = {};
  const token = init.token === undefined ? h.sandbox.state.botToken : init.token;
  if (token) headers['authorization'] = `Bearer ${token}`;
  let body: string | undefined;
  if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  } else if (init.json !== undefined) {
    headers['content-type'] = 'application/json; charset=utf-8';
    body = JSON.stringify(init.json);
  } else if (init.body !== undefined) {
    headers['content-type'] = init.contentType ?? 'text/plain';
    body = init.body;
  }
  const res = await fetch(url, { method: init.get ? 'GET' : 'POST', headers, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

describe('encodings and credentials', () => {
  it('takes a form POST, a JSON POST for write methods, and a GET query; the token from the header or a form/query field', async () => {
    const channel = h.channel('engineering').id;
    const get = await raw('conversations.info', { get: true, token: null, query: { channel, token: h.sandbox.state.botToken } });
    expect(get).toMatchObject({ status: 200, body: { ok: true, channel: { id: channel } } });
    const form = await raw('conversations.info', { token: null, form: { channel, token: h.sandbox.state.botToken } });
    expect(form.body.channel.name).toBe('engineering');
    const json = await raw('chat.postMessage', { json: { channel, text: 'from JSON', blocks: [{ type: 'divider' }] } });
    expect(json.body).toMatchObject({ ok: true, message: { text: 'from JSON', blocks: [{ type: 'divider' }] } });
    // Slack never reads a token from a JSON body, and reads no JSON arguments for read methods.
    expect(
      (await raw('chat.postMessage', { token: null, json: { token: h.sandbox.state.botToken, channel, text: 'x' } })).body.error,
    ).toBe('not_authed');
    expect((await raw('conversations.info', { json: { channel } })).body.error).toBe('channel_not_found');
    expect((await raw('chat.postMessage', { body: '{"channel":', contentType: 'application/json' })).body.error).toBe(
      'invalid_json',
    );
    expect((await raw('chat.postMessage', { json: [channel] })).body.error).toBe('json_not_object');
    expect((await raw('chat.postMessage', { body: 'channel=x', contentType: 'text/csv' })).body.error).toBe('invalid_post_type');
    const boundary = 'XyZ';
    const multipart = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="channel"',
      '',
      channel,
      `--${boundary}`,
      'Content-Disposition: form-data; name="text"',
      '',
      'from a multipart form',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const mp = await raw('chat.postMessage', { body: multipart, contentType: `multipart/form-data; boundary=${boundary}` });
    expect(mp.body).toMatchObject({ ok: true, message: { text: 'from a multipart form' } });
  });

  it('serves requests shaped as other clients send them: GET with a JSON content type and no body, team_id, WebClient’s teamId', async () => {
    // As @modelcontextprotocol/server-slack sends its reads.
    const url = `${h.sandbox.env['SLACK_API_URL']}conversations.list?types=public_channel&exclude_archived=true&limit=5&team_id=T0PATCHBAY`;
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${h.sandbox.state.botToken}`, 'content-type': 'application/json' },
    });
    expect(((await res.json()) as Any).channels).toHaveLength(5);
    const orgClient = h.client(h.sandbox.state.botToken, { teamId: 'T0PATCHBAY' });
    expect(((await orgClient.users.info({ user: h.userId('grace') })) as Any).user.name).toBe('grace');
    expect(h.sandbox.log.last()!.status).toBe(200);
  });

  it('answers every call 200 with ok and a fresh x-slack-req-id; scopes in headers once the token is known', async () => {
    const ok = await raw('auth.test');
    const bad = await raw('auth.test', { token: 'xoxp-0-0-0-nope' });
    const none = await raw('auth.test', { token: null });
    expect([ok.status, bad.status, none.status]).toEqual([200, 200, 200]);
    expect([bad.body.error, none.body.error]).toEqual(['invalid_auth', 'not_authed']);
    const ids = [ok, bad, none].map((r) => r.headers.get('x-slack-req-id'));
    expect(new Set(ids).size).toBe(3);
    expect(ok.headers.get('x-oauth-scopes')).toBe(h.sandbox.state.tokens.get(h.sandbox.state.botToken)!.scopes.join(','));
    expect(bad.headers.get('x-oauth-scopes')).toBeNull();
    const history = await raw('conversations.history', { form: { channel: h.channel('engineering').id, limit: '1' } });
    expect(history.headers.get('x-accepted-oauth-scopes')).toBe('channels:history,groups:history,im:history,mpim:history');
  });

  it('names the scope that is missing and the scopes the token has', async () => {
    const narrow = h.sandbox.state.tokenNamed('narrow-bot');
    const answer = await raw('conversations.history', { token: narrow, form: { channel: h.channel('security').id } });
    // A private channel the bot is in needs groups:history, not channels:history.
    expect(answer.body).toEqual({ ok: false, error: 'missing_scope', needed: 'groups:history', provided: 'chat:write' });
  });

  it('answers an unknown method 404 unknown_method and warns that the emulator lacks it', async () => {
    const answer = await raw('conversations.kick', { form: { channel: 'C1' } });
    expect(answer).toMatchObject({ status: 404, body: { ok: false, error: 'unknown_method', req_method: 'conversations.kick' } });
    expect(h.sandbox.log.unknownRoutes().map((e) => e.path)).toEqual(['/api/conversations.kick']);
    expect(h.warnings.join('\n')).toContain('UNKNOWN ROUTE POST /api/conversations.kick');
  });

  it('logs who asked (the token’s owner) and never the token, also when it came as ?token=', async () => {
    await h.user.auth.test();
    await raw('users.info', { get: true, token: null, query: { user: h.userId('grace'), token: h.sandbox.state.botToken } });
    await raw('auth.test', { token: 'xoxb-0-0-unknown' });
    const entries = h.sandbox.log.entries();
    expect(entries.map((e) => [e.operation, e.identity])).toEqual([
      ['auth.test', 'ada'],
      ['users.info', 'patchbay'],
      ['auth.test', 'invalid'],
    ]);
    expect(entries[1]!.query['token']).toBe('[redacted]');
    expect(JSON.stringify(entries)).not.toContain(h.sandbox.state.botToken);
  });
});

describe('rate limits', () => {
  it('answers the call over a tier’s allowance 429 with Retry-After, and WebClient waits it out and retries', async () => {
    Object.assign(h.sandbox.state.rateLimits, { windowMs: 1000 });
    h.sandbox.state.rateLimits.tiers[4] = 2;
    const waits: number[] = [];
    const client = h.client(h.sandbox.state.botToken, { retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 } });
    client.on(WebClientEvent.RATE_LIMITED, (seconds: number) => waits.push(seconds));
    for (let i = 0; i < 3; i++) expect((await client.users.info({ user: h.userId('ada') })).ok).toBe(true);
    expect(h.sandbox.log.entries({ route: 'users.info' }).map((e) => e.status)).toEqual([200, 200, 429, 200]);
    expect(waits).toEqual([1]);
    // Other methods have their own allowance.
    expect((await client.auth.test()).ok).toBe(true);
  });

  it('lets a client that refuses to wait see Retry-After; limits are per app, not per token', async () => {
    h.sandbox.state.rateLimits.methods['users.list'] = 1;
    await h.bot.users.list({ limit: 1 });
    const userClient = h.client(h.sandbox.state.userToken, { rejectRateLimitedCalls: true });
    const refused = await slackError(userClient.users.list({ limit: 1 }));
    expect(refused.code).toBe('slack_webapi_rate_limited_error');
    const error = await userClient.users.list({ limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebAPIRateLimitedError);
    expect((error as WebAPIRateLimitedError).retryAfter).toBeGreaterThanOrEqual(59);
    const other = h.client(h.sandbox.state.tokenNamed('deploybot'));
    expect((await other.users.list({ limit: 1 })).ok).toBe(true);
  });

  it('limits chat.postMessage per channel, and can be switched off', async () => {
    h.sandbox.state.rateLimits.postMessage = { limit: 1, windowMs: 10_000 };
    const client = h.client(h.sandbox.state.botToken, { rejectRateLimitedCalls: true });
    await client.chat.postMessage({ channel: h.channel('engineering').id, text: 'one' });
    const second = await client.chat.postMessage({ channel: h.channel('engineering').id, text: 'two' }).catch((e: unknown) => e);
    expect((second as WebAPIRateLimitedError).retryAfter).toBe(10);
    expect((await client.chat.postMessage({ channel: h.channel('deploys').id, text: 'elsewhere' })).ok).toBe(true);
    h.sandbox.state.rateLimits.enabled = false;
    expect((await client.chat.postMessage({ channel: h.channel('engineering').id, text: 'three' })).ok).toBe(true);
  });

  it('answers an injected rate-limit window, and an injected 500, as Slack does; WebClient retries the 500', async () => {
    h.sandbox.faults.add({ kind: 'rateLimit', retryAfter: 7, route: 'users.list', times: 1 });
    const limited = await h
      .client(h.sandbox.state.botToken, { rejectRateLimitedCalls: true })
      .users.list({ limit: 1 })
      .catch((e: unknown) => e);
    expect((limited as WebAPIRateLimitedError).retryAfter).toBe(7);
    h.sandbox.faults.add({ kind: 'error', status: 500, route: 'auth.test', times: 1 });
    const failed = await h.bot.auth.test().catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(WebAPIHTTPError);
    expect((failed as WebAPIHTTPError).statusCode).toBe(500);
    h.sandbox.faults.add({ kind: 'error', status: 503, route: 'auth.test', times: 1 });
    const patient = h.client(h.sandbox.state.botToken, { retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });
    expect((await patient.auth.test()).ok).toBe(true);
    expect(h.sandbox.log.entries({ route: 'auth.test' }).map((e) => e.status)).toEqual([500, 503, 200]);
  });
});

describe('pagination and time', () => {
  it('walks a channel’s whole history with cursors: newest first, no gaps, no repeats; oldest/latest/inclusive bound it', async () => {
    const general = h.channel('general');
    const seen: string[] = [];
    for await (const page of h.user.paginate('conversations.history', { channel: general.id, limit: 200 }))
      seen.push(...(page as Any).messages.map((m: Any) => m.ts));
    expect(seen).toEqual(general.timeline.map((m) => m.ts).reverse());
    expect(seen.length).toBeGreaterThanOrEqual(1200);
    const [a, b] = [general.timeline[100]!.ts, general.timeline[110]!.ts];
    const inside: Any = await h.user.conversations.history({ channel: general.id, oldest: a, latest: b });
    expect(inside.messages).toHaveLength(9);
    const inclusive: Any = await h.user.conversations.history({ channel: general.id, oldest: a, latest: b, inclusive: true });
    expect(inclusive.messages.map((m: Any) => m.ts)).toEqual(
      general.timeline
        .slice(100, 111)
        .map((m) => m.ts)
        .reverse(),
    );
    const empty: Any = await h.user.conversations.history({ channel: general.id, latest: '1000000000' });
    expect(empty).toMatchObject({ messages: [], has_more: false });
    expect(empty.response_metadata.next_cursor).toBeUndefined();
  });

  it('pages conversations.list over the workspace and then filters, so a page may be short or empty while next_cursor says more', async () => {
    const pages: Any[] = [];
    for await (const page of h.user.paginate('conversations.list', { types: 'private_channel', limit: 10 })) pages.push(page);
    expect(pages.length).toBe(Math.ceil(h.sandbox.state.conversationOrder.length / 10));
    expect(pages.some((p, i) => i < pages.length - 1 && p.channels.length < 10 && p.response_metadata.next_cursor !== '')).toBe(
      true,
    );
    const names = pages.flatMap((p) => p.channels.map((c: Any) => c.name));
    const expected = [...h.sandbox.state.conversations.values()]
      .filter((c) => c.kind === 'private' && c.members.has(h.userId('ada')))
      .map((c) => c.name);
    expect(names.sort()).toEqual(expected.sort());
    expect(pages.at(-1).response_metadata.next_cursor).toBe('');
  });

  it('gives back-to-back and concurrent posts unique, ordered seconds.micro timestamps', async () => {
    const channel = h.channel('deploys');
    h.sandbox.state.rateLimits.enabled = false;
    const posted = await Promise.all(
      Array.from({ length: 25 }, (_, i) => h.bot.chat.postMessage({ channel: channel.id, text: `#${i}` })),
    );
    const stamps = posted.map((p) => p.ts!);
    expect(new Set(stamps).size).toBe(25);
    for (const ts of stamps) expect(ts).toMatch(/^\d{10}\.\d{6}$/);
    const tail = channel.timeline.slice(-25).map((m) => m.ts);
    expect(tail).toEqual([...tail].sort());
    expect(new Set(tail)).toEqual(new Set(stamps));
    expect(Number(tail[0]) * 1000).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('reset', () => {
  it('returns to the seed between tests: posts, reactions, joins and read cursors are gone, the tokens unchanged', async () => {
    const channel = h.channel('engineering');
    const before = channel.timeline.length;
    const token = h.sandbox.state.botToken;
    const posted: Any = await h.bot.chat.postMessage({ channel: channel.id, text: 'temporary' });
    await h.bot.reactions.add({ channel: channel.id, timestamp: posted.ts, name: 'tada' });
    await h.bot.conversations.join({ channel: h.channel('project-apollo').id });
    h.sandbox.reset();
    expect(h.channel('engineering').timeline.length).toBe(before);
    expect(h.channel('engineering').byTs.has(posted.ts)).toBe(false);
    expect(h.channel('project-apollo').members.has(h.userId('patchbay'))).toBe(false);
    expect(h.sandbox.state.botToken).toBe(token);
    expect(await errorCode(h.bot.conversations.history({ channel: h.channel('project-apollo').id }))).toBe('not_in_channel');
  });

  it('WebClient warns about a post without text, which Slack would also refuse', async () => {
    expect(await errorCode(h.bot.chat.postMessage({ channel: h.channel('engineering').id, text: '' }))).toBe('no_text');
    expect(clientLog.join('\n')).toContain('`text` argument is missing');
  });
});

describe('the demo seed', () => {
  it('is the workspace the README describes, the same every run', () => {
    const s = h.sandbox.state;
    const conversations = [...s.conversations.values()];
    const messages = conversations.flatMap((c) => [...c.byTs.values()]);
    const people = s.users.listed().filter((u) => !u.isBot && u.id !== 'USLACKBOT');
    expect({
      people: people.length,
      deactivated: people.filter((u) => u.deleted).length,
      bots: s.users.listed().filter((u) => u.isBot).length,
      channels: conversations.filter((c) => c.kind === 'public' || c.kind === 'private').length,
      private: conversations.filter((c) => c.kind === 'private').length,
      archived: conversations.filter((c) => c.archived).length,
      dms: conversations.filter((c) => c.kind === 'im').length,
      groupDms: conversations.filter((c) => c.kind === 'mpim').length,
      messages: messages.length,
      inTimelines: conversations.reduce((n, c) => n + c.timeline.length, 0),
      threads: messages.filter((m) => m.replies.length > 0).length,
      longestThread: Math.max(...messages.map((m) => m.replies.length)),
      general: h.channel('general').timeline.length,
      withReactions: messages.filter((m) => m.reactions.length > 0).length,
      edited: messages.filter((m) => m.edited).length,
      withFiles: messages.filter((m) => m.files.length > 0).length,
      timeZones: new Set(people.map((u) => u.tz)).size,
    }).toEqual({
      people: 318,
      deactivated: 7,
      bots: 3,
      channels: 120,
      private: 15,
      archived: 10,
      dms: 4,
      groupDms: 1,
      messages: 8500,
      inTimelines: 5355,
      threads: 215,
      longestThread: 300,
      general: 1211,
      withReactions: 1153,
      edited: 239,
      withFiles: 142,
      timeZones: 8,
    });
    const text = messages.map((m) => m.text).join('\n');
    for (const markup of [/<@U0[A-Z0-9]{8}>/, /<#C0[A-Z0-9]{8}\|[a-z-]+>/, /<!here>/, /<https:\/\/[^|>]+\|[^>]+>/])
      expect(text).toMatch(markup);
  });
});

describe('a 100,000-person workspace', () => {
  let large: Sandbox<SlackState>;
  let client: WebClient;
  beforeAll(async () => {
    large = await startSandbox({ service: 'slack', seed: 'large', logger: false });
    client = new WebClient(large.env['SLACK_BOT_TOKEN'], {
      slackApiUrl: large.env['SLACK_API_URL']!,
      retryConfig: { retries: 0 },
    });
  });
  afterAll(() => large.close());

  it('holds 100,000 generated people without storing them, and serves them like any others', async () => {
    expect(large.state.users.size).toBe(100_000 + 4);
    expect(large.state.users.listed()).toHaveLength(4);
    expect(await errorCode(client.users.list({}))).toBe('limit_required');
    const first: Any = await client.users.list({ limit: 1000 });
    expect(first.members).toHaveLength(1000);
    const second: Any = await client.users.list({ limit: 1000, cursor: first.response_metadata.next_cursor });
    expect(second.members[0].id).toBe(generatedUserId(996));
    const last: Any = await client.users.info({ user: generatedUserId(99_999) });
    expect(last.user).toMatchObject({ name: 'member99999', profile: { email: 'member99999@example.com' } });
    expect(((await client.users.lookupByEmail({ email: 'member12345@example.com' })) as Any).user.id).toBe(
      generatedUserId(12_345),
    );
    expect(await errorCode(client.users.info({ user: generatedUserId(100_000) }))).toBe('user_not_found');
    expect(((await client.users.info({ user: generatedUserId(96) })) as Any).user.deleted).toBe(true);
  });

  it('pages #general’s members and counts them', async () => {
    const general = large.state.channelByName('general')!;
    const info: Any = await client.conversations.info({ channel: general.id, include_num_members: true });
    let people = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = large.state.users.get(generatedUserId(i))!;
      if (!u.deleted && !u.isRestricted) people++;
    }
    // Every active full member (guests and deactivated accounts are not in #general), Grace, Ada and the bot.
    expect(people).toBeGreaterThan(98_000);
    expect(info.channel.num_members).toBe(people + 3);
    const page: Any = await client.conversations.members({ channel: general.id, limit: 500 });
    expect(page.members).toHaveLength(500);
    const next: Any = await client.conversations.members({
      channel: general.id,
      limit: 500,
      cursor: page.response_metadata.next_cursor,
    });
    expect(next.members[0]).not.toBe(page.members[499]);
  });

  it('is a seed factory: any size, the same every time', () => {
    const small = largeWorkspace({ users: 10, channels: 2, messages: 20 });
    const [a, b] = [
      new (large.state.constructor as new () => SlackState)(),
      new (large.state.constructor as new () => SlackState)(),
    ];
    small(a);
    small(b);
    expect(a.users.size).toBe(14);
    expect([...a.conversations.keys()]).toEqual([...b.conversations.keys()]);
    expect(a.botToken).toBe(b.botToken);
  });
});

describe('several services in one process', () => {
  it('serves Slack under /slack/api/ when it shares a port', async () => {
    const group = await startSandbox({ services: ['slack'], logger: false });
    try {
      expect(group.env['SLACK_API_URL']).toBe(`${group.url}/slack/api/`);
      const client = new WebClient(group.env['SLACK_BOT_TOKEN'], {
        slackApiUrl: group.env['SLACK_API_URL']!,
        retryConfig: { retries: 0 },
      });
      expect(((await client.auth.test()) as Any).user).toBe('patchbay');
    } finally {
      await group.close();
    }
  });
});
