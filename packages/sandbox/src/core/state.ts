/**
 * Building blocks for emulator state that behave like a real service's: ids that only grow,
 * entity tags that change exactly when the content changes, and timestamps from a clock that
 * never goes backwards (two writes in the same millisecond still get ordered times).
 */
import { createHash } from 'node:crypto';

/** Monotonic integer ids, one sequence per kind of object. */
export class IdSequence {
  #next: number;

  constructor(start = 1) {
    this.#next = start;
  }

  next(): number {
    return this.#next++;
  }

  /** The id the next call would return (nothing is consumed). */
  peek(): number {
    return this.#next;
  }
}

/**
 * A clock for timestamps. It follows real time, but never returns the same or an earlier instant
 * twice, so "updated after created" and "newest first" orderings hold even for back-to-back writes.
 * A seed can start it in the past (`at`) to lay down history, then `resume()` real time.
 */
export class Clock {
  #last = 0;
  #fixed: number | undefined;

  /** Now, strictly after the previous call. */
  now(): Date {
    const base = this.#fixed ?? Date.now();
    const t = Math.max(base, this.#last + 1);
    this.#last = t;
    if (this.#fixed !== undefined) this.#fixed = t;
    return new Date(t);
  }

  /** Pin the clock to an instant (seeds use this to write history); later calls advance from it. */
  at(instant: Date | string | number): this {
    const t = new Date(instant).getTime();
    this.#fixed = t;
    this.#last = Math.min(this.#last, t - 1);
    return this;
  }

  /** Advance a pinned clock by `ms`. */
  advance(ms: number): Date {
    this.#fixed = (this.#fixed ?? Date.now()) + ms;
    return this.now();
  }

  /** Follow real time again. */
  resume(): this {
    this.#fixed = undefined;
    return this;
  }
}

/** `2024-05-01T12:00:00Z`: ISO 8601 in UTC to the second, as GitHub and most REST APIs write it. */
export function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** A strong entity tag over the bytes sent: it changes exactly when the representation changes. */
export function strongEtag(content: Buffer | string): string {
  return `"${createHash('sha256').update(content).digest('hex').slice(0, 32)}"`;
}

/** A weak entity tag (`W/"…"`) over a JSON value, as services give for generated JSON. */
export function weakEtag(value: unknown): string {
  return `W/${strongEtag(typeof value === 'string' ? value : JSON.stringify(value))}`;
}

/** Whether an `If-None-Match` header matches a tag (weak comparison, lists and `*` honoured). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((candidate) => candidate.trim() === '*' || bare(candidate) === bare(etag));
}

/** A deterministic token-like string: the same seed and name give the same credential every run. */
export function deterministicSecret(prefix: string, name: string, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  let counter = 0;
  while (out.length < length) {
    const digest = createHash('sha256').update(`patchbay-sandbox:${name}:${counter++}`).digest();
    for (const byte of digest) {
      if (out.length === length) break;
      out += alphabet[byte % alphabet.length];
    }
  }
  return prefix + out;
}
