import { isIP, isIPv4 } from 'node:net';

/**
 * What kind of place an IP address is, for connectors that reach the network on a model's behalf
 * (a browser's navigation, a git clone). Each connector decides which classes it refuses; cloud
 * metadata and link-local addresses should always be among them.
 *
 * `loopback` covers this host however it is spelled: 127.0.0.0/8, 0.0.0.0/8 (connecting to it
 * reaches this host), `::1`, `::` and IPv4-mapped or NAT64/6to4 forms of those.
 */
export type AddressClass = 'metadata' | 'link-local' | 'reserved' | 'loopback' | 'private' | 'public';

/** Hostnames that are cloud metadata services whatever they resolve to. */
const METADATA_NAMES = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
]);
const METADATA_V4 = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', '192.0.0.192']);

/** A name that is a cloud metadata service (GCP, EC2, …), in any case, with or without a trailing dot. */
export function isMetadataName(host: string): boolean {
  return METADATA_NAMES.has(host.toLowerCase().replace(/\.$/, ''));
}

/** `localhost` and `*.localhost`: resolved to loopback by browsers and curl without asking DNS. */
export function isLoopbackName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

/**
 * `net.isIP` without its IPv6 pattern for text that cannot be IPv6 (no colon): V8 compiles that
 * pattern on first use, 4–7 ms on the first navigation or clone of a process, for every host name.
 */
export function ipFamily(text: string): 0 | 4 | 6 {
  if (text.includes(':')) return isIP(text) as 0 | 4 | 6;
  return isIPv4(text) ? 4 : 0;
}

/** The class of an IPv4 or IPv6 address (brackets and a zone id are ignored); `reserved` for anything else. */
export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = ipFamily(bare);
  if (family === 4) return classifyV4(v4ToInt(bare));
  if (family === 6) return classifyV6(bare);
  // Not an address at all: the caller resolves names first.
  return 'reserved';
}

function v4ToInt(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function inV4(n: number, base: string, bits: number): boolean {
  const size = 2 ** (32 - bits);
  const start = v4ToInt(base);
  return n >= start && n < start + size;
}

function classifyV4(n: number): AddressClass {
  const dotted = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  if (METADATA_V4.has(dotted)) return 'metadata';
  if (inV4(n, '169.254.0.0', 16)) return 'link-local';
  // Connecting to 0.0.0.0 reaches this host.
  if (inV4(n, '0.0.0.0', 8)) return 'loopback';
  if (inV4(n, '127.0.0.0', 8)) return 'loopback';
  if (inV4(n, '10.0.0.0', 8) || inV4(n, '172.16.0.0', 12) || inV4(n, '192.168.0.0', 16) || inV4(n, '100.64.0.0', 10)) {
    return 'private';
  }
  if (inV4(n, '192.0.0.0', 24) || inV4(n, '198.18.0.0', 15)) return 'private';
  if (inV4(n, '224.0.0.0', 4) || inV4(n, '240.0.0.0', 4)) return 'reserved';
  return 'public';
}

/** Expand an IPv6 address to its eight 16-bit groups. */
function v6Groups(address: string): number[] {
  let text = address.toLowerCase();
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = v4ToInt(dotted[1] as string);
    text = `${text.slice(0, dotted.index)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const missing = tail !== undefined ? 8 - left.length - right.length : 0;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => Number.parseInt(g, 16) || 0);
}

function classifyV6(address: string): AddressClass {
  const g = v6Groups(address);
  const [a = 0, b = 0] = g;
  const embeddedV4 = (hi: number, lo: number) => classifyV4(((hi << 16) >>> 0) + lo);
  // fd00:ec2::254 is the EC2 metadata service over IPv6.
  if (a === 0xfd00 && b === 0x0ec2 && g.slice(2, 7).every((x) => x === 0) && g[7] === 0x254) return 'metadata';
  if (g.every((x) => x === 0)) return 'loopback';
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) carry an IPv4 destination.
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) return embeddedV4(g[6] ?? 0, g[7] ?? 0);
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) also reach an IPv4 address.
  if (a === 0x64 && b === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return embeddedV4(g[6] ?? 0, g[7] ?? 0);
  if (a === 0x2002) return embeddedV4(b, g[2] ?? 0);
  if ((a & 0xffc0) === 0xfe80) return 'link-local';
  if ((a & 0xfe00) === 0xfc00 || (a & 0xffc0) === 0xfec0) return 'private';
  if ((a & 0xff00) === 0xff00) return 'reserved';
  return 'public';
}
