/**
 * Slack's wire conventions, in one place for every method:
 *
 * - `POST /api/<method>` with `application/x-www-form-urlencoded` (what `@slack/web-api` sends),
 *   `multipart/form-data`, or — for the methods that take it — `application/json`; `GET` with a
 *   query string works too. A read method given a JSON body sees no arguments, as on Slack.
 * - The token from `Authorization: Bearer …`, or a `token` form/query field (never a JSON field).
 * - Every answer is HTTP 200 with `{"ok": true, …}` or `{"ok": false, "error": "<code>"}`, except a
 *   rate-limited call (429 with `Retry-After` and `error: ratelimited`) and an unknown method (404).
 * - `x-slack-req-id` on every answer; `x-oauth-scopes` (the token's scopes) and
 *   `x-accepted-oauth-scopes` (the method's) on every authenticated one.
 * - Rate limits per method tier, counted per app.
 */
import type { Route } from '../core/emulator.js';
import type { SandboxRequest, SandboxResponse } from '../core/http.js';
import type { SlackUser } from './directory.js';
import { requestId } from './ids.js';
import { RateLimited, type Tier } from './rate-limit.js';
import type { Conversation, ConversationKind, SlackState, SlackToken } from './state.js';

/** An `ok: false` answer: the code and any extra fields (`needed`, `provided`). */
export class SlackError extends Error {
  override readonly name = 'SlackError';
  constructor(
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

export type Arguments = Map<string, unknown>;

/** What a method does with one authenticated call; returns the `ok: true` body's other fields. */
export type MethodHandler = (call: Call) => Record<string, unknown>;

export interface SlackMethod {
  /** `conversations.history` */
  name: string;
  /** Its rate-limit tier (chat.postMessage is Tier 4-like overall, and limited per channel besides). */
  tier: Tier;
  /** Whether Slack reads JSON bodies for it (the write methods); read methods take form or query arguments only. */
  json: boolean;
  /** The scopes the method accepts, sent as `x-accepted-oauth-scopes`. */
  accepted: readonly string[];
  handler: MethodHandler;
}

export function defineMethod(method: SlackMethod): SlackMethod {
  return method;
}

/** Routes for a set of methods: each under `/api/<method>`, for POST and GET. */
export function methodRoutes(methods: readonly SlackMethod[]): Route<SlackState>[] {
  return methods.flatMap((method) =>
    (['POST', 'GET'] as const).map((verb) => ({
      method: verb,
      path: `/api/${method.name}`,
      operation: method.name,
      handler: (req: SandboxRequest, ctx: { state: SlackState }) => dispatch(method, req, ctx.state),
    })),
  );
}

/** A Slack answer: JSON, `x-slack-req-id`, and whatever else the caller adds. */
export function slackResponse(
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): SandboxResponse {
  return {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-slack-req-id': requestId(),
      'access-control-allow-origin': '*',
      ...headers,
    },
    body,
  };
}

export function failure(
  code: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): SandboxResponse {
  return slackResponse(200, { ok: false, error: code, ...extra }, headers);
}

export function rateLimitedResponse(retryAfter: number, headers: Record<string, string> = {}): SandboxResponse {
  return slackResponse(429, { ok: false, error: 'ratelimited' }, { ...headers, 'retry-after': String(retryAfter) });
}

/** The token a request presents: the bearer header first, then a `token` form or query field. */
export function presentedToken(req: SandboxRequest, args?: Arguments): string | undefined {
  const auth = req.header('authorization');
  const bearer = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] : undefined;
  if (bearer) return bearer;
  const field = args?.get('token') ?? req.query.get('token') ?? undefined;
  return typeof field === 'string' && field !== '' ? field : undefined;
}

/**
 * The call's arguments: query parameters, overlaid by the body's (form, multipart, or JSON for
 * methods that take it). A body Slack could not read is an error code, as Slack answers it.
 */
