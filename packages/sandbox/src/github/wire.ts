/**
 * GitHub's wire behaviour shared by every route: token authentication with its real 401 body,
 * the primary rate limit per identity and resource (`x-ratelimit-*` headers, 403/429 with
 * `x-ratelimit-remaining: 0`), conditional requests (ETag / If-None-Match → 304, not counted),
 * `per_page`/`page` paging with `Link` headers, and the error bodies routes answer with.
 */
import { randomBytes } from 'node:crypto';
import type { EmulatorContext, RateLimitFault } from '../core/emulator.js';
import { jsonResponse, type SandboxRequest, type SandboxResponse } from '../core/http.js';
import { etagMatches, weakEtag } from '../core/state.js';
import type { Ctx } from './serialize.js';
import type { GitHubState, Repo } from './state.js';

export const API_VERSION = '2022-11-28';
const DOCS = 'https://docs.github.com/rest';

export type Caller = { kind: 'anonymous' } | { kind: 'invalid' } | { kind: 'token'; login: string; scopes: string[] };

/** The credential in an Authorization header: `token X`, `Bearer X`, or Basic `user:X`. */
function credentialOf(req: SandboxRequest): string | undefined {
  const header = req.header('authorization');
  if (!header) return undefined;
  const [scheme = '', value = ''] = header.trim().split(/\s+/, 2);
  if (/^(token|bearer)$/i.test(scheme)) return value;
  if (/^basic$/i.test(scheme)) return Buffer.from(value, 'base64').toString('utf8').split(':').slice(1).join(':');
  return header;
}

export function callerOf(req: SandboxRequest, state: GitHubState): Caller {
  const credential = credentialOf(req);
  if (credential === undefined) return { kind: 'anonymous' };
  const token = state.tokens.get(credential);
  return token ? { kind: 'token', login: token.login, scopes: token.scopes } : { kind: 'invalid' };
}

export function loginOf(caller: Caller): string | null {
  return caller.kind === 'token' ? caller.login : null;
}

export function ctxOf(req: SandboxRequest, ctx: EmulatorContext<GitHubState>): Ctx {
  return { url: ctx.url, state: ctx.state, login: loginOf(callerOf(req, ctx.state)) };
}

// ---- error bodies ------------------------------------------------------------------------

export function ghError(status: number, message: string, headers: SandboxResponse['headers'] = {}): SandboxResponse {
  return jsonResponse(status, { message, documentation_url: DOCS, status: String(status) }, headers);
}

export const notFound = () => ghError(404, 'Not Found');

export interface FieldError {
  resource: string;
  field: string;
  code: 'missing' | 'missing_field' | 'invalid' | 'already_exists' | 'unprocessable' | 'custom';
  message?: string;
  value?: string | number | null;
}

/** GitHub's 422: `Validation Failed` with an `errors` array naming resource, field and code. */
export function validationFailed(errors: FieldError[], message = 'Validation Failed'): SandboxResponse {
  return jsonResponse(422, { message, errors, documentation_url: DOCS, status: '422' });
}

/** A 422 with a message and no field list (what GitHub sends for some business rules). */
export function unprocessable(message: string): SandboxResponse {
  return jsonResponse(422, { message, documentation_url: DOCS, status: '422' });
}

// ---- rate limits -------------------------------------------------------------------------

export type Resource = 'core' | 'search' | 'code_search';

export function resourceOf(path: string): Resource {
  if (path.startsWith('/search/code')) return 'code_search';
  if (path.startsWith('/search/')) return 'search';
  return 'core';
}

export interface RateView {
  limit: number;
  used: number;
  remaining: number;
  reset: number;
  resource: Resource;
}

/** Current usage of one identity's bucket (a fresh window once the old one ended). */
export function rateView(state: GitHubState, identity: string, resource: Resource): RateView {
  const key = `${identity}:${resource}`;
  const now = Math.floor(Date.now() / 1000);
  let bucket = state.rateUsage.get(key);
  if (!bucket || bucket.reset <= now) {
    bucket = { used: 0, reset: now + 3600 };
    state.rateUsage.set(key, bucket);
  }
  const limit = identity === 'anonymous' && resource === 'core' ? state.rateLimits.anonymous : state.rateLimits[resource];
  return { limit, used: bucket.used, remaining: Math.max(0, limit - bucket.used), reset: bucket.reset, resource };
}

function count(state: GitHubState, identity: string, resource: Resource): RateView {
  rateView(state, identity, resource);
  state.rateUsage.get(`${identity}:${resource}`)!.used++;
  return rateView(state, identity, resource);
}

function rateHeaders(v: RateView): Record<string, string> {
  return {
    'x-ratelimit-limit': String(v.limit),
    'x-ratelimit-remaining': String(v.remaining),
    'x-ratelimit-reset': String(v.reset),
    'x-ratelimit-used': String(v.used),
    'x-ratelimit-resource': v.resource,
  };
}

