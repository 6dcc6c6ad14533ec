/**
 * The spec checker itself: it must fail on answers and requests Slack's description does not
 * allow (or the fidelity tour would prove nothing), its union rewriting must make alternatives
 * count, and every SPEC_LAGS entry must still be needed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../src/index.js';
import { SlackSpec, SPEC_FILE, SPEC_LAGS, type SpecDocument, slackSpec, unionsToAnyOf } from './spec.js';

const spec = slackSpec();
const TS = '1712345678.000100';

function exchange(
  method: string,
  body: Record<string, unknown>,
  options: { status?: number; args?: Record<string, string>; headers?: Record<string, string>; auth?: boolean } = {},
): Exchange {
  const form = new URLSearchParams(options.args ?? {}).toString();
  return {
    service: 'slack',
    route: { method: 'POST', path: `/api/${method}`, operation: method },
    params: {},
    request: {
      method: 'POST',
      path: `/api/${method}`,
      query: new URLSearchParams(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(options.auth === false ? {} : { authorization: '[redacted]' }),
      },
      body: Buffer.from(form),
    },
    response: {
      status: options.status ?? 200,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-slack-req-id': 'abc',
        'x-oauth-scopes': 'chat:write',
        'x-accepted-oauth-scopes': 'chat:write',
        ...(options.headers ?? {}),
      },
      body: Buffer.from(JSON.stringify(body)),
    },
    faults: [],
  };
}

const message = { type: 'message', text: 'hi', user: 'U0ABCDEFGH', ts: TS, team: 'T0PATCHBAY' };
const posted = (m: Record<string, unknown>) =>
  exchange(
    'chat.postMessage',
    { ok: true, channel: 'C0ABCDEFGH', ts: TS, message: m },
    { args: { channel: 'C0ABCDEFGH', text: 'hi' } },
  );

describe('the Slack spec checker', () => {
  it('accepts a faithful answer (so that what it refuses below is refused for the reason shown)', () => {
    expect(spec.problems(posted(message))).toEqual([]);
    expect(spec.problems(exchange('chat.postMessage', { ok: false, error: 'not_in_channel' }))).toEqual([]);
  });

  it('refuses a message with a field Slack does not send, a malformed ts, or without required fields', () => {
    expect(spec.problems(posted({ ...message, colour: 'red' })).join('\n')).toMatch(
      /must NOT have additional properties.*colour/,
    );
    expect(spec.problems(posted({ ...message, ts: '1712345678.1' })).join('\n')).toMatch(/ts must match pattern/);
    const { text: _text, ...noText } = message;
    expect(spec.problems(posted(noText)).join('\n')).toMatch(/must have required property 'text'/);
  });

  it('refuses an error code the method does not document, and an error without its code', () => {
    expect(spec.problems(exchange('chat.postMessage', { ok: false, error: 'made_up_error' })).join('\n')).toMatch(
      /must be equal to one of the allowed values/,
    );
    expect(spec.problems(exchange('chat.postMessage', { ok: false })).join('\n')).toMatch(/required property 'error'/);
  });

  it('checks each alternative of a union written as an items array (a DM with a channel’s fields is refused)', () => {
    const dm = { id: 'D0ABCDEFGH', created: 1, is_im: true, is_org_shared: false, user: 'U0ABCDEFGH', priority: 0 };
    const info = (channel: Record<string, unknown>) =>
      exchange('conversations.info', { ok: true, channel }, { args: { channel: 'D0ABCDEFGH' } });
    expect(spec.problems(info(dm))).toEqual([]);
    expect(spec.problems(info({ ...dm, is_general: 'yes' }))).not.toEqual([]);
    // Read as plain JSON Schema, the same description would accept anything as a conversation.
    const raw = JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as SpecDocument;
    expect(Array.isArray(raw.definitions['objs_conversation']!['items'])).toBe(true);
    unionsToAnyOf(raw.definitions);
    expect(raw.definitions['objs_conversation']!['anyOf']).toHaveLength(3);
  });

  it('refuses a successful request with an undeclared parameter, a mistyped one, a missing required one, or no credential', () => {
    const call = (args: Record<string, string>, auth = true) =>
      spec.problems(
        exchange(
          'conversations.history',
          { ok: true, messages: [], has_more: false, pin_count: 0, channel_actions_ts: null, channel_actions_count: 0 },
          { args, auth },
        ),
      );
    expect(call({ channel: 'C0ABCDEFGH', limit: '10' })).toEqual([]);
    expect(call({ channel: 'C0ABCDEFGH', colour: 'red' }).join('\n')).toMatch(/parameter colour is not declared/);
    expect(call({ channel: 'C0ABCDEFGH', limit: 'ten' }).join('\n')).toMatch(/limit=ten is not of type integer/);
    expect(call({ channel: 'C0ABCDEFGH' }, false).join('\n')).toMatch(/no credential/);
    const lookup = exchange('users.lookupByEmail', { ok: true, user: {} }, { args: {} });
    expect(spec.problems(lookup).join('\n')).toMatch(/parameter email is required/);
  });

  it('refuses a 429 without a whole-second Retry-After or with another error, and answers without Slack’s headers', () => {
    const limited = (headers: Record<string, string>, error = 'ratelimited') =>
      spec.problems(exchange('users.list', { ok: false, error }, { status: 429, headers }));
    expect(limited({ 'retry-after': '3' })).toEqual([]);
    expect(limited({}).join('\n')).toMatch(/Retry-After is undefined/);
    expect(limited({ 'retry-after': '1.5' }).join('\n')).toMatch(/Retry-After is 1.5/);
    expect(limited({ 'retry-after': '3' }, 'rate_limited').join('\n')).toMatch(/Slack says ratelimited/);
    const bare = exchange('chat.postMessage', { ok: false, error: 'no_text' });
    bare.response.headers = { 'content-type': 'application/json' };
    expect(spec.problems(bare).join('\n')).toMatch(/no x-slack-req-id[\s\S]*x-oauth-scopes missing/);
    expect(spec.problems(exchange('chat.postMessage', { ok: false, error: 'no_text' }, { status: 400 })).join('\n')).toMatch(
      /not 400/,
    );
  });

  it('needs every SPEC_LAGS entry: each changes the 2020 description, and without them faithful answers are refused', () => {
    for (const lag of SPEC_LAGS) {
      const fresh = JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as SpecDocument;
      unionsToAnyOf(fresh.paths);
      unionsToAnyOf(fresh.definitions);
      expect({ lag: lag.where, changed: lag.apply(fresh) }).toEqual({ lag: lag.where, changed: true });
      expect(lag.why.length).toBeGreaterThan(40);
    }
    const strict = new SlackSpec({ lags: false });
    expect(strict.problems(posted({ ...message, edited: { user: 'U0ABCDEFGH', ts: TS } })).join('\n')).toMatch(/edited/);
    expect(spec.problems(posted({ ...message, edited: { user: 'U0ABCDEFGH', ts: TS } }))).toEqual([]);
    const rateLimited = exchange(
      'chat.postMessage',
      { ok: false, error: 'ratelimited' },
      { status: 429, headers: { 'retry-after': '1' } },
    );
    expect(strict.problems(rateLimited)).not.toEqual([]);
    expect(spec.problems(rateLimited)).toEqual([]);
  });
});
