/**
 * HTTP failures as errors a model can act on. `httpToolError` writes the message for a status;
 * `fromHttpError` reads a client library's error (Octokit's `RequestError`, gaxios' `GaxiosError`,
 * Slack's `WebAPIPlatformError` / `WebAPIHTTPError` / `WebAPIRateLimitedError`, or anything with the
 * same fields) without importing those libraries, and is the body of a connector's `mapError`.
 */
import { isAbortError, isToolError, ToolError } from '../errors.js';
import { isRateLimitedError } from './gate.js';
import { describeReset, type HttpErrorFacts, type HttpServiceProfile, rateLimitOf, type StatusHints } from './profile.js';
import { RETRIES_HEADER } from './service-fetch.js';

export interface HttpErrorDetails extends HttpErrorFacts {
  /** The service as people call it: the subject of the message. */
  service: string;
  /** The environment variable(s) holding the credential, named by 401 (and 403, 404) advice. */
  credential?: string;
  /** Where to get or repair a credential: a URL or a command. */
  obtainAt?: string;
  /** Per-status advice replacing the default hint. */
  hints?: StatusHints;
  /** The tool argument at fault, when the connector knows which one. */
  argument?: string;
  cause?: unknown;
}

const UNSAFE_METHODS = new Set(['POST', 'PATCH']);

/**
 * The error for an HTTP status, written for the model: what happened, whether it is the request,
 * the credential or the service, and what to do.
 *
 * - 401: the credential is invalid or expired; which variable to fix and where to get one.
 * - 403: a permission or scope is missing (which one, when known).
 * - 404: not found *or* no access: both are said, since services hide private resources.
 * - 400/409/422: the service's own validation message and the field it names.
 * - 429, or `rateLimited` with any status: when the limit resets, as a time and in seconds. Never
 *   "permission denied".
 * - 5xx: the service failed, how often the call was retried, and — for a POST or PATCH, which is
 *   never repeated — that it may have taken effect.
 */
export function httpToolError(status: number, details: HttpErrorDetails): ToolError {
  const { message, hint } = describe(status, details);
  const override = details.hints?.[details.rateLimited ? 429 : status] ?? (status >= 500 ? details.hints?.['5xx'] : undefined);
  return new ToolError(message, {
    ...(details.argument ? { argument: details.argument } : {}),
    ...((override ?? hint) ? { hint: override ?? hint } : {}),
    cause: details.cause,
  });
}

function describe(status: number, d: HttpErrorDetails): { message: string; hint?: string } {
  const s = d.service;
  const said = d.message ? `: ${d.message}` : '';
  const credential = d.credential ?? `the ${s} credential`;
  if (status === 429 || d.rateLimited) {
    const when = d.retryAt !== undefined ? `; it resets at ${describeReset(d.retryAt)}` : '';
    return {
      message: `${s} rate limit reached for this credential (${status})${when}.`,
      hint:
        d.retryAt !== undefined
          ? 'Call again after that time; fewer or narrower calls use less of the limit.'
          : 'Wait a minute before calling again; fewer or narrower calls use less of the limit.',
    };
  }
  if (status === 401) {
    const where = d.obtainAt ? ` (from ${d.obtainAt})` : '';
    return {
      message: `${s} rejected the credential (401${said}): it is missing, invalid, expired or revoked.`,
      hint: `Set ${credential} to a valid one${where} and restart the server.`,
    };
  }
  if (status === 403) {
    const needed = d.permission ? `: it needs ${d.permission}` : '';
    return {
      message: `${s} refused this request (403${said}). The credential lacks a permission${needed}.`,
      hint: `Grant ${d.permission ?? 'that permission'} to ${credential}, or ask for something it may access.`,
    };
  }
  if (status === 404) {
    const what = d.resource ?? 'what was asked for';
    return {
      message: `${s} found nothing at ${what} (404${said}): either it does not exist, or it exists and ${credential} has no access to it.`,
      hint: 'Check the names and ids (spelling, owner, case); if it does exist, give the credential access to it.',
    };
  }
  if (status === 409) {
    return {
      message: `${s} refused the change because of a conflict (409${said}).`,
      hint: 'It changed since it was read, or its state does not allow this: read it again and act on what it is now.',
    };
  }
  if (status === 400 || status === 422) {
    const field = d.field ? ` in \`${d.field}\`` : '';
    return {
      message: `${s} rejected the request as invalid${field} (${status}${said}).`,
      hint: `Correct ${d.field ? `\`${d.field}\`` : 'the values it names'} and call again.`,
    };
  }
  if (status >= 500) {
    const retried = d.retries ? ` after ${d.retries} ${d.retries === 1 ? 'retry' : 'retries'}` : '';
    const write = d.method !== undefined && UNSAFE_METHODS.has(d.method.toUpperCase());
    return {
      message: `${s} failed (${status}${said})${retried}: the fault is on ${s}'s side, not in the request.`,
      hint: write
        ? `This ${d.method?.toUpperCase()} was not repeated, because a write that reached ${s} could be applied twice: check whether it took effect before calling again.`
        : 'Try again in a minute; if it keeps failing, the service may be having an outage.',
    };
  }
  return { message: `${s} refused the request (${status}${said}).` };
}

