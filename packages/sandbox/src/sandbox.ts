/**
 * `startSandbox`: the library entry point. One service is served at the root of its own port;
 * several share one port under `/<name>` each, in one process (what a gateway embeds).
 */
import {
  type AnyEmulator,
  type EmulatorDefinition,
  type Exchange,
  type Logger,
  type Seed,
  ServiceHost,
  silentLogger,
  stderrLogger,
} from './core/emulator.js';
import type { FaultSet } from './core/faults.js';
import type { RequestLog } from './core/log.js';
import type { RouteInfo } from './core/router.js';
import { SandboxServer } from './core/server.js';
import { type KnownServices, loadService } from './services.js';

interface ServerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on (default `127.0.0.1`: the sandbox is for this machine only). */
  host?: string;
  /** Where warnings (unknown routes, handler errors) go: stderr by default, `false` for nowhere. */
  logger?: Logger | false;
  /** Also log every request through `logger.info`. */
  verbose?: boolean;
}

export interface StartOptions<S> extends ServerOptions {
  /** A registered service name (`github`) or an emulator definition. */
  service: string | EmulatorDefinition<S>;
  /** A named data set (default `demo`) or a function that fills an empty state. */
  seed?: string | Seed<S>;
}

export interface StartManyOptions extends ServerOptions {
  /** Several services on one port, each under `/<name>`. */
  services: readonly (string | AnyEmulator)[];
  /** The named seed every service starts from (default `demo`). */
  seed?: string;
}

/** One running service. */
export interface Sandbox<S> {
  /** The service's base URL (`http://127.0.0.1:N`, or `…/<name>` when sharing a port). */
  readonly url: string;
  /** The default credential the seed hands out. */
  readonly token: string;
  /** `NAME=value` pairs that point the service's connector here. */
  readonly env: Record<string, string>;
  /** The live state (a new object after `reset`). */
  readonly state: S;
  readonly faults: FaultSet;
  readonly log: RequestLog;
  /** Fresh state from `seed`, else the seed it started with; faults and log cleared. */
  reset(seed?: string | Seed<S>): void;
  /** The route table in the service's notation. */
  routes(): RouteInfo[];
  /** Receive every request/response pair with bodies (for fidelity checks); returns an unsubscribe. */
  tap(listener: (exchange: Exchange) => void): () => void;
  /** Stops the server (every service on it, when several share it). */
  close(): Promise<void>;
  /** The underlying host. */
  readonly host: ServiceHost<S>;
}

/** Several services sharing one server. */
export interface SandboxGroup {
  /** The server's origin; each service is at `${url}/<name>`. */
  readonly url: string;
  /** Every service's variables, merged. */
  readonly env: Record<string, string>;
  readonly services: Record<string, Sandbox<unknown>>;
  reset(): void;
  close(): Promise<void>;
}

export function startSandbox<K extends keyof KnownServices>(
  options: StartOptions<KnownServices[K]> & { service: K },
): Promise<Sandbox<KnownServices[K]>>;
export function startSandbox<S>(options: StartOptions<S>): Promise<Sandbox<S>>;
export function startSandbox(options: StartManyOptions): Promise<SandboxGroup>;
export async function startSandbox<S>(options: StartOptions<S> | StartManyOptions): Promise<Sandbox<S> | SandboxGroup> {
  const logger = options.logger === false ? silentLogger : (options.logger ?? stderrLogger);
  const server = new SandboxServer();
  const close = () => server.close();

  if ('service' in options) {
    const definition =
      typeof options.service === 'string' ? ((await loadService(options.service)) as EmulatorDefinition<S>) : options.service;
    const host = new ServiceHost(definition, {
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      logger,
      verbose: options.verbose ?? false,
    });
    server.mount('', host);
    await server.listen(options.port ?? 0, options.host);
    return view(host, close);
  }

  const hosts: ServiceHost<unknown>[] = [];
  for (const service of options.services) {
    const definition = typeof service === 'string' ? await loadService(service) : service;
    if (hosts.some((h) => h.name === definition.name)) throw new Error(`service ${definition.name} listed twice`);
    const host = new ServiceHost<unknown>(definition, {
      seed: options.seed ?? 'demo',
      logger,
      verbose: options.verbose ?? false,
    });
    server.mount(`/${definition.name}`, host);
    hosts.push(host);
  }
  await server.listen(options.port ?? 0, options.host);
  const services = Object.fromEntries(hosts.map((h) => [h.name, view(h, close)]));
  return {
    url: server.origin,
    get env() {
      return Object.assign({}, ...hosts.map((h) => h.env));
    },
    services,
    reset: () => {
      for (const h of hosts) h.reset();
    },
    close,
  };
}

function view<S>(host: ServiceHost<S>, close: () => Promise<void>): Sandbox<S> {
  return {
    get url() {
      return host.url;
    },
    get token() {
      return host.token;
    },
    get env() {
      return host.env;
    },
    get state() {
      return host.state;
    },
    faults: host.faults,
    log: host.log,
    reset: (seed) => host.reset(seed),
    routes: () => host.routes(),
    tap: (listener) => host.tap(listener),
    close,
    host,
  };
}
