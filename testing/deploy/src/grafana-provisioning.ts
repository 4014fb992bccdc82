/**
 * What Grafana would load from a built overlay, read the way Grafana reads it: the files each
 * volume mount puts in the container (ConfigMaps, alone or projected), the dashboard providers and
 * data sources under the provisioning folder, and the dashboards in each provider's folder. Pure:
 * it takes the overlay's objects and the dashboards' JSON, and returns problems in words.
 */

import { posix } from 'node:path';
import { parse } from 'yaml';

/** A Kubernetes object, as far as these checks read it. */
export interface ManifestObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly data?: Readonly<Record<string, string>>;
  readonly spec?: unknown;
}

/** A dashboard's JSON, by file name (`vigie-fleet.json`). */
export type DashboardFiles = ReadonlyMap<string, string>;

/** What the checks are told about the Grafana of an overlay. */
export interface GrafanaExpectations {
  /** The Deployment's name, in `namespace`. */
  readonly deployment: string;
  readonly namespace: string;
  /** The container that runs Grafana. */
  readonly container: string;
}

interface ConfigMapSource {
  readonly name: string;
  readonly items?: readonly { key: string; path: string }[];
}

interface Volume {
  readonly name: string;
  readonly configMap?: ConfigMapSource;
  readonly projected?: { readonly sources: readonly { configMap?: ConfigMapSource }[] };
}

interface Container {
  readonly name: string;
  readonly env?: readonly { name: string; value?: string }[];
  readonly volumeMounts?: readonly { name: string; mountPath: string; subPath?: string }[];
}

interface PodSpec {
  readonly containers: readonly Container[];
  readonly volumes?: readonly Volume[];
}

/** A data source as Grafana's provisioning file gives it. */
interface DataSource {
  readonly name?: string;
  readonly uid?: string;
  readonly type?: string;
  readonly isDefault?: boolean;
  readonly editable?: boolean;
}

interface Provider {
  readonly name?: string;
  readonly type?: string;
  readonly folder?: string;
  readonly options?: { readonly path?: string; readonly foldersFromFilesStructure?: boolean };
}

/** A data source reference inside a dashboard. */
interface DataSourceRef {
  readonly type?: string;
  readonly uid?: string;
}

interface DashboardJson {
  readonly uid?: string;
  readonly templating?: {
    readonly list?: readonly {
      name?: string;
      type?: string;
      query?: unknown;
      datasource?: DataSourceRef;
    }[];
  };
  readonly panels?: readonly {
    title?: string;
    datasource?: DataSourceRef;
    targets?: readonly { datasource?: DataSourceRef }[];
  }[];
}

/** Grafana's provisioning folder when GF_PATHS_PROVISIONING is not set (its image sets it so). */
const DEFAULT_PROVISIONING = '/etc/grafana/provisioning';

