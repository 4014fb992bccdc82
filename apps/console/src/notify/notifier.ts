/**
 * The notifier: writes a row per (alert, target) when an alert is stored, and a loop that
 * delivers due rows (webhooks, emails) with retries. Policy is decided by pure functions
 * (`planNotifications`, `decideRetry`); the steps that carry the verdicts out each have a
 * file, and this one wires them: `enqueue.ts` (an alert's rows), `attempt.ts` (one webhook or
 * email), `delivery.ts` (claim, attempt, record), `loop.ts` (when to run) and `counters.ts`.
 *
 * Delivery is at least once: a replica that dies between sending and recording the result
 * leaves a row that is sent again after its claim runs out, with the same delivery ID. Two
 * replicas may run the loop side by side; each row is claimed by one of them at a time.
 *
 * What receivers get, and how they check it, is written in `webhook.ts` (webhooks: the body,
 * the `X-Vigie-*` headers and the HMAC-SHA256 scheme over `${timestamp}.${body}`) and
 * `email.ts` (emails); failure codes are in `outcome.ts`, the retry policy in `retry.ts`.
 */

import type { Logger } from '@vigie/log';
import type { ClientDirectory, ClientView, SecretReader } from '../ports.js';
import type { IncomingAlert } from '../storage/alerts.js';
import type { Sql } from '../storage/db.js';
import { createAttempt } from './attempt.js';
import { createNotifierCounters, type NotifierStats } from './counters.js';
import { createDeliveryRun, type DeliveryEvent } from './delivery.js';
import { createSmtpMailer, type SmtpSettings } from './email.js';
import { createEnqueue } from './enqueue.js';
import { createDeliveryLoop } from './loop.js';
import { countPending } from './queue.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import type { WebhookOptions } from './webhook.js';

export type { KindCounts, NotifierStats } from './counters.js';
export type { DeliveryEvent } from './delivery.js';

/** What the notifier needs. */
export interface NotifierDeps {
  readonly sql: Sql;
  /** The clients' configs: `spec.alerts` says who to notify, `spec.name` names the store. */
  readonly directory: ClientDirectory;
  /** Webhook signing keys: key `key` of the Secret named by each webhook's `secretRef`. */
  readonly secrets: SecretReader;
  /** The SMTP server; without it, email deliveries fail with `VIGIE_E_EMAIL_UNCONFIGURED`. */
  readonly smtp?: SmtpSettings;
  /** The console's public URL, for links to alert pages. */
  readonly consoleUrl?: string;
  /** Webhook transport options: trusted CAs, timeout, what an admin allows them to reach. */
  readonly webhooks?: WebhookOptions;
  /** The clock; every time the notifier writes or compares comes from it. */
  readonly now?: () => Date;
  /** Numbers in [0, 1) for the backoff's jitter. */
  readonly random?: () => number;
  readonly retry?: RetryPolicy;
  /** The snapshot of an alert (JPEG), attached to emails when there is one. */
  readonly evidence?: (alertId: string) => Promise<Uint8Array | undefined>;
  readonly logger?: Logger;
  /** Called after each delivery attempt. */
  readonly onDelivered?: (event: DeliveryEvent) => void;
  /** Rows claimed, and delivered side by side, at a time; 10 by default. */
  readonly batchSize?: number;
}

/** The notifier. */
export interface Notifier {
  /**
   * Writes the notifications of a newly stored alert: one row per target of the client's
   * `spec.alerts`, to send or grouped. Idempotent per alert. Call it right after
   * `storeAlert` returned true; pass `sql` to write within a caller's transaction. Throws
   * when the directory or the database fails: the alert is stored, so the caller logs it.
   */
  enqueue(alert: IncomingAlert, options?: { readonly sql?: Sql }): Promise<void>;
  /** Delivers every due row, one batch after another; how many rows it handled. */
  runOnce(): Promise<number>;
  /** Runs the loop every `intervalMs` (5 s by default), and at once after an enqueue. */
  start(intervalMs?: number): void;
  /** Stops the loop, waits for deliveries in flight and closes SMTP connections. */
  stop(): Promise<void>;
  /** The counters so far. */
  stats(): NotifierStats;
  /** Rows waiting for delivery, for a backlog gauge. */
  backlog(): Promise<number>;
}

/** Builds a notifier; nothing runs until `start` or `runOnce`. */
export function createNotifier(deps: NotifierDeps): Notifier {
  const now = deps.now ?? (() => new Date());
  const log: Logger = deps.logger ?? (() => undefined);
  const mailer = deps.smtp ? createSmtpMailer(deps.smtp) : undefined;
  const counters = createNotifierCounters();
  const clients = async (): Promise<Map<string, ClientView>> =>
    new Map((await deps.directory.list()).map((c) => [c.name, c]));

  const attempt = createAttempt({
    secrets: deps.secrets,
    ...(deps.smtp && mailer ? { smtp: { settings: deps.smtp, mailer } } : {}),
    ...(deps.consoleUrl === undefined ? {} : { consoleUrl: deps.consoleUrl }),
    ...(deps.webhooks === undefined ? {} : { webhooks: deps.webhooks }),
    ...(deps.evidence === undefined ? {} : { evidence: deps.evidence }),
    now,
    log,
  });
  const runOnce = createDeliveryRun({
    sql: deps.sql,
    attempt,
    clients,
    policy: deps.retry ?? DEFAULT_RETRY_POLICY,
    random: deps.random ?? Math.random,
    now,
    log,
    counters,
    ...(deps.onDelivered === undefined ? {} : { onDelivered: deps.onDelivered }),
    batchSize: deps.batchSize ?? 10,
  });
  const loop = createDeliveryLoop(runOnce, log);
  const enqueue = createEnqueue({ sql: deps.sql, clients, now, log, counters, wake: loop.wake });

  return {
    enqueue,
    runOnce,
    start(intervalMs = 5000) {
      loop.start(intervalMs);
    },
    async stop() {
      await loop.stop();
      mailer?.close();
    },
    stats: counters.stats,
    backlog: () => countPending(deps.sql),
  };
}
