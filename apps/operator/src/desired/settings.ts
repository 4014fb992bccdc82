/** One address and port the Kubernetes API server answers on, after any Service translation. */
export interface ApiServerEndpoint {
  /** An IPv4 or IPv6 address, in canonical form. */
  readonly address: string;
  readonly port: number;
}

/**
 * How the operator's objects fit the cluster: images, ports, where the console, scrapers and
 * cluster DNS live, and which networks detectors may reach.
 */
export interface OperatorSettings {
  /** The detector image, ideally pinned by digest (`registry/vigie-detector@sha256:…`). */
  readonly detectorImage: string;
  /** The port detectors serve `/metrics`, `/healthz` and `/readyz` on. */
  readonly metricsPort: number;
  /** Labels of the namespace where the console runs. */
  readonly consoleNamespaceLabels: Readonly<Record<string, string>>;
  /** Labels of the console's pods. */
  readonly consolePodLabels: Readonly<Record<string, string>>;
  /** The console's ServiceAccount, granted the tenant's webhook signing Secrets by name. */
  readonly consoleServiceAccount: { readonly namespace: string; readonly name: string };
  /** The console's HTTP port, which detectors post alerts to. */
  readonly consolePort: number;
  /** Labels of the namespaces whose Prometheus may scrape detectors. */
  readonly monitoringNamespaceLabels: Readonly<Record<string, string>>;
  /** The URL detectors post alerts and evidence to. */
  readonly consoleUrl: string;
  /** How often Prometheus scrapes detectors. */
  readonly scrapeInterval: string;
  /** Labels of the namespace where the cluster's DNS pods run. */
  readonly dnsNamespaceLabels: Readonly<Record<string, string>>;
  /**
   * Labels of the cluster's DNS pods. `k8s-app: kube-dns` is what CoreDNS's usual Deployment
   * and GKE's kube-dns both carry.
   */
  readonly dnsPodLabels: Readonly<Record<string, string>>;
  /**
   * Further DNS servers detectors may query on port 53, as IP addresses: resolvers that are not
   * pods, such as GKE's NodeLocal DNSCache (`169.254.20.10`, and the kube-dns Service IP it
   * answers on) or Cloud DNS for GKE (`169.254.169.254`). None by default.
   */
  readonly dnsAddresses: readonly string[];
  /**
   * CIDRs where cameras named by a host name live, such as a store's VPN range. NetworkPolicies
   * cannot name hosts: without these, such a camera's port is open to every address.
   */
  readonly cameraNetworks: readonly string[];
  /**
   * The API server's endpoints, for clusters where the operator may not read the `kubernetes`
   * EndpointSlice; undefined to follow that EndpointSlice.
   */
  readonly apiServerEndpoints?: readonly ApiServerEndpoint[];
  /**
   * The size of each detector pod's scratch volume in MiB, where its outbox lives (capped at
   * half of it, so that the kubelet never evicts the pod for overfilling it).
   */
  readonly detectorScratchMiB: number;
}

/** Defaults that match the manifests in `deploy/`. */
export const DEFAULT_SETTINGS: OperatorSettings = {
  detectorImage: 'ghcr.io/vigie/detector:latest',
  metricsPort: 9464,
  consoleNamespaceLabels: { 'kubernetes.io/metadata.name': 'vigie-system' },
  consolePodLabels: { 'app.kubernetes.io/name': 'vigie-console' },
  consoleServiceAccount: { namespace: 'vigie-system', name: 'vigie-console' },
  consolePort: 8080,
  monitoringNamespaceLabels: { 'vigie.dev/monitoring': 'true' },
  consoleUrl: 'http://vigie-console.vigie-system.svc:8080',
  scrapeInterval: '30s',
  dnsNamespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
  dnsPodLabels: { 'k8s-app': 'kube-dns' },
  dnsAddresses: [],
  cameraNetworks: [],
  detectorScratchMiB: 256,
};
