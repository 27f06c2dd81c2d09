/**
 * Which hosts and addresses a webhook may reach, as plain functions over strings: the URL
 * check at creation (`url.ts`) and every transport at delivery use the same rules.
 */

/**
 * A host name as the resolver treats it: lower case, without the trailing dot of a fully
 * qualified name (`LocalHost.` is `localhost`) and without IPv6 brackets.
 */
export function normaliseHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.+$/, '');
}

/** Names that reach the platform's own machine. */
export const isLoopbackName = (host: string): boolean => host === 'localhost' || host.endsWith('.localhost');

/**
 * Names that never lead to a customer's public server: single labels (`metadata`, an
 * intranet host), cloud metadata services (`metadata.google.internal`, `instance-data`) and
 * the suffixes reserved for private networks (`.internal`, `.local`, `.localdomain`,
 * `.home.arpa`). Loopback names are told apart by `isLoopbackName`.
 */
export function isInternalName(host: string): boolean {
  if (isIpLiteral(host)) return false;
  if (!host.includes('.')) return true;
  return /\.(internal|local|localdomain|home\.arpa|intranet|lan)$/.test(host) || host === 'instance-data.ec2.internal';
}

export const isIpLiteral = (host: string): boolean => parseIpv4(host) !== null || parseIpv6(host) !== null;

/** Whether an address (v4 or v6 text) is loopback. */
export function isLoopbackAddress(address: string): boolean {
  const v4 = parseIpv4(address) ?? embeddedIpv4(address);
  if (v4) return v4[0] === 127;
  const v6 = parseIpv6(address);
  return v6 !== null && v6.slice(0, 7).every((g) => g === 0) && v6[7] === 1;
}

/**
 * Whether a webhook must not be sent to this address: loopback, private (RFC 1918, CGNAT
 * 100.64/10, ULA fc00::/7), link-local (169.254/16 with the metadata service
 * 169.254.169.254, fe80::/10), unspecified, multicast, broadcast, reserved and documentation
 * ranges; IPv4 inside IPv6 (mapped, compatible, NAT64, 6to4) by the IPv4 it carries.
 * Text that is no address is refused too (fail closed).
 */
export function isForbiddenAddress(address: string): boolean {
  const v4 = parseIpv4(address);
  if (v4) return isForbiddenIpv4(v4);
  const v6 = parseIpv6(address);
  if (!v6) return true;
  const carried = ipv4In(v6);
  if (carried) return isForbiddenIpv4(carried);
  const [first] = v6 as [number];
  if (v6.every((g) => g === 0)) return true; // ::
  if (v6.slice(0, 7).every((g) => g === 0) && v6[7] === 1) return true; // ::1
  if ((first & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80 || (first & 0xffc0) === 0xfec0) return true; // link-local, old site-local
  if ((first & 0xff00) === 0xff00) return true; // multicast
  if (first === 0x0100 && v6[1] === 0 && v6[2] === 0 && v6[3] === 0) return true; // 100::/64 discard
  if (first === 0x2001 && v6[1] === 0x0db8) return true; // documentation
  return false;
}

function isForbiddenIpv4([a, b, c]: readonly number[]): boolean {
  return (
    a === 0 || // "this network", 0.0.0.0
    a === 10 ||
    a === 127 ||
    (a === 100 && b! >= 64 && b! <= 127) || // CGNAT
    (a === 169 && b === 254) || // link-local, metadata
    (a === 172 && b! >= 16 && b! <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) || // IETF protocol assignments, TEST-NET-1
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    a! >= 224 // multicast, reserved, broadcast
  );
}

/** Four octets of a dotted-quad IPv4 address, or null. */
function parseIpv4(text: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

/** Eight 16-bit groups of an IPv6 address (a trailing dotted quad and a zone allowed), or null. */
function parseIpv6(text: string): number[] | null {
  let rest = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '').toLowerCase();
  if (!rest.includes(':')) return null;
  // A trailing dotted quad (::ffff:127.0.0.1) is the last two groups.
  const quad = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(rest);
  if (quad) {
    const v4 = parseIpv4(quad[1]!);
    if (!v4) return null;
    rest = `${rest.slice(0, quad.index)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = rest.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const back = halves.length === 2 ? groups(halves[1]!) : [];
  if (![...head, ...back].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  const known = head.length + back.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return null;
  const zeros = new Array<number>(8 - known).fill(0);
  return [...head, ...zeros, ...back].map((g) => (typeof g === 'number' ? g : parseInt(g, 16)));
}

/** The IPv4 address an IPv6 address carries: mapped (::ffff:0:0/96), compatible (::/96), NAT64 (64:ff9b::/96) or 6to4 (2002::/16). */
function ipv4In(v6: readonly number[]): number[] | null {
  const low = (hi: number, lo: number) => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
  const zeros = (from: number, to: number) => v6.slice(from, to).every((g) => g === 0);
  if (zeros(0, 5) && v6[5] === 0xffff) return low(v6[6]!, v6[7]!);
  if (zeros(0, 6) && (v6[6] !== 0 || v6[7]! > 1)) return low(v6[6]!, v6[7]!);
  if (v6[0] === 0x64 && v6[1] === 0xff9b && zeros(2, 6)) return low(v6[6]!, v6[7]!);
  if (v6[0] === 0x2002) return low(v6[1]!, v6[2]!);
  return null;
}

function embeddedIpv4(address: string): number[] | null {
  const v6 = parseIpv6(address);
  return v6 ? ipv4In(v6) : null;
}
