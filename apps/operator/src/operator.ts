/**
 * The operator process: caches, work queue, workers, leader election, discovery and HTTP
 * endpoints, wired together. Every replica keeps its caches warm; only the leader runs workers,
 * so two replicas never both write. A replica that loses the Lease stops (and its process
 * exits, to restart as a clean standby), as controller-runtime's managers do.
 */

import type { Logger } from '@vigie/log';
import { OperatorCaches } from './controller/caches.js';
import { runController } from './controller/controller.js';
import { MonitoringDiscovery } from './controller/discovery.js';
import type { OperatorSettings } from './desired/settings.js';
import { KubeClient } from './kube/client.js';
import type { Connection } from './kube/connection.js';
import type { LeaseTimings } from './leader/lease.js';
import { LeaderElector } from './leader/lease.js';
import { ExponentialBackoff, WorkQueue } from './queue/workqueue.js';
import type { ReconcileResult } from './reconcile/reconciler.js';
import { Reconciler } from './reconcile/reconciler.js';
import { createEventRecorder } from './runtime/events.js';
import { serve } from './runtime/http.js';
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

/** Starts the operator. */
export async function startOperator(options: OperatorOptions): Promise<Operator> {
  const { log } = options;
  const metrics = new OperatorMetrics();
  const client = connect(options.connection, metrics);
  const workers = options.workers ?? 8;
  metrics.maxConcurrent.set({ controller: CONTROLLER }, workers);
  const queue = new WorkQueue(new ExponentialBackoff(), metrics.queueMetrics());
  const caches = new OperatorCaches(client, {
    queue,
    metrics,
    log,
    resyncMs: options.resyncMs ?? 600_000,
    apiServerEndpoints: options.settings.apiServerEndpoints,
  });
  const discovery = new MonitoringDiscovery({
    client,
    owned: caches.owned,
    ownedInformer: (kind) => caches.ownedInformer(kind),
    onChange: () => {
      caches.requeueAll();
    },
    log,
  });
  await discovery.discover().catch((error: unknown) => {
    log('WARNING', 'API discovery failed; retrying later', { error: String(error) });
  });
  for (const each of caches.all()) each.start();
  const gauges = reportGauges(caches, queue, metrics);
  discovery.poll(options.discoveryIntervalMs ?? 60_000);
  const reconciler = new Reconciler({
    client,
    caches,
    settings: options.settings,
    observed: () => ({ monitoring: discovery.apis, apiServer: caches.apiServer() }),
    events: createEventRecorder(client, options.identity, log),
    metrics,
    log,
  });
  const replica = new Replica({
    caches,
    queue,
    reconcile: (key) => reconciler.reconcile(key),
    workers,
    election: createElector(client, options),
    metrics,
    log,
    stopBackground: () => {
      clearInterval(gauges);
      discovery.stop();
    },
  });
  const servers = await serveEndpoints(options, metrics, {
    healthy: () => !replica.stopping,
    ready: () => caches.synced() && !replica.stopping,
  });
  replica.closeOnStop(servers.close);
  replica.closeOnStop(() => {
    client.close();
  });
  replica.start();
  return {
    metrics,
    ports: servers.ports,
    isLeader: () => replica.leading,
    isReady: () => caches.synced(),
    done: replica.done,
    stop: () => replica.stop('stopped'),
  };
}

/** A client of the API server whose every request is counted and timed. */
function connect(connection: Connection, metrics: OperatorMetrics): KubeClient {
  const client = new KubeClient(connection);
  const host = connection.server.host;
  client.observe((method, status, seconds) => {
    metrics.requests.inc({ code: status === 0 ? '<error>' : String(status), method, host });
    metrics.requestLatency.observe({ verb: method }, seconds);
  });
  return client;
}

/** Exports the caches' sizes and the queue's running time every 5 s. */
function reportGauges(
  caches: OperatorCaches,
  queue: WorkQueue,
  metrics: OperatorMetrics,
): NodeJS.Timeout {
  const labels = { name: CONTROLLER, controller: CONTROLLER };
  const timer = setInterval(() => {
    for (const each of caches.all())
      metrics.cacheObjects.set({ resource: each.options.type.plural }, each.size);
    metrics.longestRunning.set(labels, queue.longestRunningSeconds());
    metrics.unfinishedWork.set(labels, queue.unfinishedSeconds());
  }, 5_000);
  timer.unref();
  return timer;
}

/** Leader election as the options say: on a Lease, or none. */
interface Election {
  readonly leaseName: string;
  readonly elector: LeaderElector | undefined;
}

