/** The console's Prometheus metrics, on a registry of its own (one per app). */

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The console's metrics. */
export interface ConsoleMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'method' | 'code'>;
  readonly duration: Histogram<'route' | 'method'>;
  readonly ingested: Counter<'kind' | 'result'>;
  readonly reviews: Counter<'verdict'>;
  readonly liveConnections: Gauge;
  readonly notifications: Counter<'kind' | 'result'>;
  /** Set from the notifier's backlog at each scrape. */
  readonly notificationsPending: Gauge;
  /** Each client's state (Ready, Progressing, Degraded, Rejected), read at each scrape. */
  readonly clientState: Gauge<'client' | 'state'>;
}

const CLIENT_STATES = ['Ready', 'Progressing', 'Degraded', 'Rejected'] as const;

/**
 * Creates the metrics; `defaults` adds the process metrics (off in tests), `pending` reads the
 * notification backlog at each scrape.
 */
export function createConsoleMetrics(
  options: {
    defaults?: boolean;
    pending?: () => Promise<number>;
    clients?: () => Promise<readonly { name: string; state: string }[]>;
  } = {},
): ConsoleMetrics {
  const { pending, clients } = options;
  const registry = new Registry();
  if (options.defaults === true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'vigie_console_http_requests_total',
      help: 'HTTP requests answered, by route template, method and status code.',
      labelNames: ['route', 'method', 'code'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'vigie_console_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route template and method.',
      labelNames: ['route', 'method'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    ingested: new Counter({
      name: 'vigie_console_ingested_total',
      help: 'Alerts and clips posted by detectors, by kind and result (stored, duplicate, refused).',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
    reviews: new Counter({
      name: 'vigie_console_reviews_total',
      help: 'Alerts reviewed by people, by verdict.',
      labelNames: ['verdict'],
      registers: [registry],
    }),
    liveConnections: new Gauge({
      name: 'vigie_console_live_connections',
      help: 'Open live alert streams (Server-Sent Events).',
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'vigie_console_notifications_total',
      help: 'Notification attempts, by kind (webhook, email) and result (sent, retrying, failed).',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
    notificationsPending: new Gauge({
      name: 'vigie_console_notifications_pending',
      help: 'Notifications waiting to be delivered, retries included.',
      registers: [registry],
      ...(pending
        ? {
            async collect(this: Gauge) {
              this.set(await pending());
            },
          }
        : {}),
    }),
    clientState: new Gauge({
      name: 'vigie_console_client_state',
      help: "A client's state as the console shows it: 1 for its current state (Ready, Progressing, Degraded, Rejected: the last upload was refused), 0 for the others.",
      labelNames: ['client', 'state'],
      registers: [registry],
      ...(clients
        ? {
            async collect(this: Gauge<'client' | 'state'>) {
              this.reset();
              for (const client of await clients()) {
                for (const state of CLIENT_STATES) {
                  this.set({ client: client.name, state }, client.state === state ? 1 : 0);
                }
              }
            },
          }
        : {}),
    }),
  };
}
