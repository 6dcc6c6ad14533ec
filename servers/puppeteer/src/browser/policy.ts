import { lookup as dnsLookup } from 'node:dns/promises';
import { type AddressClass, classifyAddress, ipFamily, isLoopbackName, isMetadataName, within } from '@patchbay/kit';
import { SITE_PATTERN } from '../config.js';

/** Where the browser may go, decided for every request it makes. */
export type Verdict = { allowed: true } | { allowed: false; reason: string };

export interface PolicyOptions {
  allowSites: readonly string[];
  blockSites: readonly string[];
  blockPrivateNetworks: boolean;
}

type Lookup = (host: string) => Promise<string[]>;
type Resolved = { verdict: Verdict; address?: string | undefined };

interface SitePattern {
  scheme?: string;
  host: string;
  /** `example.com` covers the host and its subdomains, `*.example.com` subdomains only, an origin its host only. */
  mode: 'host' | 'host-and-subdomains' | 'subdomains';
  port?: string;
  source: string;
}

const TOP_LEVEL_SCHEMES = new Set(['http:', 'https:']);
/** Subresources may also come from these, which never touch the network. */
const LOCAL_SUBRESOURCE_SCHEMES = new Set(['data:', 'blob:', 'about:']);
const DNS_TTL_MS = 30_000;
const DNS_CACHE_MAX = 500;
const DNS_TIMEOUT_MS = 5_000;

const ALLOWED: Verdict = { allowed: true };

const defaultLookup: Lookup = async (host) => {
  const records = await dnsLookup(host, { all: true, verbatim: true });
  return records.map((r) => r.address);
};

/**
 * The navigation policy. Top-level pages are http(s) or about:blank only; every request (page,
 * redirect, subframe, subresource) is checked against the operator's site lists and against the
 * address classes its host resolves to, so a DNS name pointing at the metadata service is caught
 * like the literal address.
 */
export class NavigationPolicy {
  readonly #allow: SitePattern[];
  readonly #block: SitePattern[];
  readonly #dns = new Map<string, { addresses: Promise<string[]>; expires: number }>();

  constructor(
    readonly options: PolicyOptions,
    private readonly lookup: Lookup = defaultLookup,
  ) {
    this.#allow = options.allowSites.map(parsePattern);
    this.#block = options.blockSites.map(parsePattern);
  }

  /** A URL the model asked to open in a tab. */
  async checkTopLevel(raw: string): Promise<Verdict> {
    const url = parse(raw);
    if (!url) return { allowed: false, reason: 'it is not an absolute URL' };
    if (url.href === 'about:blank') return ALLOWED;
    if (!TOP_LEVEL_SCHEMES.has(url.protocol)) {
      return { allowed: false, reason: `the ${url.protocol} scheme is not allowed; only http:, https: and about:blank` };
    }
    return this.checkNetwork(url);
  }

  /** A request the page makes (document, redirect, frame, image, script, fetch…). */
  async checkRequest(raw: string, topLevelDocument: boolean): Promise<Verdict> {
    if (topLevelDocument) return this.checkTopLevel(raw);
    const url = parse(raw);
    if (!url) return { allowed: false, reason: 'it is not an absolute URL' };
    if (LOCAL_SUBRESOURCE_SCHEMES.has(url.protocol)) return ALLOWED;
    if (!TOP_LEVEL_SCHEMES.has(url.protocol) && url.protocol !== 'ws:' && url.protocol !== 'wss:') {
      return { allowed: false, reason: `the ${url.protocol} scheme is not allowed` };
    }
    return this.checkNetwork(url);
  }

  /** The synchronous part: schemes, names and site lists, without DNS. */
  checkStatic(url: URL): Verdict {
    const host = hostOf(url);
    if (isMetadataName(host)) return { allowed: false, reason: `${host} is a cloud metadata service` };
    for (const p of this.#block) {
      if (matches(p, url)) return { allowed: false, reason: `${host} is blocked by the operator (--block-sites ${p.source})` };
    }
    if (this.#allow.length && !this.#allow.some((p) => matches(p, url))) {
      return { allowed: false, reason: `${host} is not in the operator's --allow-sites list` };
    }
    if (isLoopbackName(host)) return this.#verdictFor('loopback', host);
    const literal = host.replace(/^\[|\]$/g, '');
    if (ipFamily(literal)) return this.#verdictFor(classifyAddress(literal), host);
    return ALLOWED;
  }