export function readArguments(req: SandboxRequest, acceptsJson: boolean): { args: Arguments } | { error: string } {
  const args: Arguments = new Map();
  for (const [key, value] of req.query) if (!args.has(key)) args.set(key, value);
  if (req.method !== 'POST' || req.body.length === 0) return { args };
  const type = (req.header('content-type') ?? '').toLowerCase();
  if (type.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(req.body.toString('utf8'));
    } catch {
      return { error: 'invalid_json' };
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { error: 'json_not_object' };
    // Slack reads JSON only for its write methods, and never takes a token from it.
    if (acceptsJson) for (const [key, value] of Object.entries(parsed)) if (key !== 'token') args.set(key, value);
    return { args };
  }
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(req.header('content-type') ?? '')?.[1];
    if (!boundary) return { error: 'invalid_form_data' };
    for (const [key, value] of parseMultipart(req.body, boundary)) args.set(key, value);
    return { args };
  }
  if (type === '' || type.startsWith('application/x-www-form-urlencoded')) {
    const seen = new Set<string>();
    for (const [key, value] of req.form()) {
      if (seen.has(key)) continue;
      seen.add(key);
      args.set(key, value);
    }
    return { args };
  }
  return { error: 'invalid_post_type' };
}

/** The text fields of a multipart body (file parts are read as text too: the sandbox keeps no files). */
function parseMultipart(body: Buffer, boundary: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of body.toString('utf8').split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const name = /name="([^"]*)"/.exec(part.slice(0, split))?.[1];
    if (name !== undefined) out.push([name, part.slice(split + 4).replace(/\r\n$/, '')]);
  }
  return out;
}

function dispatch(method: SlackMethod, req: SandboxRequest, state: SlackState): SandboxResponse {
  const read = readArguments(req, method.json);
  if ('error' in read) return failure(read.error);
  const { args } = read;
  state.deliverDue();
  const presented = presentedToken(req, args);
  if (!presented) return failure('not_authed');
  const token = state.tokens.get(presented);
  if (!token) return failure('invalid_auth');
  if (token.revoked) return failure('token_revoked');
  const owner = state.users.get(token.userId);
  if (!owner || owner.deleted) return failure('account_inactive');
  const headers = {
    'x-oauth-scopes': token.scopes.join(','),
    'x-accepted-oauth-scopes': method.accepted.join(','),
  };
  const limits = state.rateLimits;
  if (limits.enabled) {
    const allowance = limits.methods[method.name] ?? limits.tiers[method.tier];
    const retryAfter = state.windows.take(`${token.appId}:${method.name}`, allowance, limits.windowMs);
    if (retryAfter !== undefined) return rateLimitedResponse(retryAfter, headers);
  }
  try {
    const body = method.handler(new Call(state, token, owner, args, method.name));
    return slackResponse(200, { ok: true, ...body }, headers);
  } catch (error) {
    if (error instanceof SlackError) return failure(error.code, error.extra, headers);
    if (error instanceof RateLimited) return rateLimitedResponse(error.retryAfter, headers);
    throw error;
  }
}

/** What a conversation is being used for: each needs its own scope per kind of conversation. */
export type Access = 'read' | 'history' | 'write';

const SCOPE_BY_KIND: Record<Access, Record<ConversationKind, string>> = {
  read: { public: 'channels:read', private: 'groups:read', im: 'im:read', mpim: 'mpim:read' },
  history: { public: 'channels:history', private: 'groups:history', im: 'im:history', mpim: 'mpim:history' },
  write: { public: 'channels:write', private: 'groups:write', im: 'im:write', mpim: 'mpim:write' },
};

/** The scope a token needs to use a kind of conversation for something. */
export function scopeFor(access: Access, kind: ConversationKind): string {
  return SCOPE_BY_KIND[access][kind];
}

/** One authenticated call: the state, the token and whose it is, the arguments, and checks Slack makes. */
export class Call {
  constructor(
    readonly state: SlackState,
    readonly token: SlackToken,
    /** The user the token acts as (for a bot token: the bot user). */
    readonly caller: SlackUser,
    readonly args: Arguments,
    readonly method: string,
  ) {}

  get isBot(): boolean {
    return this.token.type === 'bot';
  }

