/**
 * A `fetch` for the SaaS connectors' client libraries (Octokit, Slack's WebClient, Google's
 * clients all accept one): retries rate limits and transient server errors with backoff, honours
 * `Retry-After` and `x-ratelimit-reset`, stops when the caller aborts, and never retries a request
 * whose body was a stream. Injected, never patched onto globals.
 */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries?: number;
  /** First backoff, doubled each time, in ms. */
  baseDelayMs?: number;
  /** A single wait longer than this is not waited for: the 429 is returned to the caller. */
  maxDelayMs?: number;
  onRetry?: (info: { attempt: number; status: number | 'network'; delayMs: number; url: string }) => void;
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);

export function retryingFetch(base: typeof fetch = fetch, policy: RetryPolicy = {}): typeof fetch {
  const retries = policy.retries ?? 3;
  const baseDelay = policy.baseDelayMs ?? 250;
  const maxDelay = policy.maxDelayMs ?? 30_000;
  return async (input, init) => {
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const replayable = !(init?.body instanceof ReadableStream);
    for (let attempt = 0; ; attempt++) {
      let response: Response | undefined;
      let failure: unknown;
      try {
        response = await base(input, init);
      } catch (error) {
        if (signal?.aborted) throw error;
        failure = error;
      }
      const status = response ? response.status : 'network';
      const retryable = response ? RETRY_STATUS.has(response.status) || isSecondaryRateLimit(response) : true;
      if (!retryable || attempt >= retries || !replayable) {
        if (response) return response;
        throw failure;
      }
      const delayMs = response ? waitFor(response, attempt, baseDelay) : baseDelay * 2 ** attempt;
      if (delayMs > maxDelay) {
        if (response) return response;
        throw failure;
      }
      policy.onRetry?.({ attempt: attempt + 1, status, delayMs, url });
      await response?.body?.cancel().catch(() => undefined);
      await sleep(delayMs, signal);
    }
  };
}

/** GitHub answers a secondary rate limit with 403 and a Retry-After or exhausted remaining. */
function isSecondaryRateLimit(response: Response): boolean {
  return (
    response.status === 403 && (response.headers.has('retry-after') || response.headers.get('x-ratelimit-remaining') === '0')
  );
}

function waitFor(response: Response, attempt: number, baseDelay: number): number {
  const retryAfter = response.headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  const reset = response.headers.get('x-ratelimit-reset');
  if (reset && response.headers.get('x-ratelimit-remaining') === '0') {
    return Math.max(0, Number(reset) * 1000 - Date.now());
  }
  return baseDelay * 2 ** attempt;
}

function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** Parse an RFC 8288 `Link` header into rel → URL (GitHub and Drive-style pagination). */
export function parseLinkHeader(header: string | null | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  if (!header) return links;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (match) for (const rel of (match[2] as string).split(/\s+/)) links[rel] = match[1] as string;
  }
  return links;
}