/** The elector of the Lease this replica competes for, if any. */
function createElector(client: KubeClient, options: OperatorOptions): Election {
  const election = options.leaderElection;
  if (election === false) return { leaseName: 'none', elector: undefined };
  return {
    leaseName: election.name,
    elector: new LeaderElector(client, {
      namespace: election.namespace,
      name: election.name,
      identity: options.identity,
      ...(election.timings === undefined ? {} : { timings: election.timings }),
      log: (message, fields) => {
        options.log('INFO', message, { identity: options.identity, ...fields });
      },
    }),
  };
}

/** Serves `/metrics`, and `/healthz` and `/readyz`, on their addresses. */
async function serveEndpoints(
  options: OperatorOptions,
  metrics: OperatorMetrics,
  probes: { readonly healthy: () => boolean; readonly ready: () => boolean },
): Promise<{ ports: Operator['ports']; close: () => Promise<void> }> {
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
    '/healthz': () => Promise.resolve(ok(probes.healthy(), 'stopping')),
    '/readyz': () => Promise.resolve(ok(probes.ready(), 'caches not synced')),
  });
  return {
    ports: { metrics: metricsServer.port, probes: probeServer.port },
    close: async () => {
      await metricsServer.close();
      await probeServer.close();
    },
  };
}

/** What a {@link Replica} runs and stops. */
interface ReplicaParts {
  readonly caches: OperatorCaches;
  readonly queue: WorkQueue;
  readonly reconcile: (key: string) => Promise<ReconcileResult>;
  readonly workers: number;
  readonly election: Election;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
  /** Stops what runs in the background beside the workers (gauges, discovery). */
  readonly stopBackground: () => void;
}

/**
 * This replica's life: it waits for the Lease (or leads at once without election), runs the
 * workers while it leads, and stops once, on request or when it loses the Lease.
 */
class Replica {
  leading = false;
  stopping = false;
  /** Resolves when the replica has stopped, with why. */
  readonly done: Promise<'stopped' | 'lost-leadership'>;
  private resolveDone: (reason: 'stopped' | 'lost-leadership') => void = () => undefined;
  private workers: Promise<unknown> | undefined;
  private readonly closers: (() => Promise<void> | void)[] = [];

  constructor(private readonly parts: ReplicaParts) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    parts.metrics.leader.set({ name: parts.election.leaseName }, 0);
  }

  /** Closes `close` when the replica stops, after its workers and caches, in the order given. */
  closeOnStop(close: () => Promise<void> | void): void {
    this.closers.push(close);
  }

  /** Competes for the Lease, or leads at once without election. */
  start(): void {
    const { elector } = this.parts.election;
    if (elector === undefined) {
      this.lead();
      return;
    }
    void elector.run(
      () => {
        this.lead();
      },
      () => {
        void this.stop('lost-leadership');
      },
    );
  }

  /** Stops gracefully: finishes in-flight reconciles, hands the Lease back, closes everything. */
  async stop(reason: 'stopped' | 'lost-leadership'): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const { caches, queue, election, metrics, log } = this.parts;
    this.parts.stopBackground();
    queue.shutDown();
    // In-flight reconciles finish, so no half-applied client is left behind.
    await Promise.race([this.workers, new Promise((r) => setTimeout(r, 30_000).unref())]);
    if (reason === 'stopped') await election.elector?.release();
    this.leading = false;
    metrics.leader.set({ name: election.leaseName }, 0);
    await Promise.all(caches.all().map((each) => each.stop()));
    for (const close of this.closers) await close();
    log('INFO', 'operator stopped', { reason });
    this.resolveDone(reason);
  }

  private lead(): void {
    this.leading = true;
    this.parts.metrics.leader.set({ name: this.parts.election.leaseName }, 1);
    this.workers = this.runWorkers();
  }

  private async runWorkers(): Promise<void> {
    const { caches, queue, log } = this.parts;
    // Acting on a half-filled cache would recreate or prune objects that exist.
    for (const each of caches.all()) {
      while (!each.synced && !this.stopping) await new Promise((r) => setTimeout(r, 50));
    }
    if (this.stopping) return;
    log('INFO', 'caches synced; reconciling', {
      clients: caches.clients.size,
      apiServer: caches.describeApiServer(),
    });
    caches.warnIfNoApiServer();
    for (const object of caches.clients.list()) queue.add(object.metadata.name);
    await runController(this.parts);
  }
}

/** `host:port` as a host and a port; an empty host listens on every address. */
function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  const host = colon <= 0 ? '0.0.0.0' : address.slice(0, colon);
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`"${address}" is not a host:port address`);
  }
  return [host, port];
}
