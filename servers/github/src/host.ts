/**
 * Which GitHub the connector talks to. `--gh-host` / `GITHUB_API_URL` / `GITHUB_HOST` take any of
 * the spellings people have at hand, and the API URL is derived the way GitHub lays it out:
 *
 * | given                                   | API                                  |
 * | --------------------------------------- | ------------------------------------ |
 * | (nothing), `github.com`                 | `https://api.github.com`             |
 * | `https://api.github.com`, `api.x.y`     | as given                             |
 * | `octo.ghe.com` (GitHub Enterprise Cloud with data residency) | `https://api.octo.ghe.com` |
 * | `https://ghes.example.com`              | `https://ghes.example.com/api/v3` (Enterprise Server) |
 * | a URL with a path (`…/api/v3`)          | as given                             |
 * | `http://127.0.0.1:4010`, `http://localhost:…` | as given (the local sandbox)   |
 *
 * The token goes to that URL in every request, so it must be HTTPS; plain HTTP is accepted only
 * on the loopback interface, where the traffic never leaves the machine (the API sandbox).
 */
export interface ApiEndpoint {
  /** The REST API base URL, without a trailing slash. */
  url: string;
  /** Loopback (the sandbox): GitHub's client-side write pacing is not needed there. */
  loopback: boolean;
}

export const DEFAULT_API_URL = 'https://api.github.com';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function resolveApiUrl(value: string | undefined): ApiEndpoint | { problem: string } {
  const raw = value?.trim();
  if (!raw) return { url: DEFAULT_API_URL, loopback: false };
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    return { problem: `"${raw}" is not a host name or URL (e.g. github.example.com or https://github.example.com).` };
  }
  const loopback = LOOPBACK.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return {
      problem: `must use https:// (got ${url.protocol}//${url.host}): the token is sent with every request. Plain http:// is accepted only for 127.0.0.1 or localhost, such as the local sandbox.`,
    };
  }
  if (url.username || url.password) return { problem: 'must not carry a user name or password; set the token in GITHUB_TOKEN.' };
  if (url.search || url.hash) return { problem: 'must not have a query or fragment.' };
  const path = url.pathname.replace(/\/+$/, '');
  const origin = url.origin;
  if (path || loopback) return { url: `${origin}${path}`, loopback };
  const host = url.hostname.toLowerCase();
  if (host === 'github.com' || host === 'www.github.com') return { url: DEFAULT_API_URL, loopback };
  if (host.startsWith('api.')) return { url: origin, loopback };
  if (host.endsWith('.ghe.com')) return { url: `${url.protocol}//api.${url.host}`, loopback };
  return { url: `${origin}/api/v3`, loopback };
}
