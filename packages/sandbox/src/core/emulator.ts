/**
 * An emulator is a definition — state, seeds, routes, and the service's own shapes for errors —
 * and a {@link ServiceHost} runs one: it owns the live state, the faults and the request log, and
 * turns an HTTP request into a route call with faults, logging and error shaping applied the same
 * way for every service.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Fault, FaultSet } from './faults.js';
import { BodyError, createRequest, encodeBody, type SandboxRequest, type SandboxResponse } from './http.js';
import { type LogEntry, RequestLog, redactQuery } from './log.js';
import { type RouteDefinition, type RouteInfo, Router } from './router.js';

/** What every route handler and hook receives besides the request. */
export interface EmulatorContext<S> {
  /** The live state (replaced on reset: read it from here, never keep it). */
  readonly state: S;
  /** The service's base URL as clients use it, e.g. `http://127.0.0.1:4010`. */
  readonly url: string;
  /** The route being served (null for an unknown route). */
  readonly route: RouteInfo | null;
}

export type Route<S> = RouteDefinition<EmulatorContext<S>>;

/** A seed fills an empty state: a named data set (`demo`) or one a test builds. */
export type Seed<S> = (state: S) => void;

/** The rate-limit window a `rateLimit` fault opened, for the emulator to render its service's answer. */
export interface RateLimitFault {
  limit: 'primary' | 'secondary';
  /** Seconds until a retry may succeed. */
  retryAfter: number;
  /** When the window ends. */
  resetAt: Date;
}

export interface EmulatorDefinition<S> {
  /** The service key: `github`, `slack`, `gdrive`. Also the CLI argument and the mount path. */
  name: string;
  title: string;
  /** An empty state. */
  createState(): S;
  /** Named data sets; `demo` is the one people trying Patchbay see. */
  seeds: { demo: Seed<S> } & Record<string, Seed<S>>;
  routes: readonly Route<S>[];
  /** The `NAME=value` pairs that point the service's connector at this sandbox. */
  env(url: string, state: S): Record<string, string>;
  /** The default credential (the one `env` hands out). */
  token(state: S): string;
  /** Who a request's credential belongs to, for the log: a login, `anonymous` or `invalid`. */
  identify(req: SandboxRequest, state: S): string;
  /**
   * Runs around every matched route: the place for the service's authentication, rate-limit
   * accounting and headers, and conditional requests. Omitted = the route is called directly.
   */
  around?(req: SandboxRequest, ctx: EmulatorContext<S>, next: () => Promise<SandboxResponse>): Promise<SandboxResponse>;
  /** The service's answer to a path it does not have. */
  notFound(req: SandboxRequest, ctx: EmulatorContext<S>): SandboxResponse;
  /** The service's answer for an injected error status. */
  errorResponse(status: number, req: SandboxRequest, ctx: EmulatorContext<S>): SandboxResponse;
  /** The service's answer while an injected rate-limit window is open. */
  rateLimitResponse(fault: RateLimitFault, req: SandboxRequest, ctx: EmulatorContext<S>): SandboxResponse;
  /** The service's answer to a body that is not valid JSON. */
  badBodyResponse(error: BodyError, req: SandboxRequest, ctx: EmulatorContext<S>): SandboxResponse;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds emulators of every state type
export type AnyEmulator = EmulatorDefinition<any>;

/** Declares an emulator (an identity function that checks the shape and keeps the state type). */
export function defineEmulator<S>(definition: EmulatorDefinition<S>): EmulatorDefinition<S> {
  if (!/^[a-z][a-z0-9-]*$/.test(definition.name))
    throw new Error(`emulator name "${definition.name}" must be lower-case letters, digits, -`);
  if (!definition.seeds.demo) throw new Error(`emulator ${definition.name} has no demo seed`);
  return definition;
}

/** One request/response pair with bodies, for fidelity checks (authorization headers redacted). */
export interface Exchange {
  service: string;
  route: RouteInfo | null;
  params: Record<string, string>;
  request: {
    method: string;
    path: string;
    query: URLSearchParams;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  };
  response: { status: number; headers: Record<string, string | number | readonly string[]>; body: Buffer };
  /** Kinds of the faults applied (a `malformed` body is broken on purpose). */
  faults: string[];
}

/** A raw incoming request, already read, handed to a service by the server. */
export interface IncomingCall {
  method: string;
  /** Path relative to the mount. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** What the server must do with the answer. */
export type Outcome =
  | { kind: 'respond'; status: number; headers: Record<string, string | number | readonly string[]>; body: Buffer }
  | { kind: 'reset' };

export interface Logger {
  info(line: string): void;
  warn(line: string): void;
}

export const stderrLogger: Logger = {
  info: (line) => process.stderr.write(`${line}\n`),
  warn: (line) => process.stderr.write(`${line}\n`),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {} };

export interface ServiceHostOptions<S> {
  seed?: string | Seed<S>;
  logger?: Logger;
  /** Also log every request (method, path, status, identity) through `logger.info`. */
  verbose?: boolean;
}

/** A running emulator: live state, faults, request log. Mounted by a {@link SandboxServer}. */
export class ServiceHost<S> {
  readonly definition: EmulatorDefinition<S>;
  readonly faults = new FaultSet();
  readonly log = new RequestLog();
  readonly router: Router<EmulatorContext<S>>;
  /** Set by the server when it mounts the service. */
  url = '';
  #state: S;
  #seed: string | Seed<S>;
  readonly #startSeed: string | Seed<S>;
  readonly #logger: Logger;
  readonly #verbose: boolean;
  readonly #taps = new Set<(exchange: Exchange) => void>();

