/**
 * `serviceFetch` — the `fetch` a SaaS connector injects into its client library (Octokit's
 * `request.fetch`, Slack's `WebClient` `fetch`, gaxios' `fetchImplementation`). It repeats only
 * what is safe to repeat, waits out rate limits within a bound, and holds one rate-limit gate per
 * credential. It knows HTTP, not services: what "rate limited" and "resets at" look like for a
 * given service comes from the connector's `HttpServiceProfile`.
 */
import { isAbortError } from '../errors.js';
import { credentialKey, RateLimitedError, type RateLimitGates, sharedRateLimitGates } from './gate.js';
import { type HttpServiceProfile, rateLimitOf, retryAfterMs } from './profile.js';
import { redactUrl } from './url.js';

/**
 * How safe a request is to send twice.
 * - `safe`: no effect at all (GET, HEAD, OPTIONS; a read that a service sends as POST, like
 *   Slack's `conversations.history`): repeated after 429, 500, 502, 503, 504 and network errors.
 * - `idempotent`: the same effect however often it runs (PUT, DELETE, a request with an
 *   idempotency key): repeated after 429, 502, 503, 504 and network errors — not after a 500,
 *   which may mean the service applied part of it.
 * - `unsafe`: may act twice (POST, PATCH): never repeated. A rate-limited one still closes the gate.
 */
export type RequestKind = 'safe' | 'idempotent' | 'unsafe';

/** A request as the hooks see it. Headers are for deciding, never for logging. */
export interface RequestSummary {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
}

/** One wait before a repeat or before a gated request, for the log. No headers, no bodies. */
export interface RetryEvent {
  method: string;
  /** The URL with credentials and credential-like query values masked (`redactUrl`). */
  url: string;
  /** The attempt about to be made: 1 is the first repeat; 0 a first attempt held by the gate. */
  attempt: number;
  /** What caused the wait: a status, a network error, or the credential's closed gate. */
  cause: 'status' | 'network' | 'rate-limit-gate';
  status?: number;
  delayMs: number;
}

export interface ServiceFetchOptions extends HttpServiceProfile {
  /** The fetch to wrap (default: Node's global fetch). */
  fetch?: typeof fetch;
  /** Repeats after the first attempt. Default 3. */
  maxRetries?: number;
  /** First backoff in ms, doubled per repeat, with jitter (a random half of it). Default 500. */
  baseDelayMs?: number;
  /** Cap on one backoff, in ms. A Retry-After is honoured as given (within `maxWaitMs`). Default 8,000. */
  maxDelayMs?: number;
  /**
   * Total time one call may spend waiting (backoffs, Retry-After, a closed gate), in ms. Beyond it
   * the call does not wait: it returns the rate-limited response as it is (so the tool can say when
   * the limit resets), or, at a closed gate, throws `RateLimitedError` without sending. Default 10,000.
   */
  maxWaitMs?: number;
  /** A request carrying this header is `idempotent` (the service deduplicates it). Default `Idempotency-Key`; false to ignore. */
  idempotencyKeyHeader?: string | false;
  /**
   * Classify a request the method alone gets wrong: a read sent as POST (`safe`), a PATCH guarded
   * by `If-Match` (`idempotent`), a GET with side effects (`unsafe`). Undefined keeps the default.
   */
  requestKind?(request: RequestSummary): RequestKind | undefined;
  /**
   * The rate-limit gate a request belongs to. Default: the origin and a hash of the Authorization
   * header (`credential`). Return your own key when the quota is not per token: per method tier
   * (Slack: `` `${credential} ${request.url.pathname}` ``), or per account when the token rotates
   * (Google: the account's email). A string applies to every request.
   */
  gateKey?: string | ((request: RequestSummary, credential: string) => string);
  /** Where closed gates are kept. Default: one registry per process, shared by every serviceFetch. */
  gates?: RateLimitGates;
  /** Told about every wait (repeat or gate); log it. Carries no headers and no bodies. */
  onRetry?(event: RetryEvent): void;
}

/** Set on an error response that was repeated before being returned, so the error can say so. */
export const RETRIES_HEADER = 'x-patchbay-retries';

type FetchInput = Parameters<typeof fetch>[0];
type FetchInit = Parameters<typeof fetch>[1];

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const IDEMPOTENT_METHODS = new Set(['PUT', 'DELETE']);
const GATEWAY_ERRORS = new Set([502, 503, 504]);

/**
 * Make the `fetch` to hand to a client library. See `ServiceFetchOptions` for the policy; in short:
 * a request is repeated only when its kind allows it and its body can be sent again (never a
 * stream), with exponential backoff and jitter, honouring Retry-After and the profile's reset time,
 * never waiting longer than `maxWaitMs` in all, and stopping at once when the caller's signal aborts.
 */
