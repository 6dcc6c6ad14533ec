/**
 * Google's error answers. Drive v3 answers with the "errors array" shape
 * (`{"error":{"code","message","errors":[{domain,reason,message,location,locationType}],"status"}}`),
 * the Sheets API with the newer one that has no `errors` array, and the OAuth endpoints with
 * RFC 6749's `{"error","error_description"}`. Handlers throw a {@link GoogleApiError}; the
 * emulator's `around` turns it into the response, so a handler reads as the happy path.
 */
import { jsonResponse, type SandboxResponse } from '../core/http.js';

/** A Google error answer, thrown by handlers and helpers and sent as is. */
export class GoogleApiError extends Error {
  override readonly name = 'GoogleApiError';
  readonly response: SandboxResponse;

  constructor(response: SandboxResponse, message = 'Google API error') {
    super(message);
    this.response = response;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  412: 'FAILED_PRECONDITION',
  416: 'OUT_OF_RANGE',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** The canonical `status` text Google puts beside an HTTP code. */
export function statusText(code: number): string {
  return STATUS_TEXT[code] ?? (code >= 500 ? 'INTERNAL' : 'UNKNOWN');
}

export interface DriveErrorOptions {
  /** The parameter or header at fault (`fileId`, `q`, `Authorization`). */
  location?: string;
  /** `parameter` or `header` (default `parameter` when a location is given). */
  locationType?: 'parameter' | 'header' | 'other';
  /** `global` (default) or `usageLimits` for quota answers. */
  domain?: string;
  /** The top-level message when it differs from the item's (401 and 403 scope answers do). */
  topMessage?: string;
  /** `status` text when it is not the canonical one for the code (400 `FAILED_PRECONDITION`). */
  status?: string;
  details?: unknown[];
  headers?: Record<string, string>;
}

/** The body of a Drive v3 error. */
export function driveErrorBody(code: number, reason: string, message: string, options: DriveErrorOptions = {}): unknown {
  const item: Record<string, string> = { message, domain: options.domain ?? 'global', reason };
  if (options.location !== undefined) {
    item['location'] = options.location;
    item['locationType'] = options.locationType ?? 'parameter';
  }
  return {
    error: {
      code,
      message: options.topMessage ?? message,
      errors: [item],
      status: options.status ?? statusText(code),
      ...(options.details ? { details: options.details } : {}),
    },
  };
}

export function driveErrorResponse(
  code: number,
  reason: string,
  message: string,
  options: DriveErrorOptions = {},
): SandboxResponse {
  // Google pretty-prints errors as it does every JSON answer.
  return jsonResponse(
    code,
    `${JSON.stringify(driveErrorBody(code, reason, message, options), null, 2)}\n`,
    options.headers ?? {},
  );
}

export function driveError(code: number, reason: string, message: string, options: DriveErrorOptions = {}): GoogleApiError {
  return new GoogleApiError(driveErrorResponse(code, reason, message, options), `${code} ${reason}: ${message}`);
}

/** 404 for a file the caller cannot see or that does not exist (Drive never says which). */
export function fileNotFound(fileId: string, location = 'fileId'): GoogleApiError {
  return driveError(404, 'notFound', `File not found: ${fileId}.`, { location });
}

export function insufficientFilePermissions(fileId: string): GoogleApiError {
  return driveError(403, 'insufficientFilePermissions', `The user does not have sufficient permissions for file ${fileId}.`);
}

/** Google's answer to a parameter value it cannot use: 400 `invalid`, "Invalid Value". */
export function invalidValue(location: string, message = 'Invalid Value'): GoogleApiError {
  return driveError(400, 'invalid', message, { location });
}

export function requiredParameter(location: string, message = `Required parameter: ${location}`): GoogleApiError {
  return driveError(400, 'required', message, { location });
}

export function badRequest(message: string, location?: string): GoogleApiError {
  return driveError(400, 'badRequest', message, location === undefined ? {} : { location });
}

/** 401 for an unknown, expired or revoked access token. */
export function invalidCredentials(): SandboxResponse {
  return driveErrorResponse(401, 'authError', 'Invalid Credentials', {
    location: 'Authorization',
    locationType: 'header',
    headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  });
}

/** 401 for a request with no credential at all. */
export function loginRequired(): SandboxResponse {
  return driveErrorResponse(401, 'required', 'Login Required.', {
    location: 'Authorization',
    locationType: 'header',
    topMessage:
      'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' },
  });
}

/** 403 for a token whose scopes do not cover the method (Google's reason is `insufficientPermissions`). */
export function insufficientScopes(method: string): SandboxResponse {
  return driveErrorResponse(403, 'insufficientPermissions', 'Insufficient Permission', {
    topMessage: 'Request had insufficient authentication scopes.',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
        domain: 'googleapis.com',
        metadata: { method, service: method.startsWith('google.apps.sheets') ? 'sheets.googleapis.com' : 'drive.googleapis.com' },
      },
    ],
    headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="insufficient_scope"' },
  });
}

/** Quota answers: 403 `userRateLimitExceeded`/`rateLimitExceeded` or 429 `rateLimitExceeded`. */
export function rateLimited(code: 403 | 429, reason: 'userRateLimitExceeded' | 'rateLimitExceeded'): SandboxResponse {
  const message = reason === 'userRateLimitExceeded' ? 'User Rate Limit Exceeded' : 'Rate Limit Exceeded';
  return driveErrorResponse(code, reason, message, { domain: 'usageLimits' });
}

/** 5xx: Drive's `backendError`. */
export function backendError(code: number): SandboxResponse {
  return driveErrorResponse(code, 'backendError', code === 503 ? 'Service Unavailable' : 'Backend Error');
}

/** The Sheets API's error shape: no `errors` array. */
export function sheetsError(code: number, message: string, status = statusText(code)): GoogleApiError {
  return new GoogleApiError(jsonResponse(code, { error: { code, message, status } }), `${code} ${status}: ${message}`);
}

/** RFC 6749 §5.2 answers from the token endpoint. */
export function oauthError(status: number, error: string, description: string): GoogleApiError {
  return new GoogleApiError(
    jsonResponse(
      status,
      { error, error_description: description },
      { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate' },
    ),
    `${status} ${error}: ${description}`,
  );
}
