import { lookup as dnsLookup } from 'node:dns/promises';
import { networkInterfaces } from 'node:os';
import { type AddressClass, classifyAddress, ipFamily, isLoopbackName, isMetadataName, within } from '@patchbay/kit';

/** Resolves a host name to its addresses, in the order a connection would try them. */
export type Lookup = (host: string) => Promise<string[]>;

/**
 * What a test (or an embedding program) may replace: the resolver, which a test cannot own, and
 * addresses to allow whatever their class, so a test can serve git on 127.0.0.2. The bin never
 * sets these.
 */
export interface NetworkSeams {
  lookup?: Lookup;
  allowAddresses?: readonly string[];
}

export type HostVerdict = { allowed: true; addresses: string[] } | { allowed: false; reason: string };

const DNS_TIMEOUT_MS = 5_000;

const systemLookup: Lookup = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((r) => r.address);

/**
 * Which hosts a URL from the model may make git connect to. A name is resolved and every address
 * it has must pass — loopback, this machine's own interface addresses, link-local, cloud metadata,
 * multicast/reserved, and private ranges when the operator blocks them, are refused — and the
 * addresses returned are the ones git is then pinned to (see pinning.ts), so a DNS answer that
 * changes after the check cannot send git elsewhere.
 */
export class RemoteGuard {
  readonly #lookup: Lookup;
  readonly #allow: Set<string>;

  constructor(
    private readonly rules: { blockPrivateNetworks: boolean },
    seams: NetworkSeams = {},
  ) {
    this.#lookup = seams.lookup ?? systemLookup;
    this.#allow = new Set((seams.allowAddresses ?? []).map(canonical));
  }

  /** Check a host (a name or a literal address) and return the addresses git may connect to. */
  async check(host: string): Promise<HostVerdict> {
    const bare = host.replace(/^\[|\]$/g, '');
    if (ipFamily(bare)) {
      const problem = this.#problem(bare);
      return problem ? { allowed: false, reason: `${bare} is ${problem}` } : { allowed: true, addresses: [bare] };
    }
    const name = bare.toLowerCase().replace(/\.$/, '');
    if (isMetadataName(name)) return { allowed: false, reason: `${host} is a cloud metadata service` };
    if (isLoopbackName(name)) return { allowed: false, reason: `${host} is this machine (a loopback name)` };
    let addresses: string[];
    try {
      addresses = await within(this.#lookup(name), DNS_TIMEOUT_MS, () =>
        Object.assign(new Error('DNS lookup timed out'), { code: 'ETIMEOUT' }),
      );
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).message;
      return { allowed: false, reason: `the host ${host} could not be resolved (${code})` };
    }
    if (addresses.length === 0) return { allowed: false, reason: `the host ${host} has no address` };
    for (const address of addresses) {
      const problem = this.#problem(address);
      if (problem) return { allowed: false, reason: `${host} resolves to ${address}, ${problem}` };
    }
    return { allowed: true, addresses };
  }

  /** Why an address is refused ("a loopback address", …), or undefined when it may be reached. */
  #problem(address: string): string | undefined {
    const key = canonical(address);
    if (this.#allow.has(key)) return undefined;
    const kind: AddressClass = classifyAddress(address);
    switch (kind) {
      case 'metadata':
        return 'a cloud metadata address';
      case 'link-local':
        return 'a link-local address';
      case 'reserved':
        return 'a reserved or multicast address';
      case 'loopback':
        return 'a loopback address';
      case 'private':
        if (this.rules.blockPrivateNetworks) return 'a private address, and the operator blocks private networks';
        break;
      default:
        break;
    }
    // A service listening on all interfaces answers on the machine's LAN address as on 127.0.0.1.
    if (ownAddresses().has(key)) return 'an address of this machine';
    return undefined;
  }
}

/** This machine's interface addresses, read at each check (interfaces come and go). */
function ownAddresses(): Set<string> {
  const own = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) own.add(canonical(entry.address));
  }
  return own;
}

/** One spelling per address: IPv6 compressed and lower case, IPv4-mapped IPv6 as dotted IPv4. */
function canonical(address: string): string {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (ipFamily(bare) !== 6) return bare;
  let text: string;
  try {
    text = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  } catch {
    return bare.toLowerCase();
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(text);
  if (!mapped) return text;
  const high = Number.parseInt(mapped[1] as string, 16);
  const low = Number.parseInt(mapped[2] as string, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}
