import { classifyAddress, isLoopbackName } from '@patchbay/kit';

export const DEFAULT_API_URL = 'https://slack.com/api/';

/**
 * The Web API base URL from `SLACK_API_URL`: Slack's own by default, GovSlack
 * (`https://slack-gov.com/api/`), a corporate proxy, or the local sandbox. The tokens go with
 * every request, so it must be https — except on this machine (the sandbox, a local proxy).
 * WebClient appends method names to it, so it always ends with `/`.
 */
export function resolveApiUrl(value: string | undefined): { url: string; loopback: boolean } | { problem: string } {
  if (value === undefined || value.trim() === '') return { url: DEFAULT_API_URL, loopback: false };
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return { problem: `"${value}" is not a URL (e.g. https://slack.com/api/)` };
  }
  if (url.username || url.password) return { problem: 'must not carry a user name or password' };
  if (url.search || url.hash) return { problem: 'must not have a query string or fragment' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = isLoopbackName(host) || classifyAddress(host) === 'loopback';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return { problem: `must use https (http only for 127.0.0.1, ::1 or localhost), got ${url.protocol}//${url.host}` };
  }
  const href = url.href.endsWith('/') ? url.href : `${url.href}/`;
  return { url: href, loopback };
}
