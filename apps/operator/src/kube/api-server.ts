/**
 * Where the API server answers, as its `kubernetes` EndpointSlices in `default` say: the
 * addresses and ports that a pod's connection to the `kubernetes` Service is translated to, and
 * that a NetworkPolicy must therefore allow.
 */

import { formatIp, parseIp } from '../desired/addresses.js';
import type { ApiServerEndpoint } from '../desired/settings.js';
import type { CachedObject } from './informer.js';

/** The namespace of the `kubernetes` Service. */
export const API_SERVER_NAMESPACE = 'default';

/** The label selector of the `kubernetes` Service's EndpointSlices. */
export const API_SERVER_SLICES = 'kubernetes.io/service-name=kubernetes';

interface SliceFields {
  readonly addressType?: unknown;
  readonly endpoints?: unknown;
  readonly ports?: unknown;
}

/**
 * Every address and TCP port the slices list, in canonical form, sorted and without repeats.
 * Endpoints are taken whatever their conditions: they are the API server's own, and a policy
 * that follows readiness would change with every restart of one of them. Malformed entries and
 * FQDN slices are skipped.
 */
export function apiServerEndpoints(slices: Iterable<CachedObject>): ApiServerEndpoint[] {
  const found = new Map<string, ApiServerEndpoint>();
  for (const slice of slices) {
    const { addressType, endpoints, ports } = slice as SliceFields;
    if (addressType !== 'IPv4' && addressType !== 'IPv6') continue;
    if (!Array.isArray(endpoints) || !Array.isArray(ports)) continue;
    const tcpPorts = ports.flatMap((p: unknown) => {
      const { port, protocol } = (p ?? {}) as { port?: unknown; protocol?: unknown };
      return typeof port === 'number' && (protocol ?? 'TCP') === 'TCP' ? [port] : [];
    });
    for (const endpoint of endpoints) {
      const addresses = (endpoint as { addresses?: unknown } | null)?.addresses;
      if (!Array.isArray(addresses)) continue;
      for (const text of addresses) {
        const ip = typeof text === 'string' ? parseIp(text) : undefined;
        if (ip === undefined) continue;
        const address = formatIp(ip);
        for (const port of tcpPorts) found.set(`${address} ${String(port)}`, { address, port });
      }
    }
  }
  return [...found.values()].sort((a, b) =>
    a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port,
  );
}

/** Whether two lists from {@link apiServerEndpoints} are the same. */
export function sameEndpoints(
  a: readonly ApiServerEndpoint[],
  b: readonly ApiServerEndpoint[],
): boolean {
  return (
    a.length === b.length &&
    a.every((e, i) => {
      const other = b[i];
      return other !== undefined && e.address === other.address && e.port === other.port;
    })
  );
}
