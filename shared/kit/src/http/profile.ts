/**
 * What a connector tells the kit about its HTTP service, once: its name, where its credential
 * comes from, and how *this* service says "rate limited" and "quota resets at". The same object
 * feeds `serviceFetch` (retries, the rate-limit gate) and `fromHttpError` (the error table), so a
 * connector never describes its service twice. Everything service-specific lives here, in the
 * connector; the kit only knows HTTP.
 */

/**
 * The part of a response the hooks may look at. `body` is the parsed JSON of an error response
 * (status 400 or more, JSON, at most 64 KiB) — for services that say "rate limited" only there
 * (Google: 403 with `reason: 'userRateLimitExceeded'`); it is undefined otherwise.
 */
export interface ResponseLike {
  readonly status: number;
  readonly headers: Headers;
  readonly body?: unknown;
}

/**
 * Advice per status that replaces the kit's default hint (`{ 403: 'Fine-grained tokens need …' }`);
 * `'5xx'` covers every server error.
 */
export type StatusHints = { readonly [status: number]: string | undefined; readonly '5xx'?: string };

export interface HttpServiceProfile {
  /** The service as people call it ("GitHub", "Slack", "Google Drive"): the subject of every message. */
  service: string;
  /**
   * The environment variable(s) holding the credential, named when the service rejects it (401):
   * `'GITHUB_PERSONAL_ACCESS_TOKEN (or GITHUB_TOKEN)'`.
   */
  credential?: string;
  /** Where to get or repair a credential: a URL or a command (`'patchbay-gdrive auth'`). */
  obtainAt?: string;
  /** Per-status advice replacing the kit's default hint. */
  hints?: StatusHints;
  /**
   * Whether this response is a rate-limit refusal. 429 always is; add what else your service uses
   * (GitHub: 403 with `x-ratelimit-remaining: 0` or a `retry-after`; Google: 403 whose body's
   * `error.errors[0].reason` is `rateLimitExceeded` or `userRateLimitExceeded`).
   */
  isRateLimited?(response: ResponseLike): boolean;
  /**
   * When the quota this response reports as used up resets (epoch ms or a Date), or undefined when
   * it is not used up. Called for every response, successes included: a 200 that spent the last
   * request of the quota closes the gate as well. GitHub:
   * `r.headers.get('x-ratelimit-remaining') === '0' ? Number(r.headers.get('x-ratelimit-reset')) * 1000 : undefined`.
   */
  resetAt?(response: ResponseLike): number | Date | undefined;
  /**
   * Refine what `fromHttpError` read from an error (a status for Slack's `ok: false` codes, the
   * missing scope, the field a validation error names). Return only what you change.
   */
  describeError?(error: unknown, facts: HttpErrorFacts): Partial<HttpErrorFacts> | undefined;
}

/** What an HTTP failure says, read from a client library's error (see `fromHttpError`). */
export interface HttpErrorFacts {
  /** The HTTP status, or the one the connector assigns (Slack `missing_scope` → 403). */
  status?: number;
  /** A rate-limit refusal, whatever its status (GitHub answers some with 403). */
  rateLimited?: boolean;
  /** When the limit resets, epoch ms. */
  retryAt?: number;
  /** The service's own words about the failure (validation text, error code). */
  message?: string;
  /** The request field the service names as wrong (a 422's `title`). */
  field?: string;
  /** The permission or scope that is missing (a 403's `repo`, Slack's `needed`). */
  permission?: string;
  /** What was asked for, for a 404: `'repository octo/hello'`. */
  resource?: string;
  /** The HTTP method, to tell whether a failed write may have been applied. */
  method?: string;
  /** How many times `serviceFetch` repeated the request before giving up. */
  retries?: number;
  /** No response at all: the network error's code (`ECONNREFUSED`, `ENOTFOUND`, `timeout`). */
  unreachable?: string;
}

/** A Retry-After header (delay-seconds or HTTP-date) as a delay in ms from `now`, or undefined. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Read a response the way the profile says: is it a rate-limit refusal, and until when is the
 * credential's quota spent (Retry-After first, then the connector's reset header)?
 */
export function rateLimitOf(
  profile: HttpServiceProfile,
  response: ResponseLike,
  now = Date.now(),
): {
  limited: boolean;
  until: number | undefined;
} {
  const limited = response.status === 429 || profile.isRateLimited?.(response) === true;
  const reset = profile.resetAt?.(response);
  const resetMs =
    reset instanceof Date ? reset.getTime() : typeof reset === 'number' && Number.isFinite(reset) ? reset : undefined;
  if (!limited) return { limited, until: resetMs !== undefined && resetMs > now ? resetMs : undefined };
  const after = retryAfterMs(response.headers, now);
  return { limited, until: after !== undefined ? now + after : resetMs };
}

/** `2025-06-01T12:00:00Z (in 42 s)`: a reset time as a person and a model both read it. */
export function describeReset(at: number, now = Date.now()): string {
  const iso = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `${iso} (in ${Math.max(0, Math.ceil((at - now) / 1000))} s)`;
}
