/**
 * The console's view of clients in a cluster: `Client` resources (spec, conditions, camera
 * health and the ingest token's digest, all in the status the operator and detectors write),
 * and the config reports the function wrote next to each file in the bucket, so that a refused
 * upload shows its problems even when no `Client` changed. Read-only: the console's RBAC is
 * `get`/`list` on `clients`, and nothing else in the cluster.
 */

import type { ClientSpec, ClientStatus } from '@vigie/config';
import type { StoredReport } from '../client-view.js';
import { cameraHealthView, configReportView, refusedUpload } from '../client-view.js';
import type { ClientView } from '../api/clients.js';
import type { ClientDirectory } from '../ports.js';

/** A `Client` as the API returns it. */
export interface ClientObject {
  readonly metadata: { readonly name: string };
  readonly spec: ClientSpec;
  readonly status?: ClientStatus;
}

/** Where the directory reads from. */
export interface ClusterSources {
  /** Every `Client`. */
  readonly clients: () => Promise<readonly ClientObject[]>;
  /** The newest report of each client file, by client name. */
  readonly reports: () => Promise<ReadonlyMap<string, StoredReport>>;
}

/** A client's view, from its resource (if any) and its file's last report (if any). */
export function clientViewOf(
  name: string,
  resource: ClientObject | undefined,
  report: StoredReport | undefined,
): ClientView {
  const names = new Map(resource?.spec.cameras.map((c) => [c.id, c.name ?? c.id]) ?? []);
  const cameras = (resource?.status?.cameras ?? []).map((c) =>
    cameraHealthView(name, c, names.get(c.id)),
  );
  const base = {
    name,
    displayName: resource?.spec.name ?? name,
    ...(resource ? { spec: resource.spec } : {}),
    ...(report ? { lastReport: configReportView(report) } : {}),
    cameras,
  };
  // A refused upload newer than what runs: the previous config keeps running.
  const running = resource?.spec.source?.generation;
  if (
    report?.status === 'Rejected' &&
    (running === undefined || BigInt(report.generation) > BigInt(running))
  ) {
    return { ...base, ...refusedUpload(report, resource !== undefined) };
  }
  if (!resource) return { ...base, state: 'Progressing', message: 'Being checked.' };
  const condition = (type: string) => resource.status?.conditions?.find((c) => c.type === type);
  const accepted = condition('Accepted');
  if (accepted?.status === 'False') {
    return { ...base, state: 'Rejected', message: accepted.message };
  }
  const degraded = condition('Degraded');
  if (degraded?.status === 'True') {
    return { ...base, state: 'Degraded', message: degraded.message };
  }
  return condition('Ready')?.status === 'True'
    ? { ...base, state: 'Ready' }
    : {
        ...base,
        state: 'Progressing',
        message: condition('Ready')?.message ?? 'Detectors are starting.',
      };
}

/** The directory over the cluster; reads are cached for `cacheMs` (default 2 s). */
export function createClusterDirectory(
  sources: ClusterSources,
  options: { cacheMs?: number; now?: () => number } = {},
): ClientDirectory & { clients(): Promise<readonly ClientObject[]> } {
  const ttl = options.cacheMs ?? 2000;
  const now = options.now ?? Date.now;
  let cached:
    | {
        at: number;
        views: Promise<readonly ClientView[]>;
        clients: Promise<readonly ClientObject[]>;
      }
    | undefined;
  const load = () => {
    if (cached === undefined || now() - cached.at > ttl) {
      const clients = sources.clients();
      const views = Promise.all([clients, sources.reports()]).then(([resources, reports]) => {
        const byName = new Map(resources.map((r) => [r.metadata.name, r]));
        const names = [...new Set([...byName.keys(), ...reports.keys()])].sort();
        return names.map((name) => clientViewOf(name, byName.get(name), reports.get(name)));
      });
      const entry = { at: now(), views, clients };
      cached = entry;
      // A failed read is not kept: the next call tries again.
      views.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached;
  };
  return {
    list: () => load().views,
    clients: () => load().clients,
  };
}