const key = (o: ManifestObject) =>
  `${o.kind ?? ''}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** The files a ConfigMap source puts in a volume: path in the volume to content. */
function filesOf(
  source: ConfigMapSource,
  objects: ReadonlyMap<string, ManifestObject>,
  namespace: string,
  problems: string[],
): Map<string, string> {
  const files = new Map<string, string>();
  const configMap = objects.get(`ConfigMap/${namespace}/${source.name}`);
  if (configMap === undefined) {
    problems.push(`the ConfigMap ${source.name} that Grafana mounts is not in the overlay`);
    return files;
  }
  const data = configMap.data ?? {};
  if (source.items === undefined) {
    for (const [name, content] of Object.entries(data)) files.set(name, content);
  } else {
    for (const item of source.items) {
      const content = data[item.key];
      if (content === undefined) {
        problems.push(`the ConfigMap ${source.name} has no key ${item.key}`);
      } else {
        files.set(item.path, content);
      }
    }
  }
  return files;
}

/**
 * The files Grafana's container sees, by absolute path, from its ConfigMap-backed mounts. Other
 * volumes (emptyDir, disks) hold no files at start and are left out.
 */
export function mountedFiles(
  spec: PodSpec,
  containerName: string,
  objects: ReadonlyMap<string, ManifestObject>,
  namespace: string,
  problems: string[],
): Map<string, string> {
  const files = new Map<string, string>();
  const container = spec.containers.find((c) => c.name === containerName);
  if (container === undefined) {
    problems.push(`no container ${containerName}`);
    return files;
  }
  const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
  for (const mount of container.volumeMounts ?? []) {
    const volume = volumes.get(mount.name);
    if (volume === undefined) {
      problems.push(`the mount ${mount.mountPath} names no volume (${mount.name})`);
      continue;
    }
    const sources = volume.configMap
      ? [volume.configMap]
      : (volume.projected?.sources ?? []).flatMap((s) => (s.configMap ? [s.configMap] : []));
    const inVolume = new Map<string, string>();
    for (const source of sources) {
      for (const [path, content] of filesOf(source, objects, namespace, problems)) {
        if (inVolume.has(path)) {
          problems.push(`two ConfigMaps of the volume ${volume.name} give ${path}`);
        }
        inVolume.set(path, content);
      }
    }
    for (const [path, content] of inVolume) {
      if (mount.subPath !== undefined && mount.subPath !== path) continue;
      const at = mount.subPath === undefined ? posix.join(mount.mountPath, path) : mount.mountPath;
      files.set(at, content);
    }
  }
  return files;
}

/** The files directly in `folder` (not in its subfolders), by name. */
function filesIn(files: ReadonlyMap<string, string>, folder: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const [path, content] of files) {
    if (posix.dirname(path) === posix.normalize(folder)) found.set(posix.basename(path), content);
  }
  return found;
}

/** Every data source reference a dashboard makes, with where it is. */
function dataSourceRefs(dashboard: DashboardJson): { where: string; ref: DataSourceRef }[] {
  const refs: { where: string; ref: DataSourceRef }[] = [];
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.datasource) {
      refs.push({ where: `variable ${variable.name ?? '?'}`, ref: variable.datasource });
    }
  }
  for (const panel of dashboard.panels ?? []) {
    const where = `panel "${panel.title ?? '?'}"`;
    if (panel.datasource) refs.push({ where, ref: panel.datasource });
    for (const target of panel.targets ?? []) {
      if (target.datasource) refs.push({ where: `${where}, its query`, ref: target.datasource });
    }
  }
  return refs;
}

/**
 * Which provisioned data source a dashboard's reference lands on: a literal uid names one; a
 * `${variable}` names a data source variable, which starts on the default data source of the
 * variable's type (Grafana's behaviour when the dashboard stores no current value).
 */
function resolve(
  ref: DataSourceRef,
  dashboard: DashboardJson,
  dataSources: readonly DataSource[],
): DataSource | string {
  const variable = /^\$\{(\w+)\}$|^\$(\w+)$/.exec(ref.uid ?? '');
  if (variable === null) {
    return (
      dataSources.find((d) => d.uid === ref.uid) ??
      `uid ${String(ref.uid)}, which no provisioned data source has`
    );
  }
  const name = variable[1] ?? variable[2];
  const declared = (dashboard.templating?.list ?? []).find((v) => v.name === name);
  if (declared?.type !== 'datasource') {
    return `$\{${String(name)}}, which is not a data source variable of the dashboard`;
  }
  const pluginType = String(declared.query);
  const chosen = dataSources.find((d) => d.isDefault === true && d.type === pluginType);
  return chosen ?? `$\{${String(name)}}, for which no default ${pluginType} data source exists`;
}

/**
 * The Service an in-cluster URL (`http://NAME.NAMESPACE.svc:PORT`) reaches, as
 * `NAMESPACE/NAME` of the Deployment whose pods it selects, when PORT is one of its ports.
 */
function reachedService(
  url: string | undefined,
  objects: ReadonlyMap<string, ManifestObject>,
): string | undefined {
  const match = /^https?:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?:(\d+)\/?$/.exec(
    url ?? '',
  );
  if (match === null) return undefined;
  const [, name = '', namespace = '', port = ''] = match;
  const service = objects.get(`Service/${namespace}/${name}`)?.spec as
    { selector?: Record<string, string>; ports?: { port: number }[] } | undefined;
  if (!service?.ports?.some((p) => p.port === Number(port))) return undefined;
  const selector = Object.entries(service.selector ?? {});
  for (const object of objects.values()) {
    if (object.kind !== 'Deployment' || object.metadata?.namespace !== namespace) continue;
    const labels =
      (object.spec as { template?: { metadata?: { labels?: Record<string, string> } } }).template
        ?.metadata?.labels ?? {};
    if (selector.length > 0 && selector.every(([k, v]) => labels[k] === v)) {
      return `${namespace}/${String(object.metadata.name)}`;
    }
  }
  return undefined;
}

/**
 * Checks the Grafana of one built overlay against the dashboards: its provisioning folder holds
 * exactly one file provider, whose folder holds exactly the dashboards (same JSON); one default
 * data source; every data source reference of every dashboard lands on a provisioned data source
 * of its type; and whatever syncs a data source (Google's data source syncer) names a provisioned,
 * editable one and calls Grafana's own Service. Returns the problems found; none means Grafana
 * would show every dashboard on the overlay's Prometheus.
 */