/**
 * Read a client library's error and map it with `httpToolError`; for a connector's `mapError`:
 *
 *     mapError: (error) => fromHttpError(error, github)
 *
 * Reads, along the error's cause chain (`cause`, Slack's `original`, gaxios' `error`):
 * a `RateLimitedError` from `serviceFetch`'s gate; the status (`response.status`, `statusCode`,
 * `status`); the headers (`response.headers` as `Headers` or a record, `headers`), for Retry-After,
 * the profile's `isRateLimited`/`resetAt`, and the retry count; the service's message
 * (`response.data.message`, `data.error`, Google's `error.message`, `errors[0].field`); the
 * method (`request.method`, `config.method`); Slack's `ok: false` body (`data.error`, `needed`)
 * and `retryAfter` seconds. Then the profile's `describeError` refines those facts.
 *
 * Returns undefined for what is not an HTTP failure (a cancellation, a bug), so the kit reports it
 * as a fault; a ToolError is returned as it is.
 */
export function fromHttpError(error: unknown, profile: HttpServiceProfile): ToolError | undefined {
  if (isToolError(error)) return error;
  const chain = causes(error);
  if (chain.some((e) => isAbortError(e) && (e as Error).name === 'AbortError')) return undefined;
  const read = readFacts(chain, profile);
  const facts: HttpErrorFacts = { ...read, ...profile.describeError?.(error, read) };
  const details: HttpErrorDetails = { ...facts, ...pick(profile), cause: error };
  if (facts.rateLimited) return httpToolError(facts.status ?? 429, details);
  if (facts.status !== undefined) return httpToolError(facts.status, details);
  if (facts.unreachable !== undefined) return unreachable(facts.unreachable, details);
  // An answer without a status the connector mapped (Slack's `ok: false` codes): still the
  // service's refusal, in its own words, not a fault.
  if (facts.message !== undefined && chain.some((e) => isBag(e) && isBag(e.data) && e.data.ok === false)) {
    const needed = facts.permission ? ` It needs ${facts.permission}.` : '';
    return new ToolError(`${profile.service} refused the request: ${facts.message}.${needed}`, { cause: error });
  }
  return undefined;
}

function pick(profile: HttpServiceProfile): Pick<HttpErrorDetails, 'service' | 'credential' | 'obtainAt' | 'hints'> {
  return {
    service: profile.service,
    ...(profile.credential ? { credential: profile.credential } : {}),
    ...(profile.obtainAt ? { obtainAt: profile.obtainAt } : {}),
    ...(profile.hints ? { hints: profile.hints } : {}),
  };
}

/** Failures before any connection was made: the request never left this machine. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function unreachable(code: string, d: HttpErrorDetails): ToolError {
  const write = d.method !== undefined && UNSAFE_METHODS.has(d.method.toUpperCase()) && !NEVER_CONNECTED.has(code);
  const hint = write
    ? `The ${d.method?.toUpperCase()} may have reached ${d.service} before the connection failed: check whether it took effect before calling again.`
    : `Check the network, any proxy, and the ${d.service} address the server was started with; then call again.`;
  return new ToolError(`Could not reach ${d.service} (${code}): no answer came back.`, { hint, cause: d.cause });
}

type Bag = Record<string, unknown>;
const isBag = (value: unknown): value is Bag => typeof value === 'object' && value !== null;

/** The error and what it wraps, outermost first, without cycles. */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (isBag(current) && !chain.includes(current) && chain.length < 8) {
    chain.push(current);
    current = current.cause ?? current.original ?? (current.error instanceof Error ? current.error : undefined);
  }
  if (chain.length === 0 && error !== undefined) chain.push(error);
  return chain;
}

const NETWORK_CODE = /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/;

