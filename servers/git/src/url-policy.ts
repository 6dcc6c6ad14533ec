import { ipFamily, ToolError } from '@patchbay/kit';
import { AmbiguousUrl, parseEndpoint } from './remote-url.js';

/**
 * Which URLs git_clone accepts. A model supplies the URL, so it is held to a short list:
 * https://, ssh://, git:// and scp-like `user@host:path`. Everything else is refused before git
 * sees it — `file://` and local paths (they would copy any repository on this machine), `ext::`
 * and every other `transport::address` form (they run programs), `http://` (no transport
 * security), `-`-prefixed values (options) — and so are hosts that name this machine or its
 * cloud metadata service (loopback, link-local, unspecified addresses), which would turn clone
 * into a request forger, and URLs git would read with another host than ours (a backslash or a
 * second "@" before the host, escapes in the host: see remote-url.ts).
 *
 * This is the check on the text. What a host name resolves to is checked when git is about to
 * connect, and git is pinned to the checked address (network.ts, pinning.ts). Private network
 * ranges stay allowed unless the operator blocks them: self-hosted git servers live there.
 */
export interface CloneUrl {
  url: string;
  host: string;
  /** The last path segment without ".git": the default folder name. */
  name: string;
}

const ALLOWED_SCHEMES = new Set(['https', 'ssh', 'git']);
const SCP_LIKE = /^([A-Za-z0-9._~+-]+)@(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(.+)$/;

export function checkCloneUrl(value: string, argument = 'url'): CloneUrl {
  const url = value.trim();
  const refuse = (problem: string): never => {
    throw new ToolError(problem, {
      argument,
      hint: 'Use an https://, ssh:// or git:// URL, or the user@host:path form (e.g. git@github.com:owner/repo.git).',
    });
  };
  if (url === '' || /[\s\0-\x1f\x7f]/.test(url)) refuse('must be a URL without spaces or control characters.');
  if (url.startsWith('-')) refuse('may not start with "-" (it would be read as a git option).');
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url))
    refuse(`"${url.split('::')[0]}::" transports are not allowed (they can run programs).`);

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  let host: string;
  let path: string;
  if (scheme) {
    if (!ALLOWED_SCHEMES.has(scheme)) {
      refuse(
        scheme === 'file'
          ? 'file:// URLs are not allowed: clone copies from a remote host, never from this machine.'
          : scheme === 'http'
            ? 'http:// is not allowed (no transport security); use https://.'
            : `${scheme}:// URLs are not allowed.`,
      );
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return refuse('is not a valid URL.');
    }
    host = parsed.hostname;
    path = parsed.pathname;
    // ssh would read "-oProxyCommand=…" as an option (CVE-2017-1000117): refuse it outright.
    if (parsed.username.startsWith('-') || decodeURIComponent(parsed.username).startsWith('-'))
      refuse('the user name may not start with "-".');
  } else {
    const scp = SCP_LIKE.exec(url);
    if (!scp) {
      return refuse(
        url.startsWith('/') || url.startsWith('.') || url.startsWith('~') || /^[A-Za-z]:[\\/]/.test(url)
          ? 'local paths are not allowed: clone copies from a remote host, never from this machine.'
          : 'is not a URL git_clone accepts.',
      );
    }
    host = scp[2] as string;
    path = scp[3] as string;
    if (path.startsWith('-')) refuse('the path after ":" may not start with "-".');
  }
  if (!host) refuse('has no host.');
  if (host.startsWith('-')) refuse('the host may not start with "-".');
  // The host as git itself will read it must be the one judged below and resolved later.
  try {
    parseEndpoint(url);
  } catch (error) {
    if (error instanceof AmbiguousUrl) refuse(error.message);
    throw error;
  }
  if (isLocalHost(host)) refuse(`the host "${host}" is this machine or a link-local address, which clone may not reach.`);
  const name = (path.split('/').filter(Boolean).at(-1) ?? '').replace(/\.git$/, '');
  return { url, host, name };
}

/** Loopback, unspecified and link-local hosts, in every spelling curl and ssh accept. */
export function isLocalHost(input: string): boolean {
  let host = input
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  // Normalise numeric IPv4 spellings ("127.1", "2130706433", "0x7f.0.0.1") the way resolvers do.
  if (!ipFamily(host) && /^[0-9a-fx.]+$/.test(host)) {
    try {
      host = new URL(`http://${host}/`).hostname;
    } catch {
      return false;
    }
  }
  if (ipFamily(host) === 4) return isLocalIPv4(host);
  if (ipFamily(host) === 6) {
    // One spelling for each address ("0:0:0:0:0:0:0:1" → "::1", "::ffff:127.0.0.1" →
    // "::ffff:7f00:1"), as for IPv4 above: a user@[host]:path URL reaches here unparsed. A
    // spelling the URL parser rejects (a zone id) is refused rather than guessed at.
    try {
      host = new URL(`http://[${host}]/`).hostname.slice(1, -1);
    } catch {
      return true;
    }
    if (host === '::1' || host === '::') return true;
    if (/^fe[89ab][0-9a-f]?:/.test(host)) return true;
    const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
    if (hexMapped) {
      const high = Number.parseInt(hexMapped[1] as string, 16);
      const low = Number.parseInt(hexMapped[2] as string, 16);
      return isLocalIPv4(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
    }
  }
  return false;
}

function isLocalIPv4(address: string): boolean {
  const [a, b] = address.split('.').map(Number);
  return a === 127 || a === 0 || (a === 169 && b === 254);
}

/** A URL with any password or token taken out, for results and logs. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@\s]*@/, '$1');
}
