/**
 * IP addresses and CIDRs as NetworkPolicy `ipBlock`s want them: strict parsing (dotted-decimal
 * IPv4 without leading zeros, IPv6 without zones), canonical text (RFC 5952 for IPv6), and
 * prefixes with no host bits set, which the API server may otherwise only warn about. Pure.
 */

/** An IP address: its family and its value. */
export interface Ip {
  readonly family: 4 | 6;
  readonly value: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;

/** Parses an IPv4 or IPv6 address (IPv6 without brackets); undefined when it is not one. */
export function parseIp(text: string): Ip | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // No leading zeros: "010" means 8 to some parsers and 10 to others.
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string | undefined): number[] | undefined => {
    if (half === undefined || half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4(part);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
        out.push(parseInt(part, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (head === undefined || tail === undefined) return undefined;
  const compressed = halves.length === 2;
  const missing = 8 - head.length - tail.length;
  if (compressed ? missing < 1 : missing !== 0) return undefined;
  let value = 0n;
  for (const group of [...head, ...Array<number>(missing).fill(0), ...tail]) {
    value = (value << 16n) | BigInt(group);
  }
  return value;
}

/** The canonical text of an address: dotted decimal, or RFC 5952 IPv6. */
export function formatIp(ip: Ip): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((ip.value >> shift) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) =>
    Number((ip.value >> BigInt(112 - 16 * i)) & 0xffffn),
  );
  // The longest run of two or more zero groups becomes "::" (the first such run on a tie).
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = (list: number[]) => list.map((g) => g.toString(16)).join(':');
  if (best.start < 0) return hex(groups);
  return `${hex(groups.slice(0, best.start))}::${hex(groups.slice(best.start + best.length))}`;
}

/** The `ipBlock` CIDR of one address: `/32` for IPv4, `/128` for IPv6. */
export function hostCidr(ip: Ip): string {
  return `${formatIp(ip)}/${String(BITS[ip.family])}`;
}

/**
 * Parses `address/prefix` into its canonical text; throws an `Error` saying what is wrong when
 * it is not a CIDR, or when it has host bits set (`10.0.0.1/8` where `10.0.0.0/8` is meant).
 */
export function parseCidr(text: string): string {
  const slash = text.indexOf('/');
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  const prefixText = slash < 0 ? '' : text.slice(slash + 1);
  if (ip === undefined || !/^(0|[1-9]\d{0,2})$/.test(prefixText)) {
    throw new Error(`"${text}" is not a CIDR such as 192.168.10.0/24 or fd00:10::/64`);
  }
  const bits = BITS[ip.family];
  const prefix = Number(prefixText);
  if (prefix > bits)
    throw new Error(`"${text}": an IPv${String(ip.family)} prefix is at most /${String(bits)}`);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((ip.value & hostMask) !== 0n) {
    const network = formatIp({ family: ip.family, value: ip.value & ~hostMask });
    throw new Error(`"${text}" has host bits set; the network is ${network}/${String(prefix)}`);
  }
  return `${formatIp(ip)}/${String(prefix)}`;
}

/**
 * Parses `address:port` (`[address]:port` for IPv6); throws an `Error` saying what is wrong
 * when it is not one.
 */
export function parseHostPort(text: string): { readonly ip: Ip; readonly port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const ip = match === null ? undefined : parseIp(match[1] ?? match[2] ?? '');
  const port = Number(match?.[3]);
  if (
    ip === undefined ||
    (match?.[1] !== undefined && ip.family !== 6) ||
    !(port >= 1 && port <= 65535)
  ) {
    throw new Error(`"${text}" is not an address and port such as 10.0.0.2:443 or [fd00::2]:6443`);
  }
  return { ip, port };
}