function commonHeaders(caller: Caller): Record<string, string> {
  return {
    'x-github-api-version-selected': API_VERSION,
    'x-github-media-type': 'github.v3; format=json',
    'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
    vary: 'Accept, Authorization, Cookie, X-GitHub-OTP',
    ...(caller.kind === 'token' ? { 'x-oauth-scopes': caller.scopes.join(', '), 'x-accepted-oauth-scopes': '' } : {}),
  };
}

function identityOf(caller: Caller): string {
  return caller.kind === 'token' ? caller.login : caller.kind;
}

/** The primary-limit answer: 403 (or 429) with `x-ratelimit-remaining: 0`, as GitHub sends it. */
function primaryLimited(state: GitHubState, caller: Caller, v: RateView): SandboxResponse {
  const who = caller.kind === 'token' ? `for user ID ${state.account(caller.login)?.id ?? 0}` : 'for 127.0.0.1';
  return ghError(
    state.primaryLimitStatus,
    `API rate limit exceeded ${who}. If you reach out to GitHub Support for help, please include the request ID.`,
    {
      ...commonHeaders(caller),
      ...rateHeaders({ ...v, remaining: 0 }),
    },
  );
}

/** The answer while a `rateLimit` fault window is open. */
export function rateLimitFaultResponse(
  fault: RateLimitFault,
  req: SandboxRequest,
  state: GitHubState,
  view?: RateView,
): SandboxResponse {
  const caller = callerOf(req, state);
  const resource = resourceOf(req.path);
  const v = view ?? rateView(state, identityOf(caller), resource);
  if (fault.limit === 'primary') {
    const reset = Math.ceil(fault.resetAt.getTime() / 1000);
    return primaryLimited(state, caller, { ...v, used: v.limit, remaining: 0, reset });
  }
  return ghError(
    state.primaryLimitStatus,
    'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
    { ...commonHeaders(caller), ...rateHeaders(v), 'retry-after': String(fault.retryAfter) },
  );
}

/** The content-creation limit: too many writes in a minute answer the secondary-limit 403 with `retry-after`. */
function secondaryLimited(req: SandboxRequest, state: GitHubState, caller: Caller, v: RateView): SandboxResponse | undefined {
  if (caller.kind !== 'token' || !['POST', 'PATCH', 'PUT', 'DELETE'].includes(req.method)) return undefined;
  const now = Date.now();
  const recent = (state.recentWrites.get(caller.login) ?? []).filter((t) => t > now - 60_000);
  if (recent.length >= state.writesPerMinute) {
    state.recentWrites.set(caller.login, recent);
    const retryAfter = Math.max(1, Math.ceil((recent[0]! + 60_000 - now) / 1000));
    return rateLimitFaultResponse({ limit: 'secondary', retryAfter, resetAt: new Date(now + retryAfter * 1000) }, req, state, v);
  }
  recent.push(now);
  state.recentWrites.set(caller.login, recent);
  return undefined;
}

/**
 * Runs a route as GitHub would: refuse a bad token (401), refuse when the primary limit is spent,
 * answer 304 for a matching If-None-Match without counting it, and count and label everything else.
 */
export async function around(
  req: SandboxRequest,
  ctx: EmulatorContext<GitHubState>,
  next: () => Promise<SandboxResponse>,
): Promise<SandboxResponse> {
  const state = ctx.state;
  const caller = callerOf(req, state);
  const identity = identityOf(caller);
  const resource = resourceOf(req.path);
  if (caller.kind === 'invalid') {
    return ghError(401, 'Bad credentials', { ...commonHeaders(caller), ...rateHeaders(rateView(state, 'anonymous', 'core')) });
  }
  // GET /rate_limit is free, as are the sandbox's stand-ins for GitHub's non-API hosts (raw, logs).
  const free = req.path === '/rate_limit' || (ctx.route?.operation?.startsWith('sandbox/') ?? false);
  const before = rateView(state, identity, resource);
  if (!free && before.remaining === 0) return primaryLimited(state, caller, before);
  const limited = secondaryLimited(req, state, caller, before);
  if (limited) return limited;

  const response = await next();
  const headers: Record<string, string | number | readonly string[]> = { ...commonHeaders(caller), ...(response.headers ?? {}) };
  const cacheable = (req.method === 'GET' || req.method === 'HEAD') && response.status === 200 && response.body !== undefined;
  if (cacheable) {
    const etag =
      (headers['etag'] as string | undefined) ??
      weakEtag({ body: response.body instanceof Buffer ? response.body.toString('base64') : response.body, identity });
    headers['etag'] = etag;
    headers['cache-control'] = caller.kind === 'token' ? 'private, max-age=60, s-maxage=60' : 'public, max-age=60, s-maxage=60';
    if (etagMatches(req.header('if-none-match'), etag)) {
      // A 304 is not counted against the primary limit (GitHub's documented behaviour).
      return { status: 304, headers: { ...headers, ...rateHeaders(before) } };
    }
  }
  const after = free || response.status === 304 ? before : count(state, identity, resource);
  return { ...response, headers: { ...headers, ...rateHeaders(after) } };
}

// ---- access ------------------------------------------------------------------------------

