import { classifyAddress, isLoopbackName } from '@patchbay/kit';

/** Google's own endpoints: the defaults when nothing else is configured. */
export const GOOGLE = {
  apiRoot: 'https://www.googleapis.com/',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  revokeUrl: 'https://oauth2.googleapis.com/revoke',
  tokenInfoUrl: 'https://oauth2.googleapis.com/tokeninfo',
  /** Where Docs revisions' `exportLinks` point. */
  docsOrigin: 'https://docs.google.com',
} as const;

/**
 * A URL the connector sends the bearer token to: HTTPS, or plain http only on loopback (the
 * sandbox). Anything else would put the token on the wire in clear text.
 */
function checkedUrl(value: string, what: string): { url: URL } | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: `is not a URL (${what}); expected e.g. https://www.googleapis.com/` };
  }
  if (url.username || url.password) return { problem: 'must not carry a user name or password' };
  if (url.protocol === 'https:') return { url };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol === 'http:' && (isLoopbackName(host) || classifyAddress(host) === 'loopback')) return { url };
  return {
    problem: `must use https (plain http only on 127.0.0.1 or localhost, for the sandbox); got ${url.protocol}//${url.host}`,
  };
}

/**
 * The Google APIs root the clients use as `rootUrl` (Drive at `drive/v3/…`, uploads at
 * `upload/drive/v3/…`, Sheets at `v4/…`). Always ends in `/`. googleapis drops any path prefix
 * of a rootUrl, so a path is refused rather than silently ignored.
 */
export function resolveApiUrl(value: string | undefined): { url: string; loopback: boolean } | { problem: string } {
  const checked = checkedUrl(value ?? GOOGLE.apiRoot, 'the Google APIs root');
  if ('problem' in checked) return checked;
  if (checked.url.pathname !== '/' || checked.url.search || checked.url.hash) {
    return {
      problem: `must be an origin without a path (${checked.url.origin}/): Google's clients drop a path prefix, so serve the API at the root of its own port`,
    };
  }
  return { url: `${checked.url.origin}/`, loopback: checked.url.protocol === 'http:' };
}

/** An OAuth endpoint (token or authorization) given by the operator. */
export function resolveOAuthUrl(value: string, what: string): { url?: string; problem?: string } {
  const checked = checkedUrl(value, `the OAuth ${what} endpoint`);
  return 'problem' in checked ? { problem: checked.problem } : { url: checked.url.href };
}

/** A `token_uri` read from a key or account file: held to the same rule, with its source named. */
export function checkedTokenUri(value: unknown, source: string): string {
  if (typeof value !== 'string' || value === '') return GOOGLE.tokenUrl;
  const checked = checkedUrl(value, 'token_uri');
  if ('problem' in checked) throw new Error(`${source}: token_uri ${checked.problem}`);
  return checked.url.href;
}

/** The tokeninfo endpoint beside a token endpoint (Google's: oauth2.googleapis.com/tokeninfo). */
export function tokenInfoUrlFor(tokenUrl: string): string {
  return new URL('/tokeninfo', tokenUrl).href;
}

/** The revocation endpoint beside a token endpoint. */
export function revokeUrlFor(tokenUrl: string): string {
  return new URL('/revoke', tokenUrl).href;
}
