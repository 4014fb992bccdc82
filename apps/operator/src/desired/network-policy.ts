/**
 * The tenant's NetworkPolicies: everything in the namespace is denied by default, and detectors
 * may reach exactly the cluster's DNS, the console, the API server, their cameras and their
 * custom models, and be reached by the metrics scraper alone. Pure: the rules follow from the
 * plan, the settings and the API server's endpoints the operator observed.
 *
 * Implementations such as kube-router, Calico and Cilium match egress after a Service's address
 * has been translated to one of its endpoints, so that Services are never named by address: the
 * DNS Service through its pods' labels, the API server through the addresses and ports of its
 * `kubernetes` EndpointSlice.
 */

import type { ClientPlan } from '@vigie/plan';
import { hostCidr, parseIp } from './addresses.js';
import type { KubeObject } from './desired.js';
import type { ApiServerEndpoint, OperatorSettings } from './settings.js';

/** The ports a camera is reached on when its URL names none, by scheme. */
export const CAMERA_DEFAULT_PORTS: Readonly<Record<string, number>> = {
  'rtsp:': 554,
  'rtsps:': 322,
  'http:': 80,
  'https:': 443,
};

/** GKE's metadata server, which hands out the Workload Identity token for `gs://` models. */
const METADATA_SERVER = '169.254.169.254/32';

/** A NetworkPolicy egress rule. */
export interface EgressRule {
  readonly to?: readonly object[];
  readonly ports?: readonly { readonly protocol: 'TCP' | 'UDP'; readonly port?: number }[];
}

/** Where a camera's stream is, as far as a NetworkPolicy can tell. */
interface CameraTarget {
  readonly camera: string;
  /** The `/32` or `/128` CIDR of an IP literal, or undefined for a host name. */
  readonly cidr: string | undefined;
  readonly host: string;
  readonly port: number;
  /** RTSP over UDP: media arrives on ports the camera chooses. */
  readonly udp: boolean;
}

/** What {@link networkPolicies} builds from. */
export interface NetworkPolicyInput {
  readonly plan: ClientPlan;
  readonly settings: OperatorSettings;
  /** The API server's endpoints as observed; the settings' own, when set, win. */
  readonly apiServer: readonly ApiServerEndpoint[];
  /** The labels of the client's detector pods. */
  readonly detectors: Readonly<Record<string, string>>;
  /** The metadata of a namespaced object of the client's, by name. */
  readonly meta: (name: string) => KubeObject['metadata'];
}

/** The tenant's `default-deny` and `detectors` NetworkPolicies. */
export function networkPolicies(input: NetworkPolicyInput): KubeObject[] {
  const { plan, settings, meta } = input;
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('default-deny'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('detectors'),
      spec: {
        podSelector: { matchLabels: input.detectors },
        policyTypes: ['Ingress', 'Egress'],
        // Only the metrics scraper may reach detectors.
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: settings.monitoringNamespaceLabels } }],
            ports: [{ protocol: 'TCP', port: settings.metricsPort }],
          },
        ],
        egress: [
          dnsEgress(settings),
          // The console, for alerts and evidence.
          {
            to: [
              {
                namespaceSelector: { matchLabels: settings.consoleNamespaceLabels },
                podSelector: { matchLabels: settings.consolePodLabels },
              },
            ],
            ports: [{ protocol: 'TCP', port: settings.consolePort }],
          },
          ...apiServerEgress(settings.apiServerEndpoints ?? input.apiServer),
          ...cameraEgress(plan, settings),
          ...modelEgress(plan),
        ],
      },
    },
  ];
}

/** Name resolution: the cluster's DNS pods, and the resolvers that are not pods, if any. */
function dnsEgress(settings: OperatorSettings): EgressRule {
  const resolvers = sortedUnique(
    settings.dnsAddresses.flatMap((address) => {
      const ip = parseIp(address);
      return ip === undefined ? [] : [hostCidr(ip)];
    }),
  );
  return {
    to: [
      {
        namespaceSelector: { matchLabels: settings.dnsNamespaceLabels },
        podSelector: { matchLabels: settings.dnsPodLabels },
      },
      ...resolvers.map((cidr) => ({ ipBlock: { cidr } })),
    ],
    ports: [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ],
  };
}

/**
 * The API server, where detectors report their cameras' health: one rule per port, each to the
 * addresses that answer on it. None while its endpoints are unknown.
 */
function apiServerEgress(endpoints: readonly ApiServerEndpoint[]): EgressRule[] {
  return tcpByPort(
    endpoints.flatMap(({ address, port }) => {
      const ip = parseIp(address);
      return ip === undefined ? [] : [{ cidr: hostCidr(ip), port }];
    }),
  );
}

