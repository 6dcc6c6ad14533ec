import { ipFamily } from '@patchbay/kit';

/**
 * A remote URL as git reads it: which transport it takes and which host it connects to. The
 * connection check must judge the host git will connect to, not the host another parser sees —
 * WHATWG's URL parser reads `https://a.example\@127.0.0.1/` as host a.example while curl
 * connects to 127.0.0.1 — so this follows git's own rules (transport.c, connect.c) and stays
 * strict where the readings could differ.
 */
export type Endpoint =
  | { transport: 'local' }
  /** `<helper>::<address>` or `<scheme>://` served by a remote helper git-remote-<scheme>. */
  | { transport: 'helper'; scheme: string }
  | { transport: 'curl' | 'ssh' | 'git'; scheme: string; host: string; port: number | undefined; user: string | undefined };

const CURL_SCHEMES = new Set(['http', 'https', 'ftp', 'ftps']);
const SSH_SCHEMES = new Set(['ssh', 'git+ssh', 'ssh+git']);
const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443, ftp: 21, ftps: 990, git: 9418 };

/** Thrown when a URL is one git might read differently from us; the message says what to change. */
export class AmbiguousUrl extends Error {
  override readonly name = 'AmbiguousUrl';
}

export function parseEndpoint(url: string): Endpoint {
  const helper = /^([A-Za-z][A-Za-z0-9+.-]*)::/.exec(url);
  if (helper) return { transport: 'helper', scheme: (helper[1] as string).toLowerCase() };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme) {
    if (scheme === 'file') return { transport: 'local' };
    const transport = CURL_SCHEMES.has(scheme) ? 'curl' : SSH_SCHEMES.has(scheme) ? 'ssh' : scheme === 'git' ? 'git' : undefined;
    if (!transport) return { transport: 'helper', scheme };
    const authority = url.slice(scheme.length + 3).split(/[/?#]/, 1)[0] as string;
    return { transport, scheme, ...splitAuthority(authority, DEFAULT_PORTS[scheme]) };
  }
  // git's rule: a colon before any slash makes it the scp-like ssh form [user@]host:path.
  const colon = url.indexOf(':');
  const slash = url.indexOf('/');
  if (colon <= 0 || (slash !== -1 && slash < colon && !url.startsWith('['))) return { transport: 'local' };
  const at = url.startsWith('[') ? -1 : url.lastIndexOf('@', colon);
  const user = at > 0 ? url.slice(0, at) : undefined;
  const rest = at > 0 ? url.slice(at + 1) : url;
  let host: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) throw new AmbiguousUrl('the host has a "[" without a matching "]".');
    host = rest.slice(1, close);
    if (ipFamily(host) !== 6) {
      throw new AmbiguousUrl(`"[${host}]" is not a valid IPv6 address (git would read "[host:port]" as a host and a port).`);
    }
    return { transport: 'ssh', scheme: 'ssh', host: host.toLowerCase(), port: undefined, user };
  }
  host = rest.slice(0, rest.indexOf(':'));
  return { transport: 'ssh', scheme: 'ssh', host: checkedHost(host), port: undefined, user };
}

/** `user@host:port` of a scheme URL, refusing every spelling curl, ssh and WHATWG might split differently. */
function splitAuthority(authority: string, defaultPort: number | undefined) {
  if (authority.includes('\\'))
    throw new AmbiguousUrl('a backslash in the host part is read differently by git and by URL parsers.');
  const ats = authority.split('@').length - 1;
  if (ats > 1) throw new AmbiguousUrl('more than one "@" before the host: encode "@" in a user name or password as %40.');
  const at = authority.indexOf('@');
  const user = at === -1 ? undefined : authority.slice(0, at);
  const hostPort = authority.slice(at + 1);
  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    host = hostPort.slice(1, close === -1 ? undefined : close);
    if (close === -1 || ipFamily(host) !== 6) throw new AmbiguousUrl(`"${hostPort}" is not a valid bracketed IPv6 address.`);
    portText = hostPort.slice(close + 1).replace(/^:/, '') || undefined;
  } else {
    const colon = hostPort.indexOf(':');
    host = colon === -1 ? hostPort : hostPort.slice(0, colon);
    portText = colon === -1 ? undefined : hostPort.slice(colon + 1) || undefined;
  }
  if (portText !== undefined && !/^\d{1,5}$/.test(portText)) throw new AmbiguousUrl(`"${portText}" is not a port number.`);
  const port = portText !== undefined ? Number(portText) : defaultPort;
  return { host: ipFamily(host) === 6 ? host.toLowerCase() : checkedHost(host), port, user };
}

/**
 * A host name or IPv4 address as curl, ssh and the system resolver all read it alike: ASCII
 * letters, digits, dots, hyphens and underscores. Percent-escapes and non-ASCII names are refused rather than
 * decoded, since each program decodes them its own way.
 */
function checkedHost(host: string): string {
  if (host === '') throw new AmbiguousUrl('it has no host.');
  if (!/^[A-Za-z0-9._-]+$/.test(host)) {
    throw new AmbiguousUrl(
      `write the host name plainly: "${host}" has characters (escapes, non-ASCII) that git, ssh and the resolver may each read differently; use the punycode form (xn--…) for an international name.`,
    );
  }
  return host.toLowerCase();
}
