import {
  type FailedCall,
  fromHttpError,
  type HttpErrorFacts,
  type HttpServiceProfile,
  type ResponseLike,
  ToolError,
} from '@patchbay/kit';
import { describeSource, repairAdvice } from './auth/credentials.js';
import type { GdriveServices } from './client.js';

type Bag = Record<string, unknown>;
const isBag = (value: unknown): value is Bag => typeof value === 'object' && value !== null;

/** Drive's reasons that mean "slow down", whatever the status (403 or 429). */
const RATE_LIMIT_REASONS = new Set([
  'userRateLimitExceeded',
  'rateLimitExceeded',
  'dailyLimitExceeded',
  'sharingRateLimitExceeded',
]);

/** `error.errors[0].reason` of Google's error body: `{"error":{"code","message","errors":[{reason,location}]}}`. */
export function reasonOf(body: unknown): { reason?: string; location?: string } {
  if (!isBag(body) || !isBag(body.error) || !Array.isArray(body.error.errors)) return {};
  const first = body.error.errors.find(isBag);
  return {
    ...(typeof first?.reason === 'string' ? { reason: first.reason } : {}),
    ...(typeof first?.location === 'string' ? { location: first.location } : {}),
  };
}

/** The body of a gaxios error anywhere along the cause chain. */
function bodyOf(error: unknown): unknown {
  for (let e: unknown = error, depth = 0; isBag(e) && depth < 6; e = e.cause, depth++) {
    if (isBag(e.response) && e.response.data !== undefined) return e.response.data;
  }
  return undefined;
}

/**
 * Google Drive as the kit's error table sees it. What is particular to Drive: a 403 is a rate
 * limit when its reason says so (`userRateLimitExceeded`, `rateLimitExceeded`), never "permission
 * denied"; a 403 `insufficientPermissions` is the token's scopes, `insufficientFilePermissions`
 * the file's sharing; a 404 hides files the account cannot see.
 */
export function googleProfile(account?: string): HttpServiceProfile {
  return {
    service: 'Google Drive',
    credential: account ? `the account ${account}` : 'the Google sign-in',
    obtainAt: 'patchbay-gdrive auth',
    isRateLimited: (r: ResponseLike) =>
      r.status === 429 || (r.status === 403 && RATE_LIMIT_REASONS.has(reasonOf(r.body).reason ?? '')),
    hints: {
      401: 'Run `patchbay-gdrive auth` in a terminal to sign in again, then call again.',
    },
    describeError(_error, facts): Partial<HttpErrorFacts> | undefined {
      const { reason, location } = reasonOf(bodyOf(_error));
      const out: Partial<HttpErrorFacts> = {};
      if (reason === 'insufficientPermissions' || reason === 'ACCESS_TOKEN_SCOPE_INSUFFICIENT') {
        out.permission =
          'the Drive scope for this (the sign-in granted less: run `patchbay-gdrive auth` again without --read-only)';
      } else if (reason === 'insufficientFilePermissions' || reason === 'forbidden') {
        out.permission = 'edit access to this file (the owner must share it with this account as an editor)';
      } else if (reason === 'cannotCopyFile') {
        out.permission = 'permission to copy this file (its owner turned copying off for viewers)';
      } else if (reason === 'storageQuotaExceeded') {
        out.permission =
          'free storage (the account’s Drive is full; service accounts have none: use a shared drive or --subject)';
      }
      if (location && (facts.status === 400 || facts.status === 404)) out.field = location;
      return out;
    },
  };
}

/** Errors of the OAuth token endpoint (RFC 6749 §5.2): the sign-in itself failed. */
const SIGN_IN_ERRORS: Record<string, string> = {
  invalid_grant: 'the sign-in was revoked or has expired',
  unauthorized_client: 'the OAuth client (or service account) is not allowed this grant',
  invalid_client: 'the OAuth client id or secret is wrong, or the client was deleted',
  deleted_client: 'the OAuth client was deleted',
  invalid_scope: 'the scopes asked for were not granted',
  access_denied: 'access was denied',
};

/** The token endpoint's `{ error, error_description }` anywhere in the chain, if that is what failed. */
function signInError(error: unknown): { code: string; description?: string } | undefined {
  const body = bodyOf(error);
  if (isBag(body) && typeof body.error === 'string' && body.error in SIGN_IN_ERRORS) {
    return { code: body.error, ...(typeof body.error_description === 'string' ? { description: body.error_description } : {}) };
  }
  const message = error instanceof Error ? error.message : '';
  if (/^No (access, )?refresh token/.test(message)) return { code: 'no_refresh_token' };
  return undefined;
}

/**
 * The connector's one error table. A failed sign-in (a revoked refresh token, delegation not
 * set up) is one message naming what signed in and the command that repairs it; everything else
 * is Drive's HTTP answer through the kit's `fromHttpError`.
 */
export function mapGdriveError(error: unknown, call: FailedCall<GdriveServices>): ToolError | undefined {
  const google = call.services.google.peek();
  const failed = signInError(error);
  if (failed && google) {
    const { source } = google;
    // Read the stored account again on the next call: `patchbay-gdrive auth` may have renewed it.
    void call.services.google.reset();
    const what =
      failed.code === 'no_refresh_token'
        ? 'its access token expired and it holds no refresh token (or no OAuth client to refresh with)'
        : `${SIGN_IN_ERRORS[failed.code]} (${failed.code}${failed.description ? `: ${failed.description}` : ''})`;
    const testing =
      failed.code === 'invalid_grant' && source.kind !== 'service-account'
        ? ' If this happens every week, the OAuth client’s app is in "Testing" in Google Cloud (its refresh tokens last 7 days): publish it to "In production".'
        : '';
    return new ToolError(`Google Drive no longer accepts ${describeSource(source)}: ${what}.`, {
      hint: `${repairAdvice(source)}${testing}`,
    });
  }
  const account = call.services.knownIdentity()?.email;
  return fromHttpError(error, googleProfile(account));
}