export function verifyGrafanaProvisioning(
  overlay: readonly ManifestObject[],
  dashboards: DashboardFiles,
  expect: GrafanaExpectations,
): string[] {
  const problems: string[] = [];
  const objects = new Map(overlay.map((o) => [key(o), o]));
  const deployment = objects.get(`Deployment/${expect.namespace}/${expect.deployment}`);
  const spec = (deployment?.spec as { template?: { spec?: PodSpec } } | undefined)?.template?.spec;
  if (spec === undefined) return [`no Deployment ${expect.deployment} in ${expect.namespace}`];
  const files = mountedFiles(spec, expect.container, objects, expect.namespace, problems);
  const container = spec.containers.find((c) => c.name === expect.container);
  const provisioning =
    container?.env?.find((e) => e.name === 'GF_PATHS_PROVISIONING')?.value ?? DEFAULT_PROVISIONING;

  // Dashboard providers: one, of files, reading exactly Vigie's dashboards.
  const providers = [...filesIn(files, posix.join(provisioning, 'dashboards')).values()].flatMap(
    (text) => (parse(text) as { providers?: Provider[] }).providers ?? [],
  );
  const fileProviders = providers.filter((p) => p.type === 'file');
  if (fileProviders.length !== 1) {
    problems.push(`${String(fileProviders.length)} file dashboard providers, not one`);
  }
  for (const provider of fileProviders) {
    const path = provider.options?.path;
    if (path === undefined) {
      problems.push(`the provider ${String(provider.name)} has no path`);
      continue;
    }
    const found = filesIn(files, path);
    const missing = [...dashboards.keys()].filter((name) => !found.has(name));
    const extra = [...found.keys()].filter((name) => !dashboards.has(name));
    if (missing.length > 0) {
      problems.push(`the provider's folder ${path} lacks ${missing.join(', ')}`);
    }
    if (extra.length > 0)
      problems.push(`the provider's folder ${path} also has ${extra.join(', ')}`);
    for (const [name, text] of found) {
      const expected = dashboards.get(name);
      if (
        expected !== undefined &&
        JSON.stringify(JSON.parse(text)) !== JSON.stringify(JSON.parse(expected))
      ) {
        problems.push(`${path}/${name} is not deploy/monitoring/grafana/dashboards/${name}`);
      }
    }
  }

  // Data sources: one default, and every dashboard reference lands on one of its type.
  const dataSources = [...filesIn(files, posix.join(provisioning, 'datasources')).values()].flatMap(
    (text) => (parse(text) as { datasources?: DataSource[] }).datasources ?? [],
  );
  const defaults = dataSources.filter((d) => d.isDefault === true);
  if (defaults.length !== 1) {
    problems.push(`${String(defaults.length)} default data sources, not one`);
  }
  for (const [name, text] of dashboards) {
    const dashboard = JSON.parse(text) as DashboardJson;
    for (const { where, ref } of dataSourceRefs(dashboard)) {
      const target = resolve(ref, dashboard, dataSources);
      if (typeof target === 'string') {
        problems.push(`${name}, ${where}: ${target}`);
      } else if (ref.type !== undefined && ref.type !== target.type) {
        problems.push(
          `${name}, ${where}: asks for a ${ref.type} data source, ${String(target.uid)} is ${String(target.type)}`,
        );
      }
    }
  }

  // Google's data source syncer writes its token into the data sources it names.
  for (const object of overlay) {
    const template = (
      object.spec as { jobTemplate?: { spec?: { template?: { spec?: PodSpec } } } } | undefined
    )?.jobTemplate?.spec?.template?.spec;
    for (const c of template?.containers ?? []) {
      const args = (c as { args?: string[] }).args ?? [];
      const uids = args.find((a) => a.startsWith('--datasource-uids='));
      if (uids === undefined) continue;
      const endpoint = args.find((a) => a.startsWith('--grafana-api-endpoint='));
      const reached = reachedService(endpoint?.slice('--grafana-api-endpoint='.length), objects);
      if (reached !== `${expect.namespace}/${expect.deployment}`) {
        problems.push(`${key(object)} calls ${String(endpoint)}, not Grafana's Service and port`);
      }
      for (const uid of uids.slice('--datasource-uids='.length).split(',')) {
        const target = dataSources.find((d) => d.uid === uid.trim());
        if (target === undefined) {
          problems.push(`${key(object)} syncs the data source ${uid}, which is not provisioned`);
        } else if (target.editable !== true) {
          problems.push(`${key(object)} syncs ${uid}, which provisioning makes read-only`);
        }
      }
    }
  }
  return problems;
}