/** A repository the caller may see, or GitHub's 404 (a private repository without access is "Not Found"). */
export function readableRepo(req: SandboxRequest, state: GitHubState): Repo | SandboxResponse {
  const repo = state.repo(`${req.params['owner']}/${req.params['repo']}`);
  const caller = callerOf(req, state);
  const login = loginOf(caller);
  if (!repo || !state.canRead(login, repo)) return notFound();
  if (repo.private && caller.kind === 'token' && !caller.scopes.includes('repo')) return notFound();
  return repo;
}

/**
 * A repository the caller may write to. Without push access GitHub answers 404 for a private
 * repository and 403 for a public one; a token without the `repo`/`public_repo` scope gets 404
 * and `x-accepted-oauth-scopes` naming the scope.
 */
export function writableRepo(req: SandboxRequest, state: GitHubState): Repo | SandboxResponse {
  const repo = readableRepo(req, state);
  if (!isRepo(repo)) return repo;
  const caller = callerOf(req, state);
  if (caller.kind !== 'token') return ghError(401, 'Requires authentication');
  const scoped = caller.scopes.includes('repo') || (!repo.private && caller.scopes.includes('public_repo'));
  if (!scoped) return ghError(404, 'Not Found', { 'x-accepted-oauth-scopes': repo.private ? 'repo' : 'public_repo, repo' });
  if (!state.canPush(caller.login, repo)) return ghError(403, 'Must have push access to this repository.');
  return repo;
}

export function isRepo(x: Repo | SandboxResponse): x is Repo {
  return 'git' in x;
}

/** The caller's login, or GitHub's 401 for endpoints that need a user. */
export function requireUser(req: SandboxRequest, state: GitHubState): string | SandboxResponse {
  const caller = callerOf(req, state);
  return caller.kind === 'token' ? caller.login : ghError(401, 'Requires authentication');
}

// ---- paging ------------------------------------------------------------------------------

export interface PageOptions {
  /** Default page size (30 on most endpoints). */
  perPage?: number;
  /** Largest allowed page size (100 on most endpoints). */
  max?: number;
  /** Results beyond this cannot be reached (search: 1000). */
  cap?: number;
}

/** One page of `items` and its `Link` header (first/prev/next/last), GitHub style. */
export function paginate<T>(
  req: SandboxRequest,
  items: T[],
  options: PageOptions = {},
): { items: T[]; headers: Record<string, string> } {
  const max = options.max ?? 100;
  const requested = Number.parseInt(req.query.get('per_page') ?? '', 10);
  const perPage = Number.isFinite(requested) && requested > 0 ? Math.min(requested, max) : (options.perPage ?? 30);
  const askedPage = Number.parseInt(req.query.get('page') ?? '', 10);
  const page = Number.isFinite(askedPage) && askedPage > 0 ? askedPage : 1;
  const reachable = options.cap ? items.slice(0, options.cap) : items;
  const last = Math.max(1, Math.ceil(reachable.length / perPage));
  const slice = reachable.slice((page - 1) * perPage, page * perPage);
  const link = (p: number) => {
    const q = new URLSearchParams(req.query);
    q.set('per_page', String(perPage));
    q.set('page', String(p));
    return `<${req.baseUrl}${req.path}?${q.toString()}>`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`${link(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (page > 1) rels.push(`${link(1)}; rel="first"`);
  return { items: slice, headers: rels.length > 0 ? { link: rels.join(', ') } : {} };
}

/** A JSON list answer with its Link header. */
export function pagedJson<T>(
  req: SandboxRequest,
  items: T[],
  render: (item: T) => unknown,
  options?: PageOptions,
): SandboxResponse {
  const page = paginate(req, items, options);
  return jsonResponse(200, page.items.map(render), page.headers);
}

/** Whether the client asked for a media type (`application/vnd.github.diff`, `.raw`, `.v3.diff`). */
export function wants(req: SandboxRequest, format: 'diff' | 'patch' | 'raw' | 'object' | 'sha' | 'html'): boolean {
  const accept = req.header('accept') ?? '';
  return new RegExp(`application/vnd\\.github(\\.v3)?\\.${format}\\b`).test(accept);
}

export function mediaHeader(format: string): Record<string, string> {
  return { 'x-github-media-type': `github.v3; format=${format}` };
}

/** Raw bytes as `application/vnd.github.raw` answers them: text as text/plain, anything binary as octet-stream. */
export function rawResponse(bytes: Buffer): SandboxResponse {
  const binary = bytes.subarray(0, 8000).includes(0);
  return {
    status: 200,
    headers: {
      'content-type': binary ? 'application/octet-stream' : 'text/plain; charset=utf-8',
      'x-github-media-type': 'github.v3; param=raw',
    },
    body: bytes,
  };
}

/** `true`/`1` query flags as GitHub reads them. */
export function flag(req: SandboxRequest, name: string): boolean {
  const v = req.query.get(name);
  return v !== null && v !== '0' && v.toLowerCase() !== 'false';
}

/** Sorts newest first on a timestamp field, or by `sort`/`direction` when asked. */
export function sortBy<T>(items: T[], key: (item: T) => string | number, direction: 'asc' | 'desc'): T[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -sign : x > y ? sign : 0;
  });
}
