/**
 * The request and response shapes every emulator route sees. Handlers never touch node:http:
 * they get a parsed request and return a plain response value, which keeps them testable and
 * lets the framework apply faults, logging and conditional requests in one place.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** A request as a route handler sees it. Paths are relative to where the service is mounted. */
export interface SandboxRequest {
  /** Upper-case method; HEAD is served by the GET route. */
  readonly method: string;
  /** Path relative to the service mount, as sent (still percent-encoded), without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case header names, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  /** Route parameters, percent-decoded. */
  readonly params: Record<string, string>;
  /** The raw body (empty when none was sent). */
  readonly body: Buffer;
  /** Absolute URL of the service mount, e.g. `http://127.0.0.1:4010` or `http://127.0.0.1:4010/github`. */
  readonly baseUrl: string;
  /** The parsed JSON body; `undefined` when the body is empty. Throws {@link BodyError} when it is not JSON. */
  json<T = unknown>(): T | undefined;
  /** The body as `application/x-www-form-urlencoded` fields (Slack-style POSTs). */
  form(): URLSearchParams;
  /** One header value (the first when repeated). */
  header(name: string): string | undefined;
}

/** What a handler returns. */
export interface SandboxResponse {
  status: number;
  headers?: Record<string, string | number | readonly string[]>;
  /** A Buffer or string is sent as is; any other value is sent as JSON; `undefined` sends no body. */
  body?: unknown;
}

/** Thrown by `req.json()`; the framework answers it with the emulator's "problems parsing JSON" shape. */
export class BodyError extends Error {
  override readonly name = 'BodyError';
}

export function jsonResponse(status: number, body: unknown, headers: SandboxResponse['headers'] = {}): SandboxResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body };
}

export function textResponse(
  status: number,
  text: string | Buffer,
  contentType = 'text/plain; charset=utf-8',
  headers: SandboxResponse['headers'] = {},
): SandboxResponse {
  return { status, headers: { 'content-type': contentType, ...headers }, body: text };
}

export function emptyResponse(status: number, headers: SandboxResponse['headers'] = {}): SandboxResponse {
  return { status, headers };
}

/** Serialises a response body to bytes, choosing JSON for anything that is not already text or bytes. */
export function encodeBody(body: unknown): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(JSON.stringify(body), 'utf8');
}

/** Builds a {@link SandboxRequest} over an already-read body. */
export function createRequest(init: {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
  body: Buffer;
  baseUrl: string;
}): SandboxRequest {
  let parsed: { value: unknown } | undefined;
  return {
    ...init,
    json<T>() {
      if (!parsed) {
        const text = init.body.toString('utf8');
        if (text.trim() === '') parsed = { value: undefined };
        else {
          try {
            parsed = { value: JSON.parse(text) };
          } catch (error) {
            throw new BodyError(`request body is not JSON: ${(error as Error).message}`);
          }
        }
      }
      return parsed.value as T | undefined;
    },
    form() {
      return new URLSearchParams(init.body.toString('utf8'));
    },
    header(name) {
      const value = init.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    },
  };
}

/** Query parameters as a plain object for logs; repeated keys become arrays. */
export function queryObject(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of query) {
    const seen = out[key];
    if (seen === undefined) out[key] = value;
    else out[key] = Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}
