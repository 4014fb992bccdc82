/**
 * The operator process: caches, work queue, workers, leader election, discovery and HTTP
 * endpoints, wired together. Every replica keeps its caches warm; only the leader runs workers,
 * so two replicas never both write. A replica that loses the Lease stops (and its process
 * exits, to restart as a clean standby), as controller-runtime's managers do.
 */

import type { MonitoringApis } from './desired/desired.js';
import { CLIENT_LABEL, MANAGED_BY, NO_MONITORING } from './desired/desired.js';
import type { ApiServerEndpoint, OperatorSettings } from './desired/settings.js';
import {
  API_SERVER_NAMESPACE,
  API_SERVER_SLICES,
  apiServerEndpoints,
  sameEndpoints,
} from './kube/api-server.js';
import { KubeApiError, KubeClient, hasStatus } from './kube/client.js';
import type { Connection } from './kube/connection.js';
import type { CachedObject, InformerEvent } from './kube/informer.js';
import { Informer } from './kube/informer.js';
import type { OwnedKind } from './kube/resources.js';
import { TYPES } from './kube/resources.js';
import type { LeaseTimings } from './leader/lease.js';
import { LeaderElector } from './leader/lease.js';
import { ExponentialBackoff, WorkQueue } from './queue/workqueue.js';
import { Reconciler, TERMINAL_RETRY_MS } from './reconcile/reconciler.js';
import { createEventRecorder } from './runtime/events.js';
import { serve } from './runtime/http.js';
import type { Logger } from '@vigie/log';
import { CONTROLLER, OperatorMetrics } from './runtime/metrics.js';

/** How to run the operator. */
export interface OperatorOptions {
  /** Where the API server is, and who the operator is to it. */
  readonly connection: Connection;
  readonly settings: OperatorSettings;
  /** This replica's identity (its pod name). */
  readonly identity: string;
  /** Concurrent reconciles (default 8). */
  readonly workers?: number;
  /** Leader election on a Lease, or false to act alone (local tests). */
  readonly leaderElection:
    { readonly namespace: string; readonly name: string; readonly timings?: LeaseTimings } | false;
  /** How often every Client is looked at again without an event (default 10 min, ± 10 %). */
  readonly resyncMs?: number;
  /** How often to look for monitoring APIs (default 60 s). */
  readonly discoveryIntervalMs?: number;
  /** Where `/metrics` is served (`host:port`; port 0 picks one). */
  readonly metricsAddress?: string;
  /** Where `/healthz` and `/readyz` are served. */
  readonly probeAddress?: string;
  readonly log: Logger;
}

/** A running operator. */
export interface Operator {
  readonly metrics: OperatorMetrics;
  /** The ports actually bound, once listening. */
  readonly ports: { readonly metrics: number; readonly probes: number };
  /** True while this replica leads (always true without leader election, once started). */
  isLeader(): boolean;
  /** True once every cache is filled. */
  isReady(): boolean;
  /** Resolves when the operator stops: `stopped` on request, `lost-leadership` otherwise. */
  readonly done: Promise<'stopped' | 'lost-leadership'>;
  /** Stops gracefully: finishes in-flight reconciles, hands the Lease back, closes everything. */
  stop(): Promise<void>;
}

const MONITORING_KINDS = [
  ['PodMonitoring', 'podMonitoring'],
  ['ServiceMonitor', 'serviceMonitor'],
] as const;

