/**
 * `patchbay serve`: every chosen connector mounted in one process, each at `/<name>/mcp` over
 * stateless Streamable HTTP (any replica answers any request), or all of them as one stdio
 * server. A connector that cannot start is listed as unavailable and answers 503 with the
 * reason; the others serve.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@patchbay/kit';
import { createServer, type ServerInfo, type Serving, serveStdio } from '@patchbay/kit';
import { type Authenticated, type Endpoint, type RunningHttp, startHttp } from '@patchbay/kit/http';
import type { Mounted } from './mount.js';
import { mountConnector } from './mount.js';
import { createOAuth } from './oauth.js';
import { renderIndexPage } from './page.js';
import type { AnyRuntime, ConnectorEntry } from './registry.js';
import type { Launch } from './snippets.js';

export interface MountAllInput {
  entries: readonly ConnectorEntry[];
  perConnector: ReadonlyMap<string, readonly string[]>;
  sections: ReadonlyMap<string, Record<string, unknown>>;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  log: (line: string) => void;
  startDefaults?: boolean;
}

/** Mount every connector at once; every configuration problem of every connector, or the mounts. */
export async function mountAll(input: MountAllInput): Promise<{ mounted: Mounted[] } | { problems: string[] }> {
  const results = await Promise.all(
    input.entries.map((entry) =>
      mountConnector(entry, {
        argv: input.perConnector.get(entry.name) ?? [],
        env: input.env,
        ...(input.sections.has(entry.name) ? { config: input.sections.get(entry.name) } : {}),
        cwd: input.cwd,
        log: input.log,
        ...(input.startDefaults === false ? { startDefaults: false } : {}),
      }),
    ),
  );
  const problems = results.flatMap((r) => ('problems' in r ? r.problems : []));
  const mounted = results.flatMap((r) => ('mounted' in r ? [r.mounted] : []));
  if (problems.length) {
    await Promise.allSettled(mounted.map((m) => m.close()));
    return { problems };
  }
  return { mounted };
}

/** serverInfo and instructions: a demo says so, in both, before anything else. */
export function serverInfoOf(m: Mounted): ServerInfo {
  const def = m.runtime!.def;
  const demo = m.mode === 'sandbox' || (m.mode === 'embedded' && m.entry.name !== 'git');
  const title = `Patchbay ${def.title}${m.mode && m.mode !== 'live' ? ` (${m.mode}: ${m.label})` : ''}`;
  const banner = m.note
    ? `${demo ? 'DEMO — ' : ''}This server uses ${m.note}.${demo ? ' Say so when you report results: they are not the user\u2019s real data.' : ''}\n\n`
    : '';
  return { name: `patchbay-${def.name}`, title, version: def.version, instructions: `${banner}${def.instructions}` };
}

/** Instructions for several connectors on one server (stdio), each with its demo note. */
function combinedInfo(mounted: readonly Mounted[], version: string): ServerInfo {
  const parts = mounted.map((m) => `## ${m.runtime!.def.title}\n${serverInfoOf(m).instructions}`);
  const demos = mounted.filter((m) => m.mode === 'sandbox' || (m.mode === 'embedded' && m.entry.name !== 'git'));
  return {
    name: 'patchbay',
    title: `Patchbay (${mounted.map((m) => m.entry.name).join(', ')})${demos.length ? ' — includes demo data' : ''}`,
    version,
    instructions: parts.join('\n\n'),
  };
}

/**
 * A read-only view of a runtime, sharing its services: the server built from it offers the read
 * tools only, and a write tool called anyway is refused as under --read-only. For callers whose
 * token grants only `patchbay:<name>:read`.
 */
const readViews = new WeakMap<AnyRuntime, AnyRuntime>();
export function readOnlyView(runtime: AnyRuntime): AnyRuntime {
  let view = readViews.get(runtime);
  if (!view) {
    view = {
      ...runtime,
      settings: { ...runtime.settings, readOnly: true },
      tools: runtime.tools.filter((tool) => tool.access === 'read'),
    };
    readViews.set(runtime, view);
  }
  return view;
}

export interface HttpGatewayOptions {
  host: string;
  port: number;
  version: string;
  /** The base URL clients reach (default `http://<host>:<port>`). */
  publicUrl?: string | undefined;
  token?: string | undefined;
  oauth?: { issuer: string; jwksUri?: string | undefined; audiences: readonly string[] } | undefined;
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
  launches: (base: string) => ReadonlyMap<string, Launch>;
  log: Logger;
}

export interface HttpGateway {
  running: RunningHttp;
  /** `http://127.0.0.1:8931` (no trailing slash). */
  base: string;
}

export async function serveHttp(mounted: readonly Mounted[], options: HttpGatewayOptions): Promise<HttpGateway> {
  let base = options.publicUrl?.replace(/\/$/, '');
  const names = mounted.map((m) => m.entry.name);
  let oauth: ReturnType<typeof createOAuth> | undefined;
  const endpoints: Endpoint[] = mounted.map((m) => ({
    path: `/${m.entry.name}/mcp`,
    unavailable: () => m.unavailable(),
    newServer: (auth?: Authenticated) => {
      const runtime = m.runtime!;
      const access = auth?.extra?.access;
      return createServer(access === 'read' ? readOnlyView(runtime) : runtime, serverInfoOf(m));
    },
  }));
  let launches: ReadonlyMap<string, Launch> | undefined;
  const routes = (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    if (oauth?.route(req, res, url)) return true;
    if (url.pathname !== '/' && url.pathname !== '/index.html') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return true;
    }
    launches ??= options.launches(base!);
    const html = renderIndexPage({
      version: options.version,
      base: base!,
      mounted,
      launches,
      auth: oauth ? 'oauth' : options.token ? 'token' : 'none',
    });
    res
      .writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        // No script at all; styles inline; the icon is a data: URL.
        'content-security-policy':
          "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'",
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      })
      .end(req.method === 'HEAD' ? undefined : html);
    return true;
  };
  const running = await startHttp({
    host: options.host,
    port: options.port,
    token: options.token,
    ...(options.oauth
      ? {
          authenticate: (req, endpoint) => {
            if (!oauth) throw new Error('OAuth is not ready');
            return oauth.authenticate(req, endpoint);
          },
        }
      : {}),
    allowedHosts: options.allowedHosts,
    allowedOrigins: options.allowedOrigins,
    endpoints,
    routes,
    health: () => ({
      name: 'patchbay',
      version: options.version,
      connectors: Object.fromEntries(mounted.map((m) => [m.entry.name, m.unavailable() ? 'unavailable' : m.mode])),
    }),
    log: options.log,
  });
  base ??= new URL(running.url).origin;
  if (options.oauth) {
    oauth = createOAuth({
      issuer: options.oauth.issuer,
      jwksUri: options.oauth.jwksUri,
      audiences: options.oauth.audiences,
      base,
      connectors: names,
    });
  }
  return { running, base };
}

/** All mounted connectors as one stdio server; unavailable ones are left out (stderr says why). */
export async function serveStdioGateway(mounted: readonly Mounted[], version: string): Promise<Serving> {
  const serving = mounted.filter((m) => m.runtime && !m.unavailable());
  if (!serving.length) throw new Error('no connector could start; nothing to serve');
  const runtimes = serving.map((m) => m.runtime!);
  return serveStdio(runtimes, { info: combinedInfo(serving, version) });
}
