import { type FailedCall, fromHttpError, type HttpErrorFacts, type HttpServiceProfile, type ToolError } from '@patchbay/kit';
import type { GitHubServices } from './client.js';
import { TOKEN_URL } from './config.js';

type Headers = Record<string, string | number | undefined>;

/** The headers of an Octokit `RequestError`'s response (a plain record, names lower-case). */
function headersOf(error: unknown): Headers {
  const response = (error as { response?: { headers?: unknown } } | undefined)?.response;
  return response && typeof response.headers === 'object' && response.headers !== null ? (response.headers as Headers) : {};
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return value === undefined ? undefined : String(value);
}

/**
 * GitHub as the kit's error table sees it. What is particular to GitHub:
 * - a 403 (or 429) with `x-ratelimit-remaining: 0` is the primary rate limit, and one with
 *   `retry-after` or "secondary rate limit" in its message is a secondary limit: both are "wait
 *   until …", never "permission denied";
 * - the permission a request needed is in `X-Accepted-GitHub-Permissions` (fine-grained tokens,
 *   `issues=write`) or `X-Accepted-OAuth-Scopes` compared with the token's `X-OAuth-Scopes`
 *   (classic tokens). GitHub answers 404 rather than 403 when a classic token lacks the `repo`
 *   scope for a private repository, so a 404 names the scope too.
 */
export const githubProfile: HttpServiceProfile = {
  service: 'GitHub',
  credential: 'GITHUB_PERSONAL_ACCESS_TOKEN (or GITHUB_TOKEN)',
  obtainAt: TOKEN_URL,
  isRateLimited: (r) =>
    (r.status === 403 || r.status === 429) && (r.headers.get('x-ratelimit-remaining') === '0' || r.headers.has('retry-after')),
  resetAt: (r) =>
    r.headers.get('x-ratelimit-remaining') === '0' ? Number(r.headers.get('x-ratelimit-reset')) * 1000 : undefined,
  hints: {
    403: 'A fine-grained token needs that permission on this repository (Settings → Developer settings → the token); a classic token needs the scope. Or ask for something the token may access.',
  },
  describeError(error, facts): Partial<HttpErrorFacts> | undefined {
    const headers = headersOf(error);
    const status = facts.status;
    const out: Partial<HttpErrorFacts> = {};
    if ((status === 403 || status === 429) && /secondary rate limit/i.test(facts.message ?? '')) {
      out.rateLimited = true;
      const after = Number(header(headers, 'retry-after'));
      out.retryAt = Date.now() + (Number.isFinite(after) && after > 0 ? after : 60) * 1000;
    }
    const permission = missingPermission(headers);
    if (permission && (status === 403 || status === 404)) out.permission = permission;
    const resource = resourceOf(error);
    if (resource) out.resource = resource;
    if (status === 404 && permission) {
      out.message = `${facts.message ?? 'Not Found'}; the token may lack ${permission}`;
    }
    return out;
  },
};

/** What the request needed that the token does not have, from GitHub's headers. */
function missingPermission(headers: Headers): string | undefined {
  const fineGrained = header(headers, 'x-accepted-github-permissions');
  if (fineGrained) return `the permission ${fineGrained.replace(/;\s*/g, ' or ')}`;
  const accepted = (header(headers, 'x-accepted-oauth-scopes') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (accepted.length === 0) return undefined;
  const has = new Set(
    (header(headers, 'x-oauth-scopes') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  if (accepted.some((scope) => has.has(scope))) return undefined;
  return `the scope ${accepted.join(' or ')}`;
}

/** `GET /repos/o/r/issues/9`: what was asked for, for a 404 (path only: no query, no host). */
function resourceOf(error: unknown): string | undefined {
  const request = (error as { request?: { method?: string; url?: string } } | undefined)?.request;
  if (!request?.url) return undefined;
  try {
    const url = new URL(request.url);
    return `${request.method ?? 'GET'} ${decodeURIComponent(url.pathname).replace(/^\/api\/v3/, '')}`;
  } catch {
    return undefined;
  }
}

/** The connector's one error table. */
export function mapGitHubError(error: unknown, _call: FailedCall<GitHubServices>): ToolError | undefined {
  return fromHttpError(error, githubProfile);
}

/**
 * One failure inside a longer operation (the third step of a push), in GitHub's words as the
 * error table puts them, for a message that also says what was and was not done.
 */
export function explainFailure(error: unknown): string {
  const mapped = fromHttpError(error, githubProfile);
  if (mapped) return mapped.message;
  return error instanceof Error ? (error.message.split('\n')[0] ?? 'unknown error') : String(error);
}