  constructor(definition: EmulatorDefinition<S>, options: ServiceHostOptions<S> = {}) {
    this.definition = definition;
    this.router = new Router(definition.routes);
    this.#seed = options.seed ?? 'demo';
    this.#startSeed = this.#seed;
    this.#logger = options.logger ?? stderrLogger;
    this.#verbose = options.verbose ?? false;
    this.#state = this.#build(this.#seed);
  }

  get name(): string {
    return this.definition.name;
  }

  /** The live state. A new object after `reset()`. */
  get state(): S {
    return this.#state;
  }

  /** The seed's name (`custom` for a function seed). */
  get seedName(): string {
    return typeof this.#seed === 'string' ? this.#seed : 'custom';
  }

  get token(): string {
    return this.definition.token(this.#state);
  }

  get env(): Record<string, string> {
    return this.definition.env(this.url, this.#state);
  }

  /**
   * Fresh state, no faults, an empty log. From `seed` when given, else from the seed the service
   * started with (so an `afterEach(reset)` always returns to the same data).
   */
  reset(seed?: string | Seed<S>): void {
    const next = seed ?? this.#startSeed;
    this.#state = this.#build(next);
    this.#seed = next;
    this.faults.clear();
    this.log.clear();
  }

  /** The route table, in the service's notation. */
  routes(): RouteInfo[] {
    return this.router.list();
  }

  /** Receives every request/response pair with bodies; returns a function that stops it. */
  tap(listener: (exchange: Exchange) => void): () => void {
    this.#taps.add(listener);
    return () => this.#taps.delete(listener);
  }

  #build(seed: string | Seed<S>): S {
    const state = this.definition.createState();
    const fill = typeof seed === 'string' ? this.definition.seeds[seed] : seed;
    if (!fill)
      throw new Error(`${this.name}: no seed named "${String(seed)}" (known: ${Object.keys(this.definition.seeds).join(', ')})`);
    fill(state);
    return state;
  }

  /** Serves one request: faults, route or not-found, logging. */
  async handle(call: IncomingCall): Promise<Outcome> {
    const started = Date.now();
    const match = this.router.match(call.method, call.path);
    const info = match?.info ?? null;
    const req = createRequest({ ...call, params: match?.params ?? {}, baseUrl: this.url });
    const ctx = this.#context(info);
    let identity: string;
    try {
      identity = this.definition.identify(req, this.#state);
    } catch {
      identity = 'invalid';
    }
    const faults = this.faults.take({
      method: req.method === 'HEAD' ? 'GET' : req.method,
      route: info?.path ?? null,
      operation: info?.operation ?? null,
    });
    const record = (status: number) => this.#record({ call, info, status, identity, started, faults, unknown: !match });

    for (const fault of faults) if (fault.spec.kind === 'latency') await sleep(fault.spec.ms);
    const failure = faults.find((f) => f.spec.kind !== 'latency');

    if (failure?.spec.kind === 'reset' && failure.spec.when !== 'after') {
      record(0);
      return { kind: 'reset' };
    }

    let response: SandboxResponse;
    if (failure?.spec.kind === 'error') {
      response =
        failure.spec.body !== undefined
          ? {
              status: failure.spec.status ?? 500,
              headers: { 'content-type': 'application/json; charset=utf-8' },
              body: failure.spec.body,
            }
          : this.definition.errorResponse(failure.spec.status ?? 500, req, ctx);
    } else if (failure?.spec.kind === 'rateLimit') {
      response = this.definition.rateLimitResponse(rateLimitOf(failure), req, ctx);
    } else if (!match) {
      response = this.definition.notFound(req, ctx);
      this.#logger.warn(
        `sandbox[${this.name}]: UNKNOWN ROUTE ${call.method} ${call.path} → ${response.status}. The ${this.definition.title} emulator does not serve this; add a route (and its spec test) if the connector needs it.`,
      );
    } else {
      response = await this.#run(req, ctx, match.route.handler);
    }

    if (failure?.spec.kind === 'reset') {
      record(0);
      return { kind: 'reset' };
    }

    let body = req.method === 'HEAD' ? Buffer.alloc(0) : encodeBody(response.body);
    if (failure?.spec.kind === 'malformed') body = truncate(body);
    const headers = { ...(response.headers ?? {}) };
    if (body.length > 0 && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json; charset=utf-8';
    record(response.status);
    if (this.#taps.size > 0) {
      const exchange: Exchange = {
        service: this.name,
        route: info,
        params: match?.params ?? {},
        request: {
          method: call.method,
          path: call.path,
          query: call.query,
          headers: redactHeaders(call.headers),
          body: call.body,
        },
        response: { status: response.status, headers, body },
        faults: faults.map((f) => f.spec.kind),
      };
      for (const listener of this.#taps) listener(exchange);
    }
    return { kind: 'respond', status: response.status, headers, body };
  }

  async #run(req: SandboxRequest, ctx: EmulatorContext<S>, handler: Route<S>['handler']): Promise<SandboxResponse> {
    const next = async () => handler(req, ctx);
    try {
      return await (this.definition.around ? this.definition.around(req, ctx, next) : next());
    } catch (error) {
      if (error instanceof BodyError) return this.definition.badBodyResponse(error, req, ctx);
      // A handler bug: answer as the service does for a 500, and say where it came from.
      this.#logger.warn(`sandbox[${this.name}]: ${req.method} ${req.path} threw: ${(error as Error).stack ?? String(error)}`);
      return this.definition.errorResponse(500, req, ctx);
    }
  }

  #context(route: RouteInfo | null): EmulatorContext<S> {
    const host = this;
    return {
      get state() {
        return host.#state;
      },
      url: this.url,
      route,
    };
  }

  #record(r: {
    call: IncomingCall;
    info: RouteInfo | null;
    status: number;
    identity: string;
    started: number;
    faults: Fault[];
    unknown: boolean;
  }): LogEntry {
    const entry = this.log.append({
      at: new Date(r.started).toISOString(),
      service: this.name,
      method: r.call.method,
      path: r.call.path,
      query: redactQuery(r.call.query),
      route: r.info?.path ?? null,
      operation: r.info?.operation ?? null,
      status: r.status,
      identity: r.identity,
      durationMs: Date.now() - r.started,
      ...(r.faults.length > 0 ? { faults: r.faults.map((f) => f.spec.kind) } : {}),
      ...(r.unknown ? { unknown: true as const } : {}),
    });
    if (this.#verbose)
      this.#logger.info(
        `${this.name} ${entry.method} ${entry.path} ${entry.status || 'RESET'} ${entry.identity} ${entry.durationMs}ms${entry.faults ? ` faults=${entry.faults.join(',')}` : ''}`,
      );
    return entry;
  }
}

function rateLimitOf(fault: Fault): RateLimitFault {
  const spec = fault.spec as Extract<Fault['spec'], { kind: 'rateLimit' }>;
  const limit = spec.limit ?? 'primary';
  const windowEnd = fault.until ?? Date.now() + (spec.retryAfter ?? 60) * 1000;
  const retryAfter = spec.retryAfter ?? Math.max(1, Math.ceil((windowEnd - Date.now()) / 1000));
  return { limit, retryAfter, resetAt: new Date(Math.max(windowEnd, Date.now() + retryAfter * 1000)) };
}

/** A body cut in the middle (and never empty), so a JSON parser fails on it. */
function truncate(body: Buffer): Buffer {
  if (body.length < 2) return Buffer.from('{"');
  return body.subarray(0, Math.floor(body.length / 2));
}

function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[] | undefined> {
  const out = { ...headers };
  for (const key of Object.keys(out)) if (/^(authorization|cookie|proxy-authorization)$/i.test(key)) out[key] = '[redacted]';
  return out;
}