/** Starts the operator. */
export async function startOperator(options: OperatorOptions): Promise<Operator> {
  const log = options.log;
  const metrics = new OperatorMetrics();
  const client = new KubeClient(options.connection);
  const host = options.connection.server.host;
  client.observe((method, status, seconds) => {
    metrics.requests.inc({ code: status === 0 ? '<error>' : String(status), method, host });
    metrics.requestLatency.observe({ verb: method }, seconds);
  });
  const workerCount = options.workers ?? 8;
  metrics.maxConcurrent.set({ controller: CONTROLLER }, workerCount);
  const queue = new WorkQueue(new ExponentialBackoff(), metrics.queueMetrics());

  const clientName = (object: CachedObject): string | undefined => {
    const label = object.metadata.labels?.[CLIENT_LABEL];
    if (label !== undefined) return label;
    const namespace = object.metadata.namespace;
    // Camera Secrets carry no Vigie label: the tenant namespace names the client.
    return namespace?.startsWith('vigie-') === true ? namespace.slice('vigie-'.length) : undefined;
  };
  const onOwned = (_event: InformerEvent, object: CachedObject) => {
    const name = clientName(object);
    if (name !== undefined && clients.get(name) !== undefined) queue.add(name);
  };
  const watchError = (resource: string) => (error: unknown, relist: boolean) => {
    metrics.watchErrors.inc({ resource, relist: String(relist) });
    log(relist ? 'INFO' : 'WARNING', 'watch failed; resuming', {
      resource,
      relist,
      error: error instanceof Error ? error.message : String(error),
    });
  };
  const informer = (
    kind: keyof typeof TYPES,
    extra: Partial<ConstructorParameters<typeof Informer>[1]> = {},
  ) =>
    new Informer(client, {
      type: TYPES[kind],
      onEvent: onOwned,
      onError: watchError(TYPES[kind].plural),
      ...extra,
    });

  const clients = informer('Client', {
    resyncMs: options.resyncMs ?? 600_000,
    onEvent: (_event, object) => {
      queue.add(object.metadata.name);
    },
  });
  const ownedSelector = `app.kubernetes.io/managed-by=${MANAGED_BY}`;
  const ownedInformer = (kind: OwnedKind) =>
    informer(kind, { labelSelector: ownedSelector, indexLabel: CLIENT_LABEL });
  const owned = new Map<OwnedKind, Informer>(
    (
      [
        'Namespace',
        'ServiceAccount',
        'ClusterRole',
        'ClusterRoleBinding',
        'Role',
        'RoleBinding',
        'ResourceQuota',
        'LimitRange',
        'NetworkPolicy',
        'ConfigMap',
        'Deployment',
        'Service',
      ] as const
    ).map((kind) => [kind, ownedInformer(kind)]),
  );
  const pods = informer('Pod', {
    labelSelector: CLIENT_LABEL,
    indexLabel: CLIENT_LABEL,
    // Only scheduling and container states are read: the pod spec is most of a pod's size.
    transform: (pod) => {
      const status = (pod.status ?? {}) as Record<string, unknown>;
      return {
        metadata: pod.metadata,
        status: { conditions: status.conditions, containerStatuses: status.containerStatuses },
      };
    },
  });
  // Metadata only: the operator needs to know a Secret exists, never what it holds.
  const secrets = informer('Secret', { metadataOnly: true });

  // Detectors reach the API server at the addresses its Service is translated to, which the
  // NetworkPolicies must name: a change of them is planned again for every Client. Settings
  // that give them leave nothing to watch.
  let apiServer: readonly ApiServerEndpoint[] = options.settings.apiServerEndpoints ?? [];
  const describeEndpoints = (list: readonly ApiServerEndpoint[]) =>
    list.map((e) => `${e.address.includes(':') ? `[${e.address}]` : e.address}:${String(e.port)}`);
  const warnNoApiServer = () => {
    log(
      'WARNING',
      'the API server has no endpoints in its EndpointSlice: detectors cannot report camera health until it has, or until VIGIE_API_SERVER_ENDPOINTS names them',
      { namespace: API_SERVER_NAMESPACE, labelSelector: API_SERVER_SLICES },
    );
  };
  const apiServerSlices =
    options.settings.apiServerEndpoints !== undefined
      ? undefined
      : informer('EndpointSlice', {
          namespace: API_SERVER_NAMESPACE,
          labelSelector: API_SERVER_SLICES,
          onEvent: () => {
            if (apiServerSlices === undefined) return;
            const found = apiServerEndpoints(apiServerSlices.list());
            if (sameEndpoints(found, apiServer)) return;
            apiServer = found;
            if (!apiServerSlices.synced) return;
            if (found.length === 0) warnNoApiServer();
            else
              log('INFO', 'API server endpoints changed', { endpoints: describeEndpoints(found) });
            for (const object of clients.list()) queue.add(object.metadata.name);
          },
        });

  let monitoring: MonitoringApis = NO_MONITORING;
  const discover = async (): Promise<void> => {
    const found = { ...NO_MONITORING };
    for (const [kind, field] of MONITORING_KINDS) {
      found[field] = await served(client, kind);
    }
    if (
      found.podMonitoring === monitoring.podMonitoring &&
      found.serviceMonitor === monitoring.serviceMonitor
    ) {
      return;
    }
    log('INFO', 'monitoring APIs found', { ...found });
    for (const [kind, field] of MONITORING_KINDS) {
      const existing = owned.get(kind);
      if (found[field] && existing === undefined) {
        const started = ownedInformer(kind);
        owned.set(kind, started);
        started.start();
        await started.waitForSync(60_000);
      } else if (!found[field] && existing !== undefined) {
        owned.delete(kind);
        await existing.stop();
      }
    }
    monitoring = found;
    for (const object of clients.list()) queue.add(object.metadata.name);
  };
  await discover().catch((error: unknown) => {
    log('WARNING', 'API discovery failed; retrying later', { error: String(error) });
  });

  const all = () => [
    clients,
    ...owned.values(),
    pods,
    secrets,
    ...(apiServerSlices === undefined ? [] : [apiServerSlices]),
  ];
  for (const each of all()) each.start();
  const cacheGauge = setInterval(() => {
    for (const each of all())
      metrics.cacheObjects.set({ resource: each.options.type.plural }, each.size);
    metrics.longestRunning.set(
      { name: CONTROLLER, controller: CONTROLLER },
      queue.longestRunningSeconds(),
    );
    metrics.unfinishedWork.set(
      { name: CONTROLLER, controller: CONTROLLER },
      queue.unfinishedSeconds(),
    );
  }, 5_000);
  cacheGauge.unref();
  const discovery = setInterval(() => {
    discover().catch((error: unknown) => {
      log('WARNING', 'API discovery failed', { error: String(error) });
    });
  }, options.discoveryIntervalMs ?? 60_000);
  discovery.unref();

  const reconciler = new Reconciler({
    client,
    caches: { clients, owned, pods, secrets },
    settings: options.settings,
    observed: () => ({ monitoring, apiServer }),
    events: createEventRecorder(client, options.identity, log),
    metrics,
    log,
  });

  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      metrics.activeWorkers.inc({ controller: CONTROLLER });
      const end = metrics.reconcileTime.startTimer({ controller: CONTROLLER });
      try {
        const result = await reconciler.reconcile(key);
        queue.forget(key);
        if (result.requeueAfterMs !== undefined) {
          queue.addAfter(key, result.requeueAfterMs);
          metrics.reconcileTotal.inc({ controller: CONTROLLER, result: 'requeue_after' });
        } else {
          metrics.reconcileTotal.inc({ controller: CONTROLLER, result: 'success' });
        }
      } catch (error) {
        metrics.reconcileTotal.inc({ controller: CONTROLLER, result: 'error' });
        metrics.reconcileErrors.inc({ controller: CONTROLLER });
        const terminal = error instanceof KubeApiError && !error.transient;
        if (terminal) {
          // Retrying at once cannot help (forbidden, invalid): look again later, not hot.
          metrics.terminalErrors.inc({ controller: CONTROLLER });
          queue.forget(key);
          queue.addAfter(key, TERMINAL_RETRY_MS);
        } else {
          queue.addRateLimited(key);
        }
        log(terminal ? 'ERROR' : 'WARNING', 'reconcile failed', {
          client: key,
          retries: queue.retries(key),
          terminal,
          error: error instanceof Error ? error.message : String(error),
        });
      } finally {
        end();
        metrics.activeWorkers.dec({ controller: CONTROLLER });
        queue.done(key);
      }
    }
  };

  let workers: Promise<unknown> | undefined;
  let leading = false;
  let stopping = false;
  let resolveDone: (reason: 'stopped' | 'lost-leadership') => void = () => undefined;
  const done = new Promise<'stopped' | 'lost-leadership'>((resolve) => {
    resolveDone = resolve;
  });

  const startWorkers = () => {
    leading = true;
    metrics.leader.set({ name: leaseName }, 1);
    workers = (async () => {
      // Acting on a half-filled cache would recreate or prune objects that exist.
      for (const each of all()) {
        while (!each.synced && !stopping) await new Promise((r) => setTimeout(r, 50));
      }
      if (stopping) return [];
      log('INFO', 'caches synced; reconciling', {
        clients: clients.size,
        apiServer: describeEndpoints(apiServer),
      });
      if (apiServer.length === 0) warnNoApiServer();
      for (const object of clients.list()) queue.add(object.metadata.name);
      return Promise.all(Array.from({ length: workerCount }, worker));
    })();
  };

  const leaseName = options.leaderElection === false ? 'none' : options.leaderElection.name;
  const elector =
    options.leaderElection === false
      ? undefined
      : new LeaderElector(client, {
          namespace: options.leaderElection.namespace,
          name: options.leaderElection.name,
          identity: options.identity,
          ...(options.leaderElection.timings === undefined
            ? {}
            : { timings: options.leaderElection.timings }),
          log: (message, fields) => {
            log('INFO', message, { identity: options.identity, ...fields });
          },
        });
  metrics.leader.set({ name: leaseName }, 0);

  const [metricsHost, metricsPort] = splitAddress(options.metricsAddress ?? ':8080');
  const [probeHost, probePort] = splitAddress(options.probeAddress ?? ':8081');
  const metricsServer = await serve(metricsHost, metricsPort, {
    '/metrics': async () => ({
      status: 200,
      body: await metrics.registry.metrics(),
      contentType: metrics.registry.contentType,
    }),
  });
  const ok = (healthy: boolean, what: string) => ({
    status: healthy ? 200 : 503,
    body: healthy ? 'ok\n' : `${what}\n`,
  });
  const probeServer = await serve(probeHost, probePort, {
    '/healthz': () => Promise.resolve(ok(!stopping, 'stopping')),
    '/readyz': () =>
      Promise.resolve(ok(all().every((i) => i.synced) && !stopping, 'caches not synced')),
  });

  const shutdown = async (reason: 'stopped' | 'lost-leadership') => {
    if (stopping) return;
    stopping = true;
    clearInterval(cacheGauge);
    clearInterval(discovery);
    queue.shutDown();
    // In-flight reconciles finish, so no half-applied client is left behind.
    await Promise.race([workers, new Promise((r) => setTimeout(r, 30_000).unref())]);
    if (reason === 'stopped') await elector?.release();
    leading = false;
    metrics.leader.set({ name: leaseName }, 0);
    await Promise.all(all().map((each) => each.stop()));
    await metricsServer.close();
    await probeServer.close();
    client.close();
    log('INFO', 'operator stopped', { reason });
    resolveDone(reason);
  };

  if (elector === undefined) {
    startWorkers();
  } else {
    void elector.run(startWorkers, () => {
      void shutdown('lost-leadership');
    });
  }

  return {
    metrics,
    ports: { metrics: metricsServer.port, probes: probeServer.port },
    isLeader: () => leading,
    isReady: () => all().every((i) => i.synced),
    done,
    stop: () => shutdown('stopped'),
  };
}

/** Whether the cluster serves `kind` (found through discovery of its group version). */
async function served(
  client: KubeClient,
  kind: 'PodMonitoring' | 'ServiceMonitor',
): Promise<boolean> {
  const type = TYPES[kind];
  try {
    const list = await client.request<{ resources?: { name: string }[] }>(
      `/apis/${type.group}/${type.version}`,
    );
    return list.resources?.some((r) => r.name === type.plural) ?? false;
  } catch (error) {
    if (hasStatus(error, 404)) return false;
    throw error;
  }
}

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  const host = colon <= 0 ? '0.0.0.0' : address.slice(0, colon);
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`"${address}" is not a host:port address`);
  }
  return [host, port];
}
