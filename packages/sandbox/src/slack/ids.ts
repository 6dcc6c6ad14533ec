/**
 * Slack's identifiers and timestamps. IDs are a type letter and upper-case alphanumerics
 * (`U024BE7LH`, `C061EG9SL`); a message's `ts` is `seconds.microseconds` with exactly six digits
 * after the dot, unique within its conversation and the message's identity everywhere (edits,
 * reactions, threads, permalinks). Cursors are opaque base64 strings, as Slack's are.
 */
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Mints IDs that look like Slack's (a prefix such as `U0`, then 8 characters) from a hash of a
 * name, so the same seed gives the same IDs every run and a client config keeps working.
 */
export class IdMint {
  readonly #used = new Set<string>();

  /** A new ID with this prefix, derived from `name` (a counter breaks the rare collision). */
  mint(prefix: string, name: string): string {
    for (let attempt = 0; ; attempt++) {
      const digest = createHash('sha256').update(`${prefix}:${name}:${attempt}`).digest();
      let id = prefix;
      for (let i = 0; id.length < prefix.length + 8; i++) id += ALPHABET[digest[i]! % ALPHABET.length];
      if (!this.#used.has(id)) {
        this.#used.add(id);
        return id;
      }
    }
  }

  /** Records an ID made elsewhere (a generated user), so `mint` never hands it out. */
  reserve(id: string): void {
    this.#used.add(id);
  }
}

/** A `ts` (`1712345678.000100`) as microseconds since the epoch, or undefined when malformed. */
export function parseTs(ts: string): number | undefined {
  const match = /^(\d{1,10})(?:\.(\d{1,6}))?$/.exec(ts.trim());
  if (!match) return undefined;
  return Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'));
}

/** Microseconds since the epoch as a `ts`. */
export function formatTs(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  return `${String(seconds).padStart(10, '0')}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

/**
 * The source of message timestamps: it follows real time at microsecond resolution but never
 * hands out the same or an earlier `ts` twice. A seed pins it to lay down history.
 */
export class TsClock {
  #last = 0;
  #pinned: number | undefined;

  /** The next `ts` in microseconds: now, strictly after the previous one. */
  nextMicros(): number {
    const base = this.#pinned ?? Math.floor((performance.timeOrigin + performance.now()) * 1000);
    const t = Math.max(base, this.#last + 1);
    this.#last = t;
    if (this.#pinned !== undefined) this.#pinned = t;
    return t;
  }

  next(): string {
    return formatTs(this.nextMicros());
  }

  /** Microseconds at `micros` or, when that is not after the last one handed out, just after it. */
  atLeastMicros(micros: number): number {
    const t = Math.max(Math.floor(micros), this.#last + 1);
    this.#last = t;
    return t;
  }

  /** Pins the clock (in ms since the epoch); later calls advance from there. */
  pin(ms: number): void {
    this.#pinned = ms * 1000;
  }

  /** Follows real time again. */
  resume(): void {
    this.#pinned = undefined;
  }

  /** Now in seconds (Slack's `created`, `updated`, `post_at` are whole seconds). */
  seconds(): number {
    return Math.floor((this.#pinned ?? Date.now() * 1000) / 1_000_000);
  }
}

/** Slack's cursors are base64 of `kind:key` (`next_ts:1512085861000543`, `user:U0G9WFXNZ`). */
export function encodeCursor(kind: string, key: string): string {
  return Buffer.from(`${kind}:${key}`, 'utf8').toString('base64');
}

/** The key of a cursor of this kind, or undefined when the cursor is not one this method made. */
export function decodeCursor(cursor: string, kind: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  const prefix = `${kind}:`;
  return text.startsWith(prefix) && text.length > prefix.length ? text.slice(prefix.length) : undefined;
}

/** A request id as Slack sends in `x-slack-req-id`. */
export function requestId(): string {
  return randomBytes(16).toString('hex');
}
