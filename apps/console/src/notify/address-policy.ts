/**
 * Where webhooks may go. A webhook URL is written by a tenant, so it must not reach what only
 * the console can reach: its own loopback, the cloud's metadata server, the cluster's Services,
 * the private network. These pure functions give the verdicts; `webhook.ts` asks them about the
 * URL's host before anything is sent, and about every address a name resolves to at the moment
 * of connecting, so that a name that changes its answer (DNS rebinding) is caught as well.
 *
 * Refused unless an admin allows them (`VIGIE_WEBHOOK_ALLOW`, or `vigie up --webhook-allow`):
 *
 * - addresses: unspecified, loopback, link-local (169.254.0.0/16, the metadata server's
 *   169.254.169.254 among them; fe80::/10), private (RFC 1918, fc00::/7 ULA, fec0::/10),
 *   shared (carrier-grade NAT, 100.64.0.0/10), multicast, broadcast and the reserved, benchmark
 *   and documentation ranges; and IPv6 addresses that carry such an IPv4 address: IPv4-mapped
 *   (`::ffff:127.0.0.1`), IPv4-compatible and -translated, NAT64 (64:ff9b::/96), 6to4
 *   (2002::/16) and Teredo (2001::/32); the local-use NAT64 prefix 64:ff9b:1::/48 counts as
 *   private. A cluster's Service range is private, so Services are refused by address too.
 * - names: `localhost` and `*.localhost`, the cluster's (`*.svc`, `*.cluster.local`), and
 *   names of one label (`vigie-console`), which the resolver completes with the pod's search
 *   domains.
 *
 * An allowance is a list of CIDR ranges (or single addresses) and exact host names. A range
 * opens the addresses in it. A host name is trusted whatever it resolves to, so allow only
 * names whose DNS you control; a cluster name is opened only by naming it.
 */

import { isIP } from 'node:net';

/** What an admin lets webhooks reach despite the rules; parsed by {@link parseWebhookAllowance}. */
export interface WebhookAllowance {
  /** Address ranges, IPv4-mapped IPv6 ranges given as IPv4. */
  readonly ranges: readonly AddressRange[];
  /** Exact host names, lowercase, without a trailing dot. */
  readonly hosts: readonly string[];
}

/** One CIDR range. */
export interface AddressRange {
  readonly version: 4 | 6;
  /** The network's bytes (4 or 16), host bits cleared. */
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

/** The kinds of address that webhooks may not reach unless allowed. */
export type AddressClass =
  | 'unspecified'
  | 'loopback'
  | 'link-local'
  | 'private'
  | 'shared'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

/** The verdict on one address: `embedded` is the IPv4 address an IPv6 one carries. */
export type AddressVerdict =
  | { readonly forbidden: false }
  | { readonly forbidden: true; readonly class: AddressClass; readonly embedded?: string };

/** The verdict on a URL's host, before any lookup. */
export type HostVerdict =
  /** An allowed address or host name, or an address that breaks no rule: connect. */
  | { readonly verdict: 'connect' }
  /** A name: connect only if every address it resolves to passes {@link verifyAddresses}. */
  | { readonly verdict: 'resolve' }
  | { readonly verdict: 'refuse'; readonly reason: string };

/** The verdict on the addresses a name resolved to. */
export type AddressesVerdict =
  { readonly verdict: 'connect' } | { readonly verdict: 'refuse'; readonly reason: string };

/** An allowance that allows nothing: the default. */
export const NO_ALLOWANCE: WebhookAllowance = { ranges: [], hosts: [] };

/** How refusals tell people to lift them. */
const HOW_TO_ALLOW = 'an admin can allow it with VIGIE_WEBHOOK_ALLOW (vigie up: --webhook-allow)';

const PHRASES: Readonly<Record<AddressClass, string>> = {
  unspecified: 'the unspecified address',
  loopback: 'a loopback address',
  'link-local': 'a link-local address (the cloud metadata server is one)',
  private: 'a private address',
  shared: 'a shared (carrier-grade NAT) address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
};

interface Ip {
  readonly version: 4 | 6;
  readonly bytes: Uint8Array;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (const [i, part] of parts.entries()) {
    // Leading zeros are refused: some resolvers read them as octal.
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    bytes[i] = Number(part);
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | undefined {
  // A zone (`fe80::1%eth0`) says which interface, not where: the address decides.
  const address = text.split('%')[0] ?? '';
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const words: number[] = [];
    const parts = half.split(':');
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4(part);
        if (v4 === undefined) return undefined;
        words.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
        words.push(parseInt(part, 16));
      } else {
        return undefined;
      }
    }
    return words;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const words = [...head, ...Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  for (const [i, word] of words.entries()) {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  }
  return bytes;
}

function parseIp(text: string): Ip | undefined {
  if (text.includes(':')) {
    const bytes = parseIpv6(text);
    return bytes === undefined ? undefined : { version: 6, bytes };
  }
  const bytes = parseIpv4(text);
  return bytes === undefined ? undefined : { version: 4, bytes };
}

function inRange(bytes: Uint8Array, network: readonly number[], prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit += 8) {
    const take = Math.min(8, prefix - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[bit / 8] ?? 0) & mask) !== ((network[bit / 8] ?? 0) & mask)) return false;
  }
  return true;
}