  fail(code: string, extra: Record<string, unknown> = {}): never {
    throw new SlackError(code, extra);
  }

  /** A string argument; empty counts as absent (Slack treats `channel=` as no channel). */
  string(name: string): string | undefined {
    const value = this.args.get(name);
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) return value.map(String).join(',');
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    return text === '' ? undefined : text;
  }

  /** A boolean argument: `true`/`1` (any case) are true, `false`/`0` false, anything else the default. */
  flag(name: string, fallback = false): boolean {
    const value = this.args.get(name);
    if (value === true || value === false) return value;
    if (typeof value === 'number') return value !== 0;
    if (typeof value !== 'string') return fallback;
    if (/^(true|1)$/i.test(value)) return true;
    if (/^(false|0)$/i.test(value)) return false;
    return fallback;
  }

  /** An integer argument, or undefined when absent; `invalid` when given but not an integer. */
  integer(name: string): number | undefined | 'invalid' {
    const value = this.args.get(name);
    if (value === undefined || value === null || value === '') return undefined;
    const n = typeof value === 'number' ? value : Number(String(value).trim());
    return Number.isInteger(n) ? n : 'invalid';
  }

  /** A JSON argument (blocks, attachments): an array or object given directly or as a JSON string. */
  json(name: string, code: string): unknown {
    const value = this.args.get(name);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value);
    } catch {
      this.fail(code);
    }
  }

  /** Fails with `missing_scope` (naming what is needed and what the token has) unless it has all of these. */
  needScopes(...needed: string[]): void {
    const missing = needed.filter((scope) => !this.token.scopes.includes(scope));
    if (missing.length > 0) this.fail('missing_scope', { needed: missing.join(','), provided: this.token.scopes.join(',') });
  }

  /** Fails with `missing_scope` naming `needed` unless the token has one of `options`. */
  needAnyScope(options: readonly string[], needed = options[0]!): void {
    if (!options.some((scope) => this.token.scopes.includes(scope)))
      this.fail('missing_scope', { needed, provided: this.token.scopes.join(',') });
  }

  /**
   * Whether the caller can see a conversation exists: public channels (for guests only those
   * they were added to), and whatever they are in.
   */
  canSee(conversation: Conversation): boolean {
    if (conversation.members.has(this.caller.id)) return true;
    return conversation.kind === 'public' && !this.caller.isRestricted && !this.caller.isUltraRestricted;
  }

  isMember(conversation: Conversation): boolean {
    return conversation.members.has(this.caller.id);
  }

  /**
   * The conversation an argument names, checked as Slack checks it: `channel_not_found` when it
   * does not exist or the caller cannot see it, `missing_scope` for its kind, and for reading
   * history `not_in_channel` when a bot is not in a public channel (a user token may read any
   * public channel).
   */
  conversation(access: Access, argument = 'channel'): Conversation {
    const id = this.string(argument);
    const conversation = id ? this.state.conversations.get(id) : undefined;
    if (!conversation || !this.canSee(conversation)) this.fail('channel_not_found');
    this.needConversationScope(access, conversation);
    if (access === 'history' && this.isBot && !this.isMember(conversation)) this.fail('not_in_channel');
    return conversation;
  }

  needConversationScope(access: Access, conversation: Conversation): void {
    if (access === 'write' && conversation.kind === 'public' && this.isBot)
      this.needAnyScope(['channels:manage', 'channels:write'], 'channels:manage');
    else this.needScopes(scopeFor(access, conversation.kind));
  }

  /** Whether the token may read a user's email address. */
  get seesEmail(): boolean {
    return this.token.scopes.includes('users:read.email');
  }

  /** A paging limit: absent or 0 = the default, above the maximum = the maximum. */
  limit(fallback: number, max: number, invalidCode?: string): number {
    const limit = this.integer('limit');
    if (limit === 'invalid' || (limit !== undefined && limit < 0)) {
      if (invalidCode) this.fail(invalidCode);
      return fallback;
    }
    if (limit === undefined || limit === 0) return fallback;
    return Math.min(limit, max);
  }
}