function readFacts(chain: unknown[], profile: HttpServiceProfile): HttpErrorFacts {
  const facts: HttpErrorFacts = {};
  const gated = chain.find(isRateLimitedError);
  if (gated) return { status: 429, rateLimited: true, retryAt: gated.resetAt.getTime() };

  for (const e of chain) {
    if (!isBag(e)) continue;
    const response = isBag(e.response) ? e.response : undefined;
    facts.method ??= methodOf(e);
    if (facts.status === undefined) {
      const status = [response?.status, e.statusCode].find(isHttpStatus);
      if (status !== undefined) {
        facts.status = status;
        const headers = toHeaders(response?.headers ?? e.headers);
        const body = response?.data ?? e.body;
        const { limited, until } = rateLimitOf(profile, {
          status,
          headers,
          body: typeof body === 'string' ? parseJson(body) : body,
        });
        if (limited) facts.rateLimited = true;
        if (until !== undefined) facts.retryAt = until;
        const retries = Number(headers.get(RETRIES_HEADER));
        if (retries > 0) facts.retries = retries;
        Object.assign(facts, serviceWords(body));
      }
    }
    // Slack: `WebAPIRateLimitedError.retryAfter` (seconds), and the `ok: false` body on `data`.
    if (typeof e.retryAfter === 'number' && Number.isFinite(e.retryAfter)) {
      facts.rateLimited = true;
      facts.retryAt ??= Date.now() + e.retryAfter * 1000;
    }
    if (isBag(e.data) && e.data.ok === false) {
      if (typeof e.data.error === 'string') facts.message ??= e.data.error;
      if (typeof e.data.needed === 'string') facts.permission ??= e.data.needed;
    }
    if (facts.unreachable === undefined && !response) {
      const code = typeof e.code === 'string' && NETWORK_CODE.test(e.code) ? e.code : undefined;
      if (code) facts.unreachable = code;
      else if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'ConnectTimeoutError'))
        facts.unreachable = 'timeout';
    }
  }
  if (facts.status === undefined && facts.unreachable === undefined) {
    const outer = chain[0];
    if (chain.some((e) => e instanceof TypeError && e.message === 'fetch failed')) facts.unreachable = 'network error';
    // Octokit reports a request that got no answer as status 500 with the network error as its
    // cause: a status without a response counts only when no network error was found above.
    else if (isBag(outer) && isHttpStatus(outer.status)) facts.status = outer.status;
  }
  return facts;
}

function isHttpStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599;
}

function methodOf(e: Bag): string | undefined {
  for (const holder of [e.request, e.config]) {
    if (isBag(holder) && typeof holder.method === 'string') return holder.method.toUpperCase();
  }
  return undefined;
}

function toHeaders(value: unknown): Headers {
  if (value instanceof Headers) return value;
  const headers = new Headers();
  if (isBag(value)) {
    for (const [name, v] of Object.entries(value)) {
      if (typeof v === 'string' || typeof v === 'number') headers.set(name, String(v));
      else if (Array.isArray(v)) headers.set(name, v.join(', '));
    }
  }
  return headers;
}

/**
 * The service's own words from an error body: GitHub `{ message, errors: [{ field, code }] }`,
 * Google `{ error: { message, errors } }`, Slack `{ ok: false, error }`, or plain text. One line,
 * at most 300 characters; an HTML error page is not words. The library's own message ("Request
 * failed with status code 503") is not used: it says nothing the status does not.
 */
function serviceWords(body: unknown): Pick<HttpErrorFacts, 'message' | 'field'> {
  let text: string | undefined;
  let field: string | undefined;
  const data = typeof body === 'string' ? parseJson(body) : body;
  if (isBag(data)) {
    const inner = isBag(data.error) ? data.error : data;
    if (typeof inner.message === 'string') text = inner.message;
    else if (typeof data.error === 'string') text = data.error;
    const first = Array.isArray(inner.errors) ? inner.errors.find(isBag) : undefined;
    if (first) {
      if (typeof first.field === 'string') field = first.field;
      const detail = [first.field, first.code ?? (first.message !== text ? first.message : undefined)].filter(
        (p): p is string => typeof p === 'string',
      );
      if (detail.length) text = text ? `${text} (${detail.join(' ')})` : detail.join(' ');
    }
  } else if (typeof data === 'string') {
    text = data;
  }
  const words = text && !/^\s*</.test(text) ? oneLine(text) : undefined;
  return { ...(words ? { message: words } : {}), ...(field ? { field } : {}) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
