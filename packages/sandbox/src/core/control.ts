/**
 * The control API, under `{service url}/_sandbox/`, for tests and tools outside the process:
 *
 *   GET    /_sandbox               service, seed, url, number of routes
 *   GET    /_sandbox/routes        the route table
 *   POST   /_sandbox/reset         fresh state ({"seed": "demo"} optional), faults and log cleared
 *   GET    /_sandbox/log           request log (?since=seq&unknown=1&route=…&status=…)
 *   DELETE /_sandbox/log
 *   GET    /_sandbox/faults        faults in force
 *   POST   /_sandbox/faults        add one (a FaultSpec as JSON) → 201 {fault}
 *   DELETE /_sandbox/faults        remove all
 *   DELETE /_sandbox/faults/{id}   remove one
 *
 * Control calls are not logged, not faulted and need no credential: the sandbox listens on
 * loopback and holds only made-up data.
 */
import type { EmulatorContext, ServiceHost } from './emulator.js';
import { type FaultSpec, validateFaultSpec } from './faults.js';
import { createRequest, emptyResponse, encodeBody, jsonResponse, type SandboxRequest, type SandboxResponse } from './http.js';
import type { LogFilter } from './log.js';
import { Router } from './router.js';

export const CONTROL_PREFIX = '/_sandbox';

// biome-ignore lint/suspicious/noExplicitAny: the control API serves hosts of any state type
type Host = ServiceHost<any>;

const router = new Router<Host>([
  {
    method: 'GET',
    path: '/_sandbox',
    handler: (_req, host) =>
      jsonResponse(200, {
        service: host.name,
        title: host.definition.title,
        seed: host.seedName,
        url: host.url,
        routes: host.routes().length,
      }),
  },
  { method: 'GET', path: '/_sandbox/routes', handler: (_req, host) => jsonResponse(200, { routes: host.routes() }) },
  {
    method: 'POST',
    path: '/_sandbox/reset',
    handler: (req, host) => {
      const body = parse(req);
      if ('error' in body) return body.error;
      const seed = (body.value as { seed?: unknown } | undefined)?.seed;
      if (seed !== undefined && (typeof seed !== 'string' || !(seed in host.definition.seeds)))
        return problem(422, `seed must be one of ${Object.keys(host.definition.seeds).join(', ')} (got ${JSON.stringify(seed)})`);
      host.reset(seed as string | undefined);
      return jsonResponse(200, { service: host.name, seed: host.seedName });
    },
  },
  {
    method: 'GET',
    path: '/_sandbox/log',
    handler: (req, host) => {
      const q = req.query;
      const filter: LogFilter = {};
      if (q.has('since')) filter.since = Number(q.get('since'));
      if (q.has('unknown')) filter.unknown = q.get('unknown') !== '0' && q.get('unknown') !== 'false';
      if (q.has('route')) filter.route = q.get('route')!;
      if (q.has('method')) filter.method = q.get('method')!;
      if (q.has('path')) filter.path = q.get('path')!;
      if (q.has('status')) filter.status = Number(q.get('status'));
      if (q.has('identity')) filter.identity = q.get('identity')!;
      return jsonResponse(200, { mark: host.log.mark, entries: host.log.entries(filter) });
    },
  },
  {
    method: 'DELETE',
    path: '/_sandbox/log',
    handler: (_req, host) => {
      host.log.clear();
      return emptyResponse(204);
    },
  },
  { method: 'GET', path: '/_sandbox/faults', handler: (_req, host) => jsonResponse(200, { faults: host.faults.list() }) },
  {
    method: 'POST',
    path: '/_sandbox/faults',
    handler: (req, host) => {
      const body = parse(req);
      if ('error' in body) return body.error;
      const problems = validateFaultSpec(body.value);
      if (problems.length > 0) return problem(422, `invalid fault: ${problems.join('; ')}`);
      return jsonResponse(201, { fault: host.faults.add(body.value as FaultSpec) });
    },
  },
  {
    method: 'DELETE',
    path: '/_sandbox/faults',
    handler: (_req, host) => {
      host.faults.clear();
      return emptyResponse(204);
    },
  },
  {
    method: 'DELETE',
    path: '/_sandbox/faults/{id}',
    handler: (req, host) =>
      host.faults.remove(req.params['id']!)
        ? emptyResponse(204)
        : problem(404, `no fault ${req.params['id']} (GET /_sandbox/faults lists them)`),
  },
]);

function problem(status: number, message: string): SandboxResponse {
  return jsonResponse(status, { error: message });
}

function parse(req: SandboxRequest): { value: unknown } | { error: SandboxResponse } {
  try {
    return { value: req.json() };
  } catch (error) {
    return { error: problem(400, (error as Error).message) };
  }
}

/** Whether a mount-relative path belongs to the control API. */
export function isControlPath(path: string): boolean {
  return path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`);
}

/** Serves one control call. */
export async function handleControl(
  host: Host,
  call: {
    method: string;
    path: string;
    query: URLSearchParams;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  },
): Promise<{ status: number; headers: Record<string, string | number | readonly string[]>; body: Buffer }> {
  const match = router.match(call.method, call.path);
  const response = match
    ? await match.route.handler(createRequest({ ...call, params: match.params, baseUrl: host.url }), host)
    : problem(
        404,
        `no control route ${call.method} ${call.path}; see GET ${CONTROL_PREFIX}/routes for the service's routes and the README for the control API`,
      );
  return { status: response.status, headers: response.headers ?? {}, body: encodeBody(response.body) };
}

export type { EmulatorContext };