export function serviceFetch(options: ServiceFetchOptions): typeof fetch {
  const base = options.fetch ?? globalThis.fetch;
  const maxRetries = options.maxRetries ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 8_000;
  const maxWaitMs = options.maxWaitMs ?? 10_000;
  const keyHeader = options.idempotencyKeyHeader === false ? undefined : (options.idempotencyKeyHeader ?? 'Idempotency-Key');
  const gates = options.gates ?? sharedRateLimitGates();

  const kindOf = (request: RequestSummary): RequestKind => {
    const custom = options.requestKind?.(request);
    if (custom) return custom;
    if (SAFE_METHODS.has(request.method)) return 'safe';
    if (IDEMPOTENT_METHODS.has(request.method)) return 'idempotent';
    if (keyHeader && request.headers.has(keyHeader)) return 'idempotent';
    return 'unsafe';
  };
  const gateOf = (request: RequestSummary): string => {
    const credential = credentialKey(request.url, request.headers);
    if (typeof options.gateKey === 'string') return options.gateKey;
    return options.gateKey ? options.gateKey(request, credential) : credential;
  };
  const backoff = (attempt: number): number => {
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  };

  const wrapped = async (input: FetchInput, init?: FetchInit): Promise<Response> => {
    const request = summarize(input, init);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    // A stream is consumed by the first attempt: it cannot be sent again, whatever the method.
    const kind = replayable(input, init) ? kindOf(request) : 'unsafe';
    const gate = gateOf(request);
    const log = (event: Omit<RetryEvent, 'method' | 'url'>) =>
      options.onRetry?.({ method: request.method, url: redactUrl(request.url), ...event });
    let waited = 0;

    for (let attempt = 0; ; attempt++) {
      const closedUntil = gates.closedUntil(gate);
      if (closedUntil !== undefined) {
        const delayMs = closedUntil - Date.now();
        if (waited + delayMs > maxWaitMs) throw new RateLimitedError(options.service, new Date(closedUntil));
        log({ attempt, cause: 'rate-limit-gate', delayMs });
        await sleep(delayMs, signal);
        waited += delayMs;
      }

      let response: Response;
      try {
        response = await base(input, init);
      } catch (error) {
        if (signal?.aborted || isAbortError(error)) throw error;
        // No answer. The request may have reached the service before the connection broke, so
        // only a request that is safe to run twice is sent again.
        const delayMs = backoff(attempt);
        if (kind === 'unsafe' || attempt >= maxRetries || waited + delayMs > maxWaitMs) throw error;
        log({ attempt: attempt + 1, cause: 'network', delayMs });
        await sleep(delayMs, signal);
        waited += delayMs;
        continue;
      }

      // A service that says "rate limited" only in the body needs the body to decide.
      let body: unknown;
      if (options.isRateLimited && response.status >= 400) [response, body] = await readErrorBody(response);
      const now = Date.now();
      const { limited, until } = rateLimitOf(options, { status: response.status, headers: response.headers, body }, now);
      if (until !== undefined) gates.close(gate, until, now);
      const repeatable =
        limited || GATEWAY_ERRORS.has(response.status) ? kind !== 'unsafe' : response.status === 500 && kind === 'safe';
      if (!repeatable) return withRetries(response, attempt);
      // A reset already past (the service's clock ahead of ours) is no reason to repeat at once.
      const delayMs =
        limited && until !== undefined && until > now ? until - now : (retryAfterMs(response.headers, now) ?? backoff(attempt));
      if (attempt >= maxRetries || waited + delayMs > maxWaitMs) return withRetries(response, attempt);
      log({ attempt: attempt + 1, cause: 'status', status: response.status, delayMs });
      // Free the connection: the body of a response we are not returning is never read.
      await response.body?.cancel().catch(() => undefined);
      await sleep(delayMs, signal);
      waited += delayMs;
    }
  };
  return wrapped as typeof fetch;
}

function summarize(input: FetchInput, init: FetchInit): RequestSummary {
  const isRequest = input instanceof Request;
  const method = (init?.method ?? (isRequest ? input.method : 'GET')).toUpperCase();
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  const headers = new Headers(init?.headers ?? (isRequest ? input.headers : undefined));
  return { method, url, headers };
}

/** Whether the body can be sent again: bytes and strings can, streams and iterables cannot. */
function replayable(input: FetchInput, init: FetchInit): boolean {
  const body: unknown = init && 'body' in init ? init.body : undefined;
  if (body === undefined || body === null) return !(input instanceof Request && input.body !== null);
  return (
    typeof body === 'string' ||
    body instanceof URLSearchParams ||
    body instanceof Blob ||
    body instanceof FormData ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body)
  );
}

const MAX_ERROR_BODY = 64 * 1024;

/**
 * Read a small JSON error body for the `isRateLimited` hook, and hand back a response that still
 * has it for the client library. Anything else (not JSON, declared larger than 64 KiB) is left unread.
 */
async function readErrorBody(response: Response): Promise<[Response, unknown]> {
  const type = response.headers.get('content-type') ?? '';
  // Error bodies are small; one without a length (chunked, compressed) is read as well.
  const length = Number(response.headers.get('content-length') ?? 0);
  if (!/\bjson\b/i.test(type) || length > MAX_ERROR_BODY) return [response, undefined];
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return [copyResponse(response, text, response.headers), body];
}

/** A response with the same status, URL and headers, and the given body (a fetch response's own parts are read-only). */
function copyResponse(response: Response, body: string | ReadableStream | null, headers: Headers): Response {
  const copy = new Response(body, { status: response.status, statusText: response.statusText, headers });
  Object.defineProperty(copy, 'url', { value: response.url });
  Object.defineProperty(copy, 'redirected', { value: response.redirected });
  return copy;
}

/**
 * Mark an error response that was repeated with how often, for `fromHttpError` ("failed after 3
 * retries"). A fetch response's headers are immutable, so this is a copy with the same body stream;
 * successes and unrepeated responses are returned untouched.
 */
function withRetries(response: Response, retries: number): Response {
  if (retries === 0 || response.status < 400) return response;
  const headers = new Headers(response.headers);
  headers.set(RETRIES_HEADER, String(retries));
  return copyResponse(response, response.body, headers);
}

function sleep(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    if (ms <= 0) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
