/**
 * One rate-limit gate per credential. When a service says a credential's quota is spent until T,
 * every later request with that credential waits for T (within its bound) or fails at once with a
 * `RateLimitedError` — instead of each request finding out again by hammering the service.
 */
import { createHash } from 'node:crypto';
import { describeReset } from './profile.js';

const RATE_LIMITED = Symbol.for('patchbay.RateLimitedError');

/**
 * A request that was not sent because its credential's quota is spent until `resetAt` and waiting
 * that long is beyond the call's bound. `fromHttpError` turns it into "rate limit; resets at …".
 * Client libraries wrap what a fetch throws (Octokit's `RequestError.cause`, Slack's
 * `WebAPIRequestError.original`, gaxios' `GaxiosError.cause`): look for it with `isRateLimitedError`
 * along the cause chain, as `fromHttpError` does.
 */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  /** A brand that survives two copies of the kit in one process. */
  readonly [RATE_LIMITED] = true;
  readonly status = 429;

  constructor(
    readonly service: string,
    readonly resetAt: Date,
  ) {
    super(`${service} rate limit for this credential: requests are held until ${describeReset(resetAt.getTime())}; not sent.`);
  }
}

export function isRateLimitedError(error: unknown): error is RateLimitedError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[RATE_LIMITED] === true;
}

/** Closed gates by key (a credential, or a credential and a method tier): key → epoch ms. */
export class RateLimitGates {
  readonly #until = new Map<string, number>();

  /** When the gate for `key` opens again, or undefined when it is open. */
  closedUntil(key: string, now = Date.now()): number | undefined {
    const until = this.#until.get(key);
    if (until === undefined) return undefined;
    if (until <= now) {
      this.#until.delete(key);
      return undefined;
    }
    return until;
  }

  /** Hold requests with `key` until `until` (epoch ms). A later reset never shortens a wait. */
  close(key: string, until: number, now = Date.now()): void {
    if (until <= now) return;
    if ((this.#until.get(key) ?? 0) < until) this.#until.set(key, until);
    // Expired gates are dropped when read; sweep now and then so a long-lived process with many
    // per-user credentials does not keep them all.
    if (this.#until.size > 256) for (const [k, t] of this.#until) if (t <= now) this.#until.delete(k);
  }

  /** Open every gate (tests, or an operator who rotated the credential). */
  clear(): void {
    this.#until.clear();
  }
}

// One registry per process, even when two copies of the kit are loaded (a gateway hosting
// connectors bundled separately): one credential's quota is one quota.
const SHARED = Symbol.for('patchbay.rateLimitGates');
const registry = globalThis as Record<symbol, unknown>;

/** The process-wide gates `serviceFetch` uses unless given its own. */
export function sharedRateLimitGates(): RateLimitGates {
  const existing = registry[SHARED] as Partial<RateLimitGates> | undefined;
  // Duck-typed: another copy's class is a different constructor with the same methods.
  if (typeof existing?.closedUntil === 'function' && typeof existing.close === 'function') return existing as RateLimitGates;
  const gates = new RateLimitGates();
  registry[SHARED] = gates;
  return gates;
}

/**
 * The default gate key: the service's origin and a hash of the Authorization header, so the token
 * itself is never kept (nor logged). Requests without one share the origin's anonymous gate.
 */
export function credentialKey(url: URL, headers: Headers): string {
  const authorization = headers.get('authorization');
  const id = authorization ? createHash('sha256').update(authorization).digest('base64url').slice(0, 22) : 'anonymous';
  return `${url.origin} ${id}`;
}
