/**
 * A validator for Google discovery documents (a JSON-Schema dialect: `type`, `format`, `enum`,
 * `properties`, `additionalProperties`, `items`, `$ref` to a schema id, `readOnly`, `default`)
 * and a recorder that checks every request/response pair the Drive emulator serves against the
 * method it claims to be: query parameter names, types, enums and required ones; path parameters;
 * JSON (and multipart metadata) request bodies against the method's request schema; JSON
 * responses against its response schema — unknown properties included — and error bodies
 * against Google's error shape.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Exchange } from '../../src/index.js';

export interface DiscoverySchema {
  id?: string;
  type?: string;
  format?: string;
  enum?: string[];
  $ref?: string;
  properties?: Record<string, DiscoverySchema>;
  additionalProperties?: DiscoverySchema;
  items?: DiscoverySchema;
  readOnly?: boolean;
  default?: string;
  required?: boolean;
  location?: string;
  repeated?: boolean;
}

export interface DiscoveryMethod {
  id: string;
  httpMethod: string;
  path: string;
  parameters?: Record<string, DiscoverySchema>;
  request?: { $ref: string };
  response?: { $ref: string };
  supportsMediaDownload?: boolean;
  mediaUpload?: unknown;
  scopes: string[];
}

export interface DiscoveryDocument {
  revision: string;
  parameters: Record<string, DiscoverySchema>;
  schemas: Record<string, DiscoverySchema>;
  resources: Record<string, { methods?: Record<string, DiscoveryMethod> }>;
}

export function loadDriveDiscovery(): DiscoveryDocument {
  return JSON.parse(
    readFileSync(join(import.meta.dirname, '../../specs/google-drive-v3.discovery.json'), 'utf8'),
  ) as DiscoveryDocument;
}

/** Google's error body, in the discovery dialect (it is not in the document). */
export const ERROR_SCHEMA: DiscoverySchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'integer' },
        message: { type: 'string' },
        status: { type: 'string' },
        errors: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              domain: { type: 'string' },
              reason: { type: 'string' },
              message: { type: 'string' },
              location: { type: 'string' },
              locationType: { type: 'string', enum: ['parameter', 'header', 'other'] },
            },
          },
        },
        details: { type: 'array', items: { type: 'any' } },
      },
    },
  },
};

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Checks a value against a discovery schema; returns the problems, each with its JSON path. */
export function validate(
  doc: DiscoveryDocument,
  value: unknown,
  schema: DiscoverySchema,
  path = '$',
  mode: 'request' | 'response' = 'response',
): string[] {
  const problems: string[] = [];
  const walk = (v: unknown, s: DiscoverySchema, p: string) => {
    if (s.$ref) {
      const target = doc.schemas[s.$ref];
      if (!target) return problems.push(`${p}: unknown schema ${s.$ref}`);
      return walk(v, target, p);
    }
    if (mode === 'request' && s.readOnly) problems.push(`${p}: read-only field sent in a request`);
    switch (s.type) {
      case 'any':
      case undefined:
        return;
      case 'object': {
        if (typeof v !== 'object' || v === null || Array.isArray(v))
          return problems.push(`${p}: expected an object, got ${JSON.stringify(v)}`);
        for (const [key, child] of Object.entries(v)) {
          const prop = s.properties?.[key];
          if (prop) walk(child, prop, `${p}.${key}`);
          else if (s.additionalProperties) walk(child, s.additionalProperties, `${p}.${key}`);
          else problems.push(`${p}: property "${key}" is not in the schema${s.id ? ` ${s.id}` : ''}`);
          if (key === 'kind' && prop?.default && child !== prop.default)
            problems.push(`${p}.kind: expected "${prop.default}", got ${JSON.stringify(child)}`);
        }
        return;
      }
      case 'array':
        if (!Array.isArray(v)) return problems.push(`${p}: expected an array`);
        for (const [i, item] of v.entries()) walk(item, s.items ?? {}, `${p}[${i}]`);
        return;
      case 'string':
        if (typeof v !== 'string') return problems.push(`${p}: expected a string, got ${JSON.stringify(v)}`);
        if ((s.format === 'int64' || s.format === 'uint64') && !/^-?\d+$/.test(v))
          problems.push(`${p}: expected an ${s.format} string, got "${v}"`);
        if (s.format === 'date-time' && !RFC3339.test(v)) problems.push(`${p}: expected an RFC 3339 date-time, got "${v}"`);
        if (s.enum && !s.enum.includes(v)) problems.push(`${p}: "${v}" is not one of ${s.enum.join(', ')}`);
        return;
      case 'integer':
        if (!Number.isInteger(v)) return problems.push(`${p}: expected an integer, got ${JSON.stringify(v)}`);
        if (s.format === 'int32' && Math.abs(v as number) > 2 ** 31) problems.push(`${p}: out of int32 range`);
        return;
      case 'number':
        if (typeof v !== 'number') problems.push(`${p}: expected a number`);
        return;
      case 'boolean':
        if (typeof v !== 'boolean') problems.push(`${p}: expected a boolean, got ${JSON.stringify(v)}`);
        return;
      default:
        problems.push(`${p}: schema type ${s.type} not understood`);
    }
  };
  walk(value, schema, path);
  return problems;
}

/** Every method of the document by id. */
export function methodsOf(doc: DiscoveryDocument): Map<string, DiscoveryMethod> {
  const out = new Map<string, DiscoveryMethod>();
  for (const resource of Object.values(doc.resources)) for (const m of Object.values(resource.methods ?? {})) out.set(m.id, m);
  return out;
}

function header(headers: Record<string, unknown>, name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
}

