import type { GitHubServices } from './client.js';

/**
 * Who the token is and what it may do: one `GET /user` (whose `x-oauth-scopes` header names a
 * classic token's scopes) and `GET /rate_limit`. Shared by github_get_me and by the gateway's
 * `patchbay doctor`, so both say the same thing about a token.
 */

/** What each classic scope lets this connector do, in words. */
export const SCOPES: Record<string, string> = {
  repo: 'read and write every repository you can reach, public and private (code, issues, pull requests, statuses)',
  public_repo: 'write to public repositories only (private ones stay invisible)',
  'repo:status': 'read and write commit statuses',
  workflow: 'change GitHub Actions workflow files',
  gist: 'create and edit gists',
  notifications: 'read and mark notifications',
  'read:org': 'see organization membership and teams',
  user: 'read and edit your profile',
  'read:user': 'read your profile',
  delete_repo: 'delete repositories (no tool here does)',
};

export interface RateWindow {
  limit: number;
  remaining: number;
  /** Seconds since the epoch. */
  reset: number;
  used?: number;
}

export interface TokenInfo {
  login: string;
  name?: string | undefined;
  /** `User`, `Bot`, `Organization`. */
  type: string;
  /** A classic token's scopes; undefined for a fine-grained, app or Actions token (GitHub sends none). */
  scopes?: string[] | undefined;
  /** What the token allows, one line per scope. */
  allows: string[];
  rate: { core?: RateWindow | undefined; search?: RateWindow | undefined };
  /** The API the connector talks to. */
  api: string;
}

/** Ask GitHub who the token is. Errors are the client's (a 401 for a bad token): map them with the connector's table. */
export async function tokenInfo(services: GitHubServices, signal?: AbortSignal): Promise<TokenInfo> {
  const octokit = await services.octokit.get();
  const request = signal ? { signal } : {};
  const [me, limits] = await Promise.all([
    octokit.rest.users.getAuthenticated({ request }),
    octokit.rest.rateLimit.get({ request }),
  ]);
  const header = me.headers['x-oauth-scopes'];
  const scopes =
    typeof header === 'string'
      ? header
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  const allows = scopes
    ? scopes.map((s) => `${s}: ${SCOPES[s] ?? 'see GitHub’s scope list'}`)
    : ['fine-grained or app token: permissions are set per repository; an error names the one missing'];
  return {
    login: me.data.login,
    name: me.data.name ?? undefined,
    type: me.data.type,
    scopes,
    allows,
    rate: { core: limits.data.resources.core, search: limits.data.resources.search },
    api: services.endpoint.url,
  };
}

/** `core 4999/5000 left (resets 2026-05-01T10:00:00Z)` */
export function describeRate(name: string, r: RateWindow | undefined): string | undefined {
  if (!r) return undefined;
  const at = new Date(r.reset * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `${name} ${r.remaining}/${r.limit} left (resets ${at})`;
}
