/**
 * The request log tests assert on: what was asked (method, path, query), which route served it,
 * what was answered, and *who* asked — the identity the token resolves to, never the token. Query
 * parameters that carry credentials (Slack accepts `token=`, OAuth `client_secret=`) are redacted.
 */
import { queryObject } from './http.js';

export interface LogEntry {
  /** Position in the log, from 1; survives `clear()` so `since` filters keep working. */
  seq: number;
  /** ISO time the request arrived. */
  at: string;
  service: string;
  method: string;
  /** Path relative to the service mount, without the query. */
  path: string;
  query: Record<string, string | string[]>;
  /** The route that served it in the service's notation, or null for an unknown route. */
  route: string | null;
  operation: string | null;
  /** Status sent; 0 when the connection was reset instead. */
  status: number;
  /** Who the credential belongs to (`octocat`), `anonymous`, or `invalid` — never the credential. */
  identity: string;
  durationMs: number;
  /** The kinds of faults applied, when any were. */
  faults?: string[];
  /** Set when no route matched: the service answered its "not found", the sandbox does not emulate it. */
  unknown?: true;
}

export interface LogFilter {
  method?: string;
  /** Exact route pattern (`/repos/{owner}/{repo}/issues`) or operation id. */
  route?: string;
  /** Exact request path. */
  path?: string;
  status?: number;
  identity?: string;
  unknown?: boolean;
  /** Entries after this sequence number. */
  since?: number;
}

const SECRET_QUERY_KEYS = /^(token|access_token|client_secret|refresh_token|code|key|api_key|password|assertion)$/i;

/** Replaces credential-bearing query values with `[redacted]`. */
export function redactQuery(query: URLSearchParams): Record<string, string | string[]> {
  const out = queryObject(query);
  for (const key of Object.keys(out)) if (SECRET_QUERY_KEYS.test(key)) out[key] = '[redacted]';
  return out;
}

export class RequestLog {
  readonly #entries: LogEntry[] = [];
  readonly #capacity: number;
  #seq = 0;

  /** Keeps the newest `capacity` entries, so a sandbox left running for days stays small. */
  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  /** @internal the server appends; tests read. */
  append(entry: Omit<LogEntry, 'seq'>): LogEntry {
    const full: LogEntry = { seq: ++this.#seq, ...entry };
    this.#entries.push(full);
    if (this.#entries.length > this.#capacity) this.#entries.splice(0, this.#entries.length - this.#capacity);
    return full;
  }

  /** Entries, oldest first, optionally filtered. */
  entries(filter: LogFilter = {}): LogEntry[] {
    return this.#entries.filter(
      (e) =>
        (filter.method === undefined || e.method === filter.method.toUpperCase()) &&
        (filter.route === undefined || e.route === filter.route || e.operation === filter.route) &&
        (filter.path === undefined || e.path === filter.path) &&
        (filter.status === undefined || e.status === filter.status) &&
        (filter.identity === undefined || e.identity === filter.identity) &&
        (filter.unknown === undefined || Boolean(e.unknown) === filter.unknown) &&
        (filter.since === undefined || e.seq > filter.since),
    );
  }

  /** Requests no route served: each is a gap in the emulator. */
  unknownRoutes(): LogEntry[] {
    return this.entries({ unknown: true });
  }

  last(): LogEntry | undefined {
    return this.#entries[this.#entries.length - 1];
  }

  /** The sequence number of the newest entry (0 when none): pass it as `since` later. */
  get mark(): number {
    return this.#seq;
  }

  clear(): void {
    this.#entries.length = 0;
  }
}