/** The metadata part of a multipart/related body. */
function multipartMetadata(body: Buffer, contentType: string): unknown {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) return undefined;
  const text = body.toString('utf8');
  const first = text.split(`--${boundary}`)[1] ?? '';
  const json = first.slice(first.indexOf('\r\n\r\n') + 4).trim();
  return json ? JSON.parse(json) : undefined;
}

/** Checks one exchange against the discovery method its route names. */
export function problemsOf(doc: DiscoveryDocument, exchange: Exchange): string[] {
  const operation = exchange.route?.operation ?? '';
  const method = methodsOf(doc).get(operation);
  if (!method) return [];
  const problems: string[] = [];
  const where = `${exchange.request.method} ${exchange.request.path}`;
  const isUploadPath = exchange.request.path.startsWith('/upload/');

  // Parameters: a request Google would refuse must have been refused (a 4xx is the emulator doing so).
  const declared = method.parameters ?? {};
  const accepted = exchange.response.status < 400;
  for (const [name, value] of accepted ? exchange.request.query : []) {
    const def = declared[name] ?? doc.parameters[name];
    if (!def) {
      if (!(isUploadPath && name === 'upload_id'))
        problems.push(`${where}: query parameter "${name}" is not a parameter of ${operation}`);
      continue;
    }
    if (def.location === 'path') problems.push(`${where}: "${name}" is a path parameter, sent in the query`);
    if (def.type === 'boolean' && value !== 'true' && value !== 'false')
      problems.push(`${where}: ${name}=${value} is not a boolean`);
    if (def.type === 'integer' && !/^-?\d+$/.test(value)) problems.push(`${where}: ${name}=${value} is not an integer`);
    if (def.enum && !def.enum.includes(value)) problems.push(`${where}: ${name}=${value} is not one of ${def.enum.join(', ')}`);
  }
  for (const [name, def] of Object.entries(declared)) {
    if (!def.required) continue;
    if (def.location === 'path' && !(name in exchange.params)) problems.push(`${where}: path parameter ${name} missing`);
    if (def.location === 'query' && !exchange.request.query.has(name) && exchange.response.status < 400)
      problems.push(`${where}: required ${name} missing but the call succeeded`);
  }
  for (const name of Object.keys(exchange.params))
    if (declared[name]?.location !== 'path')
      problems.push(`${where}: route parameter ${name} is not a path parameter of ${operation}`);

  // Request body
  const contentType = header(exchange.request.headers, 'content-type') ?? '';
  const isChunk = exchange.request.method === 'PUT';
  if (method.request && exchange.request.body.length > 0 && !isChunk && accepted) {
    const uploadType = exchange.request.query.get('uploadType');
    let body: unknown;
    if (uploadType === 'multipart') body = multipartMetadata(exchange.request.body, contentType);
    else if (uploadType !== 'media' && contentType.includes('json')) body = JSON.parse(exchange.request.body.toString('utf8'));
    if (body !== undefined) problems.push(...validate(doc, body, { $ref: method.request.$ref }, `${where} request`, 'request'));
  }

  // Response
  const { status, body } = exchange.response;
  const responseType = header(exchange.response.headers, 'content-type') ?? '';
  if (status >= 400) {
    if (responseType.includes('json')) {
      const parsed = JSON.parse(body.toString('utf8'));
      problems.push(...validate(doc, parsed, ERROR_SCHEMA, `${where} ${status}`));
      if (!Array.isArray(parsed?.error?.errors) || parsed.error.errors.length === 0)
        problems.push(`${where} ${status}: no errors[]`);
      if (parsed?.error?.code !== status)
        problems.push(`${where} ${status}: error.code ${parsed?.error?.code} is not the status`);
      if (typeof parsed?.error?.status !== 'string') problems.push(`${where} ${status}: no error.status`);
    } else problems.push(`${where} ${status}: error body is not JSON (${responseType})`);
    return problems;
  }
  const media = exchange.request.query.get('alt') === 'media' || operation === 'drive.files.export';
  if (media || status === 308) return problems;
  if (exchange.request.query.get('uploadType') === 'resumable' && !isChunk) {
    if (!header(exchange.response.headers, 'location')) problems.push(`${where}: resumable upload started without a Location`);
    return problems;
  }
  if (!method.response) {
    if (status !== 204 || body.length > 0)
      problems.push(`${where}: ${operation} has no response body, got ${status} with ${body.length} bytes`);
    return problems;
  }
  if (!responseType.includes('application/json')) problems.push(`${where}: response content-type ${responseType}`);
  problems.push(...validate(doc, JSON.parse(body.toString('utf8')), { $ref: method.response.$ref }, `${where} response`));
  return problems;
}

/** Collects problems from every exchange, and which methods were seen succeed and fail. */
export class SpecRecorder {
  readonly #doc: DiscoveryDocument;
  readonly #problems: string[] = [];
  readonly validated = new Map<string, { ok: number; error: number }>();

  constructor(doc: DiscoveryDocument) {
    this.#doc = doc;
  }

  readonly listener = (exchange: Exchange): void => {
    const operation = exchange.route?.operation ?? '';
    if (!methodsOf(this.#doc).has(operation)) return;
    try {
      this.#problems.push(...problemsOf(this.#doc, exchange));
    } catch (error) {
      this.#problems.push(`${exchange.request.method} ${exchange.request.path}: could not check (${(error as Error).message})`);
    }
    const seen = this.validated.get(operation) ?? { ok: 0, error: 0 };
    if (exchange.response.status < 400) seen.ok++;
    else seen.error++;
    this.validated.set(operation, seen);
  };

  /** The problems since the last call. */
  drain(): string[] {
    return this.#problems.splice(0);
  }
}
