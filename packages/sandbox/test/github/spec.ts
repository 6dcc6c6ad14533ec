/**
 * Fidelity checks against GitHub's own API description (`@octokit/openapi`,
 * `generated/api.github.com.json`, OpenAPI 3.0.3). Every exchange the emulator serves in a test is
 * recorded through `sandbox.tap` and checked: the route's path and operation id exist in the
 * description; path and query parameters are declared there and valid; the JSON request body
 * matches the operation's schema; the status is one the operation documents (or one GitHub sends
 * on any endpoint: 401, 403/429 rate limits, 5xx); the JSON response body matches that status's
 * schema; `Location` is present where documented; and every API answer carries GitHub's headers.
 *
 * OpenAPI 3.0's `nullable` is not JSON Schema: the description is rewritten once so that
 * `nullable: true` becomes `type: [T, "null"]` (or an `anyOf` with `{type: "null"}` where no type
 * is given), which Ajv then validates as plain JSON Schema; `oneOf` is checked as `anyOf` (see denull).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Exchange, RouteInfo } from '../../src/index.js';

const require = createRequire(import.meta.url);

type Json = Record<string, unknown>;
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Json;
}
interface Operation {
  operationId: string;
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: { content?: Record<string, { schema?: Json }>; required?: boolean };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: Json }>; headers?: Record<string, unknown> }>;
}

/** Rewrites OpenAPI 3.0 `nullable` into JSON Schema, in place, everywhere. */
function denull(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) denull(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const o = node as Json;
  for (const value of Object.values(o)) denull(value);
  // GitHub's description uses oneOf for alternatives that overlap (basic-error and
  // validation-error both accept {message, documentation_url}); a real answer matches both, so
  // alternatives are checked as anyOf.
  if (Array.isArray(o['oneOf'])) {
    o['anyOf'] = o['oneOf'];
    delete o['oneOf'];
  }
  if (o['nullable'] === true) {
    delete o['nullable'];
    if (typeof o['type'] === 'string') {
      o['type'] = [o['type'], 'null'];
      if (Array.isArray(o['enum']) && !o['enum'].includes(null)) o['enum'] = [...o['enum'], null];
    } else {
      const rest = { ...o };
      for (const key of Object.keys(o)) delete o[key];
      o['anyOf'] = [{ type: 'null' }, rest];
    }
  }
}

export class GitHubSpec {
  readonly doc: { paths: Record<string, Record<string, Operation>>; components: Json };
  readonly #ajv: Ajv;
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor() {
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
    this.doc = JSON.parse(readFileSync(file, 'utf8'));
    denull(this.doc.components);
    denull(this.doc.paths);
    this.#ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false, discriminator: false });
    addFormats.default(this.#ajv);
    // Formats the description uses that JSON Schema does not define: not checked.
    for (const f of [
      'uri-template',
      'repo.nwo',
      'ssh-key',
      'ssh-key fingerprint',
      'binary',
      'int32',
      'int64',
      'float',
      'double',
      'byte',
    ])
      this.#ajv.addFormat(f, true);
    this.#ajv.addSchema({ $id: 'spec', components: this.doc.components }, 'spec');
  }

  operation(method: string, path: string): Operation | undefined {
    return this.doc.paths[path]?.[method.toLowerCase()];
  }

  #resolve<T>(value: T | { $ref: string }): T {
    if (value && typeof value === 'object' && '$ref' in value && typeof value.$ref === 'string') {
      let node: unknown = this.doc;
      for (const part of value.$ref.replace(/^#\//, '').split('/')) node = (node as Json)[part];
      return this.#resolve(node as T);
    }
    return value as T;
  }

  #validator(key: string, schema: Json): ValidateFunction {
    let v = this.#compiled.get(key);
    if (!v) {
      // Local refs (#/components/…) resolve inside the `spec` schema registered above.
      const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"spec#/components/'));
      v = this.#ajv.compile(rewritten);
      this.#compiled.set(key, v);
    }
    return v;
  }

  #check(key: string, schema: Json, value: unknown, where: string): string[] {
    const v = this.#validator(key, schema);
    if (v(value)) return [];
    return (v.errors ?? [])
      .slice(0, 8)
      .map((e) => `${where}${e.instancePath || '/'} ${e.message} ${e.params ? JSON.stringify(e.params) : ''}`);
  }