  async checkNetwork(url: URL): Promise<Verdict> {
    const first = this.checkStatic(url);
    if (!first.allowed) return first;
    const host = hostOf(url);
    if (ipFamily(host.replace(/^\[|\]$/g, '')) || isLoopbackName(host)) return first;
    try {
      return (await this.#checkResolved(host, host)).verdict;
    } catch {
      // The browser's own lookup will fail the same way and report it; nothing is reached.
      return ALLOWED;
    }
  }

  /**
   * A connection the browser asks the guard proxy for: the same checks, then the one address to
   * connect to. The proxy connects to exactly that address, so a DNS answer that changes after
   * the check (rebinding) cannot send the browser somewhere else.
   */
  async checkConnection(
    host: string,
    port: number,
  ): Promise<{ allowed: true; address: string } | { allowed: false; reason: string; unresolved?: boolean }> {
    const bare = host.replace(/^\[|\]$/g, '');
    const shown = ipFamily(bare) === 6 ? `[${bare}]` : bare;
    const url = parse(`${port === 443 ? 'https' : 'http'}://${shown}:${port}/`);
    if (!url) return { allowed: false, reason: `${host} is not a host name` };
    const first = this.checkStatic(url);
    if (!first.allowed) return first;
    if (ipFamily(bare)) return { allowed: true, address: bare };
    let checked: Resolved;
    try {
      checked = await this.#checkResolved(hostOf(url), bare);
    } catch {
      return { allowed: false, reason: `${host} could not be resolved`, unresolved: true };
    }
    if (!checked.verdict.allowed) return checked.verdict;
    const { address } = checked;
    return address ? { allowed: true, address } : { allowed: false, reason: `${host} has no address`, unresolved: true };
  }

  /** Every address a name resolves to must pass; the first is the one to connect to. Throws when it does not resolve. */
  async #checkResolved(host: string, shown: string): Promise<Resolved> {
    const addresses = await this.#resolve(host);
    for (const address of addresses) {
      const verdict = this.#verdictFor(classifyAddress(address), `${shown} (${address})`);
      if (!verdict.allowed) return { verdict };
    }
    return { verdict: ALLOWED, address: addresses[0] };
  }

  #verdictFor(kind: AddressClass, what: string): Verdict {
    switch (kind) {
      case 'metadata':
        return { allowed: false, reason: `${what} is a cloud metadata address` };
      case 'link-local':
        return { allowed: false, reason: `${what} is a link-local address` };
      case 'reserved':
        return { allowed: false, reason: `${what} is a reserved or multicast address` };
      case 'loopback':
      case 'private':
        return this.options.blockPrivateNetworks
          ? { allowed: false, reason: `${what} is a ${kind} address and the operator blocks private networks` }
          : ALLOWED;
      default:
        return ALLOWED;
    }
  }

  #resolve(host: string): Promise<string[]> {
    const now = Date.now();
    const cached = this.#dns.get(host);
    if (cached && cached.expires > now) return cached.addresses;
    if (this.#dns.size >= DNS_CACHE_MAX) this.#dns.clear();
    const addresses = within(this.lookup(host), DNS_TIMEOUT_MS, () => new Error('DNS lookup timed out'));
    this.#dns.set(host, { addresses, expires: now + DNS_TTL_MS });
    addresses.catch(() => this.#dns.delete(host));
    return addresses;
  }
}

function parse(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

function parsePattern(source: string): SitePattern {
  const match = SITE_PATTERN.exec(source.trim());
  if (!match) throw new Error(`not a site pattern: ${source}`);
  const [, scheme, star, host = '', port] = match;
  return {
    ...(scheme ? { scheme: `${scheme.toLowerCase()}:` } : {}),
    host: host.toLowerCase(),
    mode: star ? 'subdomains' : scheme ? 'host' : 'host-and-subdomains',
    ...(port ? { port } : {}),
    source,
  };
}

/** A URL's host as the policy compares it: lower case, without the trailing dot of a rooted name. */
function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/\.$/, '');
}

function matches(p: SitePattern, url: URL): boolean {
  const host = hostOf(url);
  if (p.scheme) {
    // ws(s) requests belong to the http(s) origin they upgrade from.
    const scheme = url.protocol === 'ws:' ? 'http:' : url.protocol === 'wss:' ? 'https:' : url.protocol;
    if (scheme !== p.scheme) return false;
  }
  if (p.port) {
    const port = url.port || (url.protocol === 'https:' || url.protocol === 'wss:' ? '443' : '80');
    if (port !== p.port) return false;
  }
  const sub = host.endsWith(`.${p.host}`);
  if (p.mode === 'subdomains') return sub;
  return host === p.host || (p.mode === 'host-and-subdomains' && sub);
}