const IPV4_MAPPED = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** `::ffff:a.b.c.d` is a.b.c.d: sockets reach the IPv4 address. */
function normalize(ip: Ip): Ip {
  return ip.version === 6 && inRange(ip.bytes, IPV4_MAPPED, 96)
    ? { version: 4, bytes: ip.bytes.slice(12) }
    : ip;
}

const v4 = (a: number, b = 0, c = 0, d = 0) => [a, b, c, d];

/** IPv4 ranges, most specific first. */
const IPV4_RULES: readonly (readonly [readonly number[], number, AddressClass])[] = [
  [v4(0), 32, 'unspecified'],
  [v4(255, 255, 255, 255), 32, 'broadcast'],
  [v4(0), 8, 'reserved'],
  [v4(10), 8, 'private'],
  [v4(100, 64), 10, 'shared'],
  [v4(127), 8, 'loopback'],
  [v4(169, 254), 16, 'link-local'],
  [v4(172, 16), 12, 'private'],
  [v4(192, 0, 0), 24, 'reserved'],
  [v4(192, 0, 2), 24, 'reserved'],
  [v4(192, 88, 99), 24, 'reserved'],
  [v4(192, 168), 16, 'private'],
  [v4(198, 18), 15, 'reserved'],
  [v4(198, 51, 100), 24, 'reserved'],
  [v4(203, 0, 113), 24, 'reserved'],
  [v4(224), 4, 'multicast'],
  [v4(240), 4, 'reserved'],
];

const v6 = (...words: number[]) => words.flatMap((w) => [w >> 8, w & 0xff]);

/** IPv6 ranges that carry no IPv4 address, most specific first. */
const IPV6_RULES: readonly (readonly [readonly number[], number, AddressClass])[] = [
  [v6(0), 128, 'unspecified'],
  [v6(0, 0, 0, 0, 0, 0, 0, 1), 128, 'loopback'],
  [v6(0x64, 0xff9b, 1), 48, 'private'],
  [v6(0x100), 64, 'reserved'],
  [v6(0x2001, 0x2), 48, 'reserved'],
  [v6(0x2001, 0xdb8), 32, 'reserved'],
  [v6(0x3fff), 20, 'reserved'],
  [v6(0xfc00), 7, 'private'],
  [v6(0xfe80), 10, 'link-local'],
  [v6(0xfec0), 10, 'private'],
  [v6(0xff00), 8, 'multicast'],
];

function classifyIpv4(bytes: Uint8Array): AddressClass | undefined {
  return IPV4_RULES.find(([network, prefix]) => inRange(bytes, network, prefix))?.[2];
}

const dotted = (bytes: Uint8Array) => [...bytes].join('.');

function classifyIp(ip: Ip): AddressVerdict {
  const { bytes } = normalize(ip);
  if (bytes.length === 4) {
    const found = classifyIpv4(bytes);
    if (found === undefined) return { forbidden: false };
    return ip.version === 6
      ? { forbidden: true, class: found, embedded: dotted(bytes) }
      : { forbidden: true, class: found };
  }
  const own = IPV6_RULES.find(([network, prefix]) => inRange(bytes, network, prefix))?.[2];
  if (own !== undefined) return { forbidden: true, class: own };
  // IPv6 addresses that carry an IPv4 one, and where it sits; the IPv4 address decides.
  const carried: readonly (readonly [readonly number[], number, Uint8Array, boolean])[] = [
    // IPv4-compatible (::a.b.c.d) and -translated (::ffff:0:a.b.c.d): obsolete, never global.
    [v6(0), 96, bytes.slice(12), true],
    [v6(0, 0, 0, 0, 0xffff), 96, bytes.slice(12), true],
    // NAT64 translates to the IPv4 address: from an IPv6-only cluster, the internet.
    [v6(0x64, 0xff9b), 96, bytes.slice(12), false],
    [v6(0x2002), 16, bytes.slice(2, 6), false],
    // Teredo's client address is stored inverted.
    [v6(0x2001, 0), 32, bytes.slice(12).map((b) => b ^ 0xff), false],
  ];
  for (const [network, prefix, embedded, obsolete] of carried) {
    if (!inRange(bytes, network, prefix)) continue;
    const found = classifyIpv4(embedded);
    if (found !== undefined) return { forbidden: true, class: found, embedded: dotted(embedded) };
    return obsolete ? { forbidden: true, class: 'reserved' } : { forbidden: false };
  }
  return { forbidden: false };
}

/**
 * Whether webhooks may reach an address, regardless of any allowance; an address that cannot
 * be parsed is reserved.
 */
export function classifyAddress(address: string): AddressVerdict {
  const ip = parseIp(address);
  return ip === undefined ? { forbidden: true, class: 'reserved' } : classifyIp(ip);
}