/**
 * Cameras, on their streams' ports only. A camera named by its address is reached at that
 * address alone; one named by a host name (a NetworkPolicy cannot name hosts) on the settings'
 * camera networks, or on any address when there are none. A camera whose stream comes over RTSP
 * on UDP also gets UDP to the same destinations, on any port: its media ports are chosen by the
 * camera when the stream starts.
 */
function cameraEgress(plan: ClientPlan, settings: OperatorSettings): EgressRule[] {
  const targets = cameraTargets(plan);
  const addressed = targets.flatMap((t) => (t.cidr === undefined ? [] : [{ ...t, cidr: t.cidr }]));
  const rules = tcpByPort(addressed);
  const udp = addressed.filter((t) => t.udp).map((t) => t.cidr);
  if (udp.length > 0) rules.push({ to: ipBlocks(udp), ports: [{ protocol: 'UDP' }] });
  const named = targets.filter((t) => t.cidr === undefined);
  if (named.length > 0) {
    const networks = settings.cameraNetworks;
    const to = networks.length > 0 ? { to: ipBlocks(networks) } : {};
    rules.push({
      ...to,
      ports: [
        ...sortedUnique(named.map((t) => t.port)).map((port) => ({
          protocol: 'TCP' as const,
          port,
        })),
        ...(named.some((t) => t.udp) ? [{ protocol: 'UDP' as const }] : []),
      ],
    });
  }
  return rules;
}

/**
 * The cameras named by a host name whose ports are open to every address, because no camera
 * networks are set: `camera (host:port)` each, sorted. Empty when every camera is confined.
 */
export function unconfinedCameras(plan: ClientPlan, settings: OperatorSettings): string[] {
  if (settings.cameraNetworks.length > 0) return [];
  return sortedUnique(
    cameraTargets(plan)
      .filter((t) => t.cidr === undefined)
      .map((t) => `${t.camera} (${t.host}:${String(t.port)})`),
  );
}

function cameraTargets(plan: ClientPlan): CameraTarget[] {
  const targets: CameraTarget[] = [];
  for (const shard of plan.shards) {
    for (const camera of shard.config.cameras) {
      let url: URL;
      try {
        url = new URL(camera.stream.url);
      } catch {
        // The config model has already refused URLs it cannot parse.
        continue;
      }
      const fallback = CAMERA_DEFAULT_PORTS[url.protocol];
      // Files (demos) are read from the pod; nothing is reached.
      if (fallback === undefined) continue;
      // IPv6 literals keep their brackets in `hostname`.
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
      const ip = parseIp(host);
      targets.push({
        camera: camera.id,
        cidr: ip === undefined ? undefined : hostCidr(ip),
        host: url.hostname,
        port: url.port === '' ? fallback : Number(url.port),
        udp: url.protocol.startsWith('rtsp') && camera.stream.transport === 'udp',
      });
    }
  }
  return targets;
}

/**
 * Egress for custom models, fetched once at start: their URIs' ports, and the metadata server
 * when one is in a bucket. Nothing is opened when every camera uses the bundled model.
 */
function modelEgress(plan: ClientPlan): EgressRule[] {
  const ports = new Set<number>();
  let gcs = false;
  for (const shard of plan.shards) {
    for (const camera of shard.config.cameras) {
      if (camera.model.kind !== 'onnx') continue;
      try {
        const url = new URL(camera.model.uri);
        gcs ||= url.protocol === 'gs:';
        ports.add(url.port !== '' ? Number(url.port) : url.protocol === 'http:' ? 80 : 443);
      } catch {
        // The config model has already refused URIs it cannot parse.
      }
    }
  }
  if (ports.size === 0) return [];
  const rules: EgressRule[] = [
    { ports: [...ports].sort((a, b) => a - b).map((port) => ({ protocol: 'TCP', port })) },
  ];
  if (gcs) {
    rules.push({
      to: [{ ipBlock: { cidr: METADATA_SERVER } }],
      ports: [
        { protocol: 'TCP', port: 80 },
        { protocol: 'TCP', port: 988 },
      ],
    });
  }
  return rules;
}

/** One TCP rule per port, ports ascending, each to the addresses reached on it. */
function tcpByPort(targets: readonly { readonly cidr: string; readonly port: number }[]) {
  const byPort = new Map<number, string[]>();
  for (const { cidr, port } of targets) byPort.set(port, [...(byPort.get(port) ?? []), cidr]);
  return [...byPort]
    .sort(([a], [b]) => a - b)
    .map(([port, cidrs]): EgressRule => ({
      to: ipBlocks(cidrs),
      ports: [{ protocol: 'TCP', port }],
    }));
}

/** `ipBlock` peers, sorted and without repeats. */
function ipBlocks(cidrs: readonly string[]): object[] {
  return sortedUnique(cidrs).map((cidr) => ({ ipBlock: { cidr } }));
}

/** Sorted by code point (numbers by value), never by locale: every replica plans alike. */
function sortedUnique<T extends string | number>(values: readonly T[]): T[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
