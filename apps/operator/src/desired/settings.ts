/** How the operator's objects fit the cluster: images, ports, and where the console and scrapers live. */
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
  /** Ports cameras may be reached on (RTSP, RTSPS, HTTP, HTTPS by default). */
  readonly cameraPorts: readonly number[];
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
  cameraPorts: [554, 322, 80, 443],
};
