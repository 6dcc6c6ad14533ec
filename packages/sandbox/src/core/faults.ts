/**
 * Fault injection. A fault is a rule — which requests (a route, a method, or all of them), what
 * goes wrong, for how many requests or how long — that tests add and remove through
 * `sandbox.faults` or `POST {base}/_sandbox/faults`. The emulator decides what its service's
 * error and rate-limit answers look like; this module only decides *when* they happen.
 */

/** What goes wrong. */
export type FaultAction =
  /** Answer with this status (the service's own error body for it unless `body` is given). */
  | { kind: 'error'; status?: number; body?: unknown }
  /** Wait before answering (combines with any other fault). */
  | { kind: 'latency'; ms: number }
  /**
   * Destroy the connection. `before`: the request is never processed (nothing changed);
   * `after`: it is processed and the answer is lost — the case that makes blind write retries unsafe.
   */
  | { kind: 'reset'; when?: 'before' | 'after' }
  /**
   * The service's rate-limit answer. `primary`: the quota is spent until the window ends;
   * `secondary`: the abuse/concurrency limit, with a `retry-after` of `retryAfter` seconds.
   */
  | { kind: 'rateLimit'; limit?: 'primary' | 'secondary'; retryAfter?: number }
  /** The route runs, but the body sent is cut short so it is not valid JSON. */
  | { kind: 'malformed' };

/** Which requests a fault applies to, and for how long. */
export interface FaultScope {
  /** A route pattern (`/repos/{owner}/{repo}/issues`) or operation id; omitted = every request to the service. */
  route?: string;
  /** Only this method (with `route`, or alone). */
  method?: string;
  /** Apply to this many matching requests, then expire. Omitted = until removed or `forMs` ends. */
  times?: number;
  /** Active for this long from when it is added (a rate-limit window). */
  forMs?: number;
}

export type FaultSpec = FaultAction & FaultScope;

export interface Fault {
  id: string;
  spec: FaultSpec;
  /** When the fault was added (ms since epoch). */
  addedAt: number;
  /** When it stops applying (ms since epoch), if it has a window. */
  until?: number;
  /** How many requests it has affected so far. */
  hits: number;
}

const KINDS = new Set(['error', 'latency', 'reset', 'rateLimit', 'malformed']);

/** Checks a fault spec from an untrusted source (the HTTP control API) and says what is wrong. */
export function validateFaultSpec(input: unknown): string[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return ['a fault must be a JSON object'];
  const spec = input as Record<string, unknown>;
  const problems: string[] = [];
  if (!KINDS.has(String(spec['kind'])))
    problems.push(`kind must be one of ${[...KINDS].join(', ')} (got ${JSON.stringify(spec['kind'])})`);
  const positive = (key: string, integer = true) => {
    const v = spec[key];
    if (v !== undefined && (typeof v !== 'number' || v < 0 || (integer && !Number.isInteger(v))))
      problems.push(`${key} must be a non-negative ${integer ? 'integer' : 'number'} (got ${JSON.stringify(v)})`);
  };
  positive('times');
  positive('forMs');
  positive('ms');
  positive('retryAfter');
  if (spec['status'] !== undefined && (typeof spec['status'] !== 'number' || spec['status'] < 100 || spec['status'] > 599))
    problems.push(`status must be an HTTP status 100-599 (got ${JSON.stringify(spec['status'])})`);
  if (spec['kind'] === 'latency' && typeof spec['ms'] !== 'number') problems.push('a latency fault needs ms');
  if (spec['when'] !== undefined && spec['when'] !== 'before' && spec['when'] !== 'after')
    problems.push('when must be "before" or "after"');
  if (spec['limit'] !== undefined && spec['limit'] !== 'primary' && spec['limit'] !== 'secondary')
    problems.push('limit must be "primary" or "secondary"');
  for (const key of ['route', 'method'])
    if (spec[key] !== undefined && typeof spec[key] !== 'string') problems.push(`${key} must be a string`);
  return problems;
}

/** The faults in force for one service. */
export class FaultSet {
  readonly #faults: Fault[] = [];
  #seq = 0;

  /** Adds a fault; returns it (its `id` removes it). */
  add(spec: FaultSpec): Fault {
    const problems = validateFaultSpec(spec);
    if (problems.length > 0) throw new TypeError(`invalid fault: ${problems.join('; ')}`);
    const now = Date.now();
    const fault: Fault = { id: `fault-${++this.#seq}`, spec: { ...spec }, addedAt: now, hits: 0 };
    if (spec.forMs !== undefined) fault.until = now + spec.forMs;
    this.#faults.push(fault);
    return fault;
  }

  remove(id: string): boolean {
    const index = this.#faults.findIndex((f) => f.id === id);
    if (index < 0) return false;
    this.#faults.splice(index, 1);
    return true;
  }

  clear(): void {
    this.#faults.length = 0;
  }

  /** The faults still in force, oldest first. */
  list(): Fault[] {
    this.#expire();
    return [...this.#faults];
  }

  /**
   * The faults that apply to one request, counted as hit. Every matching latency applies; of the
   * others only the oldest does (a request fails one way).
   * @internal used by the server
   */
  take(request: { method: string; route: string | null; operation: string | null }): Fault[] {
    this.#expire();
    const applied: Fault[] = [];
    let failure: Fault | undefined;
    for (const fault of this.#faults) {
      if (!matches(fault.spec, request)) continue;
      if (fault.spec.kind === 'latency') applied.push(fault);
      else if (!failure) failure = fault;
    }
    if (failure) applied.push(failure);
    for (const fault of applied) fault.hits++;
    this.#expire();
    return applied;
  }

  #expire(): void {
    const now = Date.now();
    for (let i = this.#faults.length - 1; i >= 0; i--) {
      const f = this.#faults[i]!;
      if ((f.spec.times !== undefined && f.hits >= f.spec.times) || (f.until !== undefined && now >= f.until))
        this.#faults.splice(i, 1);
    }
  }
}

function matches(spec: FaultSpec, request: { method: string; route: string | null; operation: string | null }): boolean {
  if (spec.method && spec.method.toUpperCase() !== request.method) return false;
  if (spec.route === undefined || spec.route === '*') return true;
  const wanted = spec.route.replace(/[+*]\}/g, '}');
  return wanted === request.route || wanted === request.operation;
}