  /** Everything wrong with one exchange, as readable lines (empty = faithful to the description). */
  problems(x: Exchange): string[] {
    const route = x.route;
    if (!route) return [];
    if (route.operation?.startsWith('sandbox/')) return [];
    // A body broken on purpose by a `malformed` fault is not the emulator's answer.
    if (x.faults.includes('malformed')) return [];
    const label = `${x.request.method} ${route.path} → ${x.response.status}`;
    const op = this.operation(route.method, route.path);
    if (!op) return [`${label}: no such operation in the API description`];
    const out: string[] = [];
    if (op.operationId !== route.operation)
      out.push(`${label}: operation id ${route.operation} but the description says ${op.operationId}`);
    // A request the description does not allow must be refused: only an error answer is faithful.
    if (x.response.status < 400) out.push(...this.#requestProblems(x, op).map((p) => `${label}: request ${p}`));
    out.push(...this.#responseProblems(x, op).map((p) => `${label}: response ${p}`));
    return out;
  }

  #requestProblems(x: Exchange, op: Operation): string[] {
    const out: string[] = [];
    const params = (op.parameters ?? []).map((p) => this.#resolve(p));
    for (const p of params) {
      if (p.in === 'path') {
        const value = x.params[p.name];
        if (value === undefined) out.push(`path parameter ${p.name} missing`);
        else if (p.schema)
          out.push(...this.#check(`${op.operationId}:path:${p.name}`, p.schema, coerce(value, p.schema), `path.${p.name}`));
      }
      if (p.in === 'query') {
        const value = x.request.query.get(p.name);
        if (value === null) {
          if (p.required) out.push(`query parameter ${p.name} is required`);
        } else if (p.schema)
          out.push(...this.#check(`${op.operationId}:query:${p.name}`, p.schema, coerce(value, p.schema), `query.${p.name}`));
      }
    }
    const declared = new Set(params.filter((p) => p.in === 'query').map((p) => p.name));
    for (const key of x.request.query.keys())
      if (!declared.has(key)) out.push(`query parameter ${key} is not declared for ${op.operationId}`);
    const content = op.requestBody?.content;
    if (x.request.body.length > 0 && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(x.request.method)) {
      const schema = content?.['application/json']?.schema;
      if (!schema) out.push(`${op.operationId} takes no JSON body but got one`);
      else {
        let body: unknown;
        try {
          body = JSON.parse(x.request.body.toString('utf8'));
        } catch {
          out.push('body is not JSON');
        }
        if (body !== undefined) out.push(...this.#check(`${op.operationId}:body`, schema, body, 'body'));
      }
    } else if (op.requestBody?.required) out.push('body is required');
    return out;
  }

  #responseProblems(x: Exchange, op: Operation): string[] {
    const out: string[] = [];
    const status = x.response.status;
    const headers = lower(x.response.headers);
    if (status === 0) return out;
    // Headers every GitHub API answer carries (a 5xx may come from the edge, without them).
    if (status < 500)
      for (const h of [
        'x-ratelimit-limit',
        'x-ratelimit-remaining',
        'x-ratelimit-reset',
        'x-ratelimit-used',
        'x-ratelimit-resource',
        'x-github-api-version-selected',
        'x-github-request-id',
      ])
        if (headers[h] === undefined) out.push(`header ${h} missing`);
    const documented = op.responses[String(status)] ?? op.responses['default'];
    // Statuses GitHub answers on any operation, documented there or not: authentication, rate
    // limits and permissions, a resource that does not exist, invalid input, server errors.
    const generic = [401, 403, 404, 422, 429].includes(status) || status >= 500 || (status === 304 && x.request.method === 'GET');
    if (!documented && !generic)
      return [
        ...out,
        `status ${status} is not documented for ${op.operationId} (documented: ${Object.keys(op.responses).join(', ')})`,
      ];
    const response = documented ? this.#resolve(documented) : undefined;
    const type = String(headers['content-type'] ?? '');
    if (status === 304 || status === 204 || status === 205) {
      if (x.response.body.length > 0) out.push(`${status} must have no body`);
      if (status === 304 && !headers['etag']) out.push('304 without etag');
      return out;
    }
    if (status === 302) {
      if (!headers['location']) out.push('302 without location');
      return out;
    }
    if (response?.headers && 'Location' in response.headers && !headers['location'])
      out.push(`header location missing (documented for ${status})`);
    if (!type.startsWith('application/json')) {
      // Media-type variants (diff, raw) are documented by GitHub outside the JSON schema.
      if (!/^(text\/plain|application\/vnd\.github)/.test(type)) out.push(`unexpected content-type ${type}`);
      return out;
    }
    let body: unknown;
    try {
      body = JSON.parse(x.response.body.toString('utf8'));
    } catch {
      return [...out, 'body is not JSON'];
    }
    const fallback = status === 422 ? '#/components/schemas/validation-error' : '#/components/schemas/basic-error';
    const schema = response?.content?.['application/json']?.schema ?? (generic ? { $ref: fallback } : undefined);
    if (schema) out.push(...this.#check(`${op.operationId}:${status}`, schema as Json, body, 'body'));
    if (status >= 400 && typeof (body as Json)['message'] !== 'string') out.push('error without a message');
    if (status === 200 && x.request.method === 'GET' && !headers['etag']) out.push('GET 200 without etag');
    return out;
  }
}

function lower(headers: Exchange['response']['headers']): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Query and path values are strings on the wire; the description types them. */
function coerce(value: string, schema: Json): unknown {
  const type = Array.isArray(schema['type']) ? schema['type'][0] : schema['type'];
  if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

/** Records exchanges from a sandbox and checks them against the description. */
export class SpecRecorder {
  readonly exchanges: Exchange[] = [];
  #checked = 0;
  /** Per route key (`GET /repos/{owner}/{repo}`): statuses seen and validated. */
  readonly coverage = new Map<string, Set<number>>();

  constructor(readonly spec: GitHubSpec) {}

  readonly listener = (x: Exchange) => {
    this.exchanges.push(x);
  };

  /** Problems in the exchanges since the last call; records coverage of the faithful ones. */
  drain(): string[] {
    const out: string[] = [];
    for (const x of this.exchanges.slice(this.#checked)) {
      const problems = this.spec.problems(x);
      out.push(...problems);
      if (problems.length === 0 && x.route) {
        const key = routeKey(x.route);
        if (!this.coverage.has(key)) this.coverage.set(key, new Set());
        this.coverage.get(key)!.add(x.response.status);
      }
    }
    this.#checked = this.exchanges.length;
    return out;
  }
}

export function routeKey(route: RouteInfo): string {
  return `${route.method} ${route.path}`;
}

/**
 * Routes served without a validated success, and write routes without a validated error
 * (sandbox-internal routes such as the raw and log downloads are not GitHub operations).
 */
export function uncovered(
  routes: readonly { method: string; path: string; operation?: string }[],
  coverage: Map<string, Set<number>>,
): string[] {
  const missing: string[] = [];
  for (const route of routes) {
    if (route.operation?.startsWith('sandbox/')) continue;
    const key = routeKey({ method: route.method, path: route.path.replace(/[+*]\}/g, '}'), operation: route.operation ?? null });
    const statuses = [...(coverage.get(key) ?? [])];
    if (!statuses.some((s) => s < 400)) missing.push(`${key}: no validated success`);
    if (route.method !== 'GET' && !statuses.some((s) => s >= 400)) missing.push(`${key}: no validated error`);
  }
  return missing;
}

let shared: GitHubSpec | undefined;
/** The description, parsed once per test file (it is 13 MB). */
export function githubSpec(): GitHubSpec {
  shared ??= new GitHubSpec();
  return shared;
}
