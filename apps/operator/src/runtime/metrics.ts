/**
 * The operator's Prometheus metrics. Controller, work-queue, leader-election and REST-client
 * metrics carry the names controller-runtime and client-go give them, so existing dashboards
 * and alerts for Kubernetes operators work unchanged; Vigie's own carry the `vigie_` prefix.
 */

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueMetrics } from '../queue/workqueue.js';

/** The controller's name in metric labels. */
export const CONTROLLER = 'client';

/** Every metric the operator exports, in one registry. */
export class OperatorMetrics {
  readonly registry = new Registry();

  readonly reconcileTotal = new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller',
    labelNames: ['controller', 'result'] as const,
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  readonly terminalErrors = new Counter({
    name: 'controller_runtime_terminal_reconcile_errors_total',
    help: 'Total number of terminal reconciliation errors per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  readonly reconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller',
    labelNames: ['controller'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly maxConcurrent = new Gauge({
    name: 'controller_runtime_max_concurrent_reconciles',
    help: 'Maximum number of concurrent reconciles per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  readonly activeWorkers = new Gauge({
    name: 'controller_runtime_active_workers',
    help: 'Number of currently used workers per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of workqueue',
    labelNames: ['name', 'controller'] as const,
    registers: [this.registry],
  });
  readonly queueAdds = new Counter({
    name: 'workqueue_adds_total',
    help: 'Total number of adds handled by workqueue',
    labelNames: ['name', 'controller'] as const,
    registers: [this.registry],
  });
  readonly queueRetries = new Counter({
    name: 'workqueue_retries_total',
    help: 'Total number of retries handled by workqueue',
    labelNames: ['name', 'controller'] as const,
    registers: [this.registry],
  });
  readonly queueLatency = new Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested',
    labelNames: ['name', 'controller'] as const,
    buckets: [1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10, 100, 1000],
    registers: [this.registry],
  });
  readonly workDuration = new Histogram({
    name: 'workqueue_work_duration_seconds',
    help: 'How long in seconds processing an item from workqueue takes',
    labelNames: ['name', 'controller'] as const,
    buckets: [1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10, 100, 1000],
    registers: [this.registry],
  });
  readonly unfinishedWork = new Gauge({
    name: 'workqueue_unfinished_work_seconds',
    help: 'How many seconds of work has been done that is in progress and has not been observed by work_duration',
    labelNames: ['name', 'controller'] as const,
    registers: [this.registry],
  });
  readonly longestRunning = new Gauge({
    name: 'workqueue_longest_running_processor_seconds',
    help: 'How many seconds has the longest running processor for workqueue been running',
    labelNames: ['name', 'controller'] as const,
    registers: [this.registry],
  });

  readonly leader = new Gauge({
    name: 'leader_election_master_status',
    help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });

  readonly requests = new Counter({
    name: 'rest_client_requests_total',
    help: 'Number of HTTP requests, partitioned by status code, method, and host',
    labelNames: ['code', 'method', 'host'] as const,
    registers: [this.registry],
  });
  readonly requestLatency = new Histogram({
    name: 'rest_client_request_duration_seconds',
    help: 'Request latency in seconds, broken down by verb',
    labelNames: ['verb'] as const,
    buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
    registers: [this.registry],
  });

  readonly watchErrors = new Counter({
    name: 'vigie_operator_watch_errors_total',
    help: 'Watch failures per resource; relist says whether the cache was listed again (410 Gone)',
    labelNames: ['resource', 'relist'] as const,
    registers: [this.registry],
  });
  readonly cacheObjects = new Gauge({
    name: 'vigie_operator_cache_objects',
    help: 'Objects held in the operator cache per resource',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });
  readonly appliedObjects = new Counter({
    name: 'vigie_operator_applied_objects_total',
    help: 'Objects written with server-side apply, by kind and cause (create, update, repair)',
    labelNames: ['kind', 'cause'] as const,
    registers: [this.registry],
  });
  readonly clientCondition = new Gauge({
    name: 'vigie_client_status_condition',
    help: 'A Client condition: 1 when it is True, 0 otherwise',
    labelNames: ['client', 'type', 'reason'] as const,
    registers: [this.registry],
  });
  readonly clientShards = new Gauge({
    name: 'vigie_client_shards',
    help: 'Detector shards of a Client, planned and ready',
    labelNames: ['client', 'state'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.maxConcurrent.set({ controller: CONTROLLER }, 0);
    this.activeWorkers.set({ controller: CONTROLLER }, 0);
    for (const result of ['success', 'error', 'requeue', 'requeue_after']) {
      this.reconcileTotal.inc({ controller: CONTROLLER, result }, 0);
    }
    this.reconcileErrors.inc({ controller: CONTROLLER }, 0);
    this.terminalErrors.inc({ controller: CONTROLLER }, 0);
  }

  /** The work queue's metrics, bound to this registry. */
  queueMetrics(): QueueMetrics {
    const labels = { name: CONTROLLER, controller: CONTROLLER };
    return {
      depth: (value) => {
        this.queueDepth.set(labels, value);
      },
      added: () => {
        this.queueAdds.inc(labels);
      },
      retried: () => {
        this.queueRetries.inc(labels);
      },
      waited: (seconds) => {
        this.queueLatency.observe(labels, seconds);
      },
      worked: (seconds) => {
        this.workDuration.observe(labels, seconds);
      },
    };
  }
}
