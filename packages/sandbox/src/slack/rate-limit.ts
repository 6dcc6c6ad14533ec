/**
 * Slack's rate limits: each Web API method has a tier, an allowance of calls per minute per app
 * per workspace (Tier 1: 1+, Tier 2: 20+, Tier 3: 50+, Tier 4: 100+), and `chat.postMessage` is
 * limited per channel (about one message a second, short bursts allowed). A call over the
 * allowance is answered HTTP 429 with `Retry-After` in seconds and `{"ok":false,"error":"ratelimited"}`.
 *
 * The sandbox counts real requests in sliding windows. Tests make the windows small
 * (`windowMs: 1000`) or the allowances tiny to see the 429 without waiting a minute.
 */

export type Tier = 1 | 2 | 3 | 4;

export interface RateLimitSettings {
  /** Off: no request is ever limited (injected `rateLimit` faults still apply). */
  enabled: boolean;
  /** Length of the tier window in ms (Slack: a minute). */
  windowMs: number;
  /** Calls allowed per window, by tier. */
  tiers: Record<Tier, number>;
  /** Calls allowed per window for one method, overriding its tier (`{ 'users.list': 2 }`). */
  methods: Record<string, number>;
  /** `chat.postMessage` per channel: `limit` messages per `windowMs`. */
  postMessage: { limit: number; windowMs: number };
}

/** Slack's published allowances. */
export function slackRateLimits(): RateLimitSettings {
  return {
    enabled: true,
    windowMs: 60_000,
    tiers: { 1: 1, 2: 20, 3: 50, 4: 100 },
    methods: {},
    // "1 per second per channel, short bursts allowed": three in three seconds.
    postMessage: { limit: 3, windowMs: 3_000 },
  };
}

/** Sliding windows of request times, one per key (`app:method`, `app:chat.postMessage:C…`). */
export class SlidingWindows {
  readonly #hits = new Map<string, number[]>();

  /**
   * Counts a request against `key` if the window has room and returns undefined; otherwise
   * returns the whole seconds until it will have room (at least 1), and counts nothing.
   */
  take(key: string, limit: number, windowMs: number, now = Date.now()): number | undefined {
    let hits = this.#hits.get(key);
    if (!hits) {
      hits = [];
      this.#hits.set(key, hits);
    }
    while (hits.length > 0 && hits[0]! <= now - windowMs) hits.shift();
    if (limit <= 0) return Math.max(1, Math.ceil(windowMs / 1000));
    if (hits.length < limit) {
      hits.push(now);
      return undefined;
    }
    const freeAt = hits[hits.length - limit]! + windowMs;
    return Math.max(1, Math.ceil((freeAt - now) / 1000));
  }

  clear(): void {
    this.#hits.clear();
  }
}

/** Thrown by a method (chat.postMessage per channel) to answer 429. */
export class RateLimited extends Error {
  override readonly name = 'RateLimited';
  constructor(readonly retryAfter: number) {
    super(`rate limited; retry after ${retryAfter}s`);
  }
}