function allowedAddress(ip: Ip, allowance: WebhookAllowance): boolean {
  const { version, bytes } = normalize(ip);
  return allowance.ranges.some(
    (range) => range.version === version && inRange(bytes, [...range.bytes], range.prefix),
  );
}

function refusal(address: string, ip: Ip | undefined, allowance: WebhookAllowance) {
  if (ip === undefined) return `${address} is not an IP address`;
  if (allowedAddress(ip, allowance)) return undefined;
  const verdict = classifyIp(ip);
  if (!verdict.forbidden) return undefined;
  if (verdict.embedded !== undefined) {
    const inner = parseIp(verdict.embedded);
    if (inner !== undefined && allowedAddress(inner, allowance)) return undefined;
    return `${address} carries ${verdict.embedded}, ${PHRASES[verdict.class]}`;
  }
  return `${address} is ${PHRASES[verdict.class]}`;
}

/** A host name as compared: lowercase, without the trailing dot of a fully qualified name. */
function canonicalName(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

function internalName(name: string): string | undefined {
  if (name === 'localhost' || name.endsWith('.localhost')) return 'a name of this machine';
  if (name.endsWith('.svc') || name === 'cluster.local' || name.endsWith('.cluster.local')) {
    return "a name of the cluster's";
  }
  if (!name.includes('.')) return 'a name of one label, completed by the search domains';
  return undefined;
}

/**
 * The verdict on a URL's host (`URL.hostname`, IPv6 in brackets or not), before any lookup:
 * an address is judged at once, a name by its form, then by what it resolves to.
 */
export function verifyHost(hostname: string, allowance: WebhookAllowance): HostVerdict {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  // What sockets take for an address is never looked up, so it is judged here, and one that
  // this module cannot read is refused.
  const ip = parseIp(host);
  if (ip !== undefined || isIP(host) !== 0 || host.includes(':')) {
    const reason = refusal(host, ip, allowance);
    return reason === undefined
      ? { verdict: 'connect' }
      : { verdict: 'refuse', reason: `${reason}; ${HOW_TO_ALLOW}` };
  }
  const name = canonicalName(host);
  if (allowance.hosts.includes(name)) return { verdict: 'connect' };
  const internal = internalName(name);
  return internal === undefined
    ? { verdict: 'resolve' }
    : { verdict: 'refuse', reason: `${name} is ${internal}; ${HOW_TO_ALLOW}` };
}

/**
 * The verdict on every address a name resolved to: one forbidden address refuses them all,
 * so that which one a connection picks never matters.
 */
export function verifyAddresses(
  hostname: string,
  addresses: readonly string[],
  allowance: WebhookAllowance,
): AddressesVerdict {
  if (addresses.length === 0) {
    return { verdict: 'refuse', reason: `${hostname} resolves to no address` };
  }
  for (const address of addresses) {
    const reason = refusal(address, parseIp(address), allowance);
    if (reason !== undefined) {
      return {
        verdict: 'refuse',
        reason: `${hostname} resolves to ${address}: ${reason}; ${HOW_TO_ALLOW}`,
      };
    }
  }
  return { verdict: 'connect' };
}

function parseRange(entry: string): AddressRange | undefined {
  const [address = '', prefixText, ...rest] = entry.split('/');
  if (rest.length > 0) return undefined;
  const ip = parseIp(address);
  if (ip === undefined) return undefined;
  const max = ip.version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^(0|[1-9]\d{0,2})$/.test(prefixText)) return undefined;
  let prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return undefined;
  let { version, bytes } = ip;
  if (version === 6 && prefix >= 96 && inRange(bytes, IPV4_MAPPED, 96)) {
    version = 4;
    bytes = bytes.slice(12);
    prefix -= 96;
  }
  const network = bytes.map((byte, i) => {
    const keep = Math.max(0, Math.min(8, prefix - 8 * i));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
  return { version, bytes: network, prefix };
}

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * Parses an allowance: CIDR ranges (`10.20.0.0/16`, `fd00::/8`), single addresses
 * (`10.20.0.5`) and exact host names (`hooks.ops.svc.cluster.local`), separated by commas or
 * spaces. `setting` names the setting in errors.
 */
export function parseWebhookAllowance(
  text: string,
  setting = 'VIGIE_WEBHOOK_ALLOW',
): WebhookAllowance | { readonly error: string } {
  const ranges: AddressRange[] = [];
  const hosts: string[] = [];
  for (const entry of text.split(/[\s,]+/).filter(Boolean)) {
    if (entry.includes(':') || /^[\d./]+$/.test(entry)) {
      const range = parseRange(entry);
      if (range === undefined) {
        return {
          error: `${setting} has "${entry}": write an address range as 10.20.0.0/16 or fd00::/8`,
        };
      }
      ranges.push(range);
      continue;
    }
    const name = canonicalName(entry);
    if (!HOST_NAME.test(name)) {
      return {
        error: `${setting} has "${entry}": write exact host names (no wildcards), addresses or ranges`,
      };
    }
    hosts.push(name);
  }
  return { ranges, hosts };
}
