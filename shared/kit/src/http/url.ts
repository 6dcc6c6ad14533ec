import { redact } from '../redact.js';

// Query parameters that carry credentials in the APIs Patchbay talks to (`access_token`, `key`,
// `client_secret`, signed-URL `sig`/`signature`, OAuth `code`). Their values never reach a log.
const SECRET_PARAM = /token|key|secret|sig|password|passwd|auth|code|credential|session/i;

/**
 * A URL fit for a log line: user and password removed, the values of credential-like query
 * parameters masked, and the kit's `redact()` applied (registered secrets, token shapes).
 * `https://u:p@api.example/x?page=2&access_token=abc` → `https://api.example/x?page=2&access_token=***`.
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redact(String(url).replace(/\?.*$/s, '?…'));
  }
  parsed.username = '';
  parsed.password = '';
  for (const name of new Set(parsed.searchParams.keys())) {
    if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, '***');
  }
  // URLSearchParams encodes the mask as %2A%2A%2A; keep it readable.
  return redact(parsed.href.replaceAll('%2A%2A%2A', '***'));
}
