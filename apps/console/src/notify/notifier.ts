/**
 * The notifier: writes a row per (alert, target) when an alert is stored, and a loop that
 * delivers due rows (webhooks, emails) with retries. Policy is decided by pure functions
 * (`planNotifications`, `decideRetry`); this file carries the verdicts out.
 *
 * Delivery is at least once: a replica that dies between sending and recording the result
 * leaves a row that is sent again after its claim runs out, with the same delivery ID. Two
 * replicas may run the loop side by side; each row is claimed by one of them at a time.
 *
 * What receivers get, and how they check it, is written in `webhook.ts` (webhooks: the body,
 * the `X-Vigie-*` headers and the HMAC-SHA256 scheme over `${timestamp}.${body}`) and
 * `email.ts` (emails); failure codes are in `outcome.ts`, the retry policy in `retry.ts`.
 */

import { randomUUID } from 'node:crypto';
import type { Logger } from '@vigie/log';
import type { ClientDirectory, ClientView, SecretReader } from '../ports.js';
import type { IncomingAlert } from '../storage/alerts.js';
import type { Sql } from '../storage/db.js';
import { createSmtpMailer, renderAlertEmail, type Mailer, type SmtpSettings } from './email.js';
import { asError, failure, type DeliveryOutcome } from './outcome.js';
import { cooldownWindow, planNotifications, type TargetKind } from './plan.js';
import {
  claimDue,
  countPending,
  finishDelivery,
  insertNotifications,
  notifiedAlerts,
  type ClaimedNotification,
} from './queue.js';
import { decideRetry, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { summarizeAlert } from './summary.js';
import { buildWebhookRequest, postWebhook, type WebhookOptions } from './webhook.js';

/** What one delivery attempt came to, for metrics and logs. */
export interface DeliveryEvent {
  readonly deliveryId: string;
  readonly alertId: string;
  readonly client: string;
  readonly kind: TargetKind;
  /** `sent`; `retrying` (a transient failure, tried again later); `failed` for good. */
  readonly result: 'sent' | 'retrying' | 'failed';
  /** This attempt's number, 1 for the first. */
  readonly attempts: number;
  /** `CODE: message`, when not sent. */
  readonly error?: string;
}

/** Counts per target kind. */
export type KindCounts = Readonly<Record<TargetKind, number>>;

/**
 * Counters since the notifier was created, for `vigie_notifications_total{kind, result}`:
 * rows queued to send, alerts grouped into an incident already notified, deliveries sent,
 * attempts to retry, deliveries failed for good.
 */
export interface NotifierStats {
  readonly queued: KindCounts;
  readonly grouped: KindCounts;
  readonly sent: KindCounts;
  readonly retried: KindCounts;
  readonly failed: KindCounts;
}

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

/** How long a claimed row is left to the replica delivering it: longer than any attempt. */
const LEASE_MS = 5 * 60_000;
/** At most this many rows per `runOnce`, so that `stop` never waits long. */
const MAX_PER_RUN = 500;

/** Builds a notifier; nothing runs until `start` or `runOnce`. */
export function createNotifier(deps: NotifierDeps): Notifier {
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const policy = deps.retry ?? DEFAULT_RETRY_POLICY;
  const batchSize = deps.batchSize ?? 10;
  const log: Logger = deps.logger ?? (() => undefined);
  const mailer: Mailer | undefined = deps.smtp ? createSmtpMailer(deps.smtp) : undefined;

  const zero = (): Record<TargetKind, number> => ({ webhook: 0, email: 0 });
  const counts = {
    queued: zero(),
    grouped: zero(),
    sent: zero(),
    retried: zero(),
    failed: zero(),
  };

  async function clients(): Promise<Map<string, ClientView>> {
    return new Map((await deps.directory.list()).map((c) => [c.name, c]));
  }

  async function enqueue(alert: IncomingAlert, options: { sql?: Sql } = {}): Promise<void> {
    const sql = options.sql ?? deps.sql;
    const view = (await clients()).get(alert.client);
    const settings = view?.spec?.alerts;
    if (settings === undefined) {
      log('WARNING', 'no config to notify from', { client: alert.client, alert: alert.id });
      return;
    }
    // Most alerts of a client without targets: nothing to plan, nothing to write.
    if (settings.webhooks.length === 0 && settings.emails.length === 0) return;
    const window = cooldownWindow(alert, settings);
    const recent = await notifiedAlerts(sql, {
      client: alert.client,
      camera: alert.camera,
      ...window,
    });
    const verdicts = planNotifications({ alert, settings, recent });
    const written = await insertNotifications(
      sql,
      verdicts.map((v) => ({
        alert,
        detectedAt: alert.detectedAt,
        target: v.target,
        ...(v.action === 'group' ? { groupedInto: v.into } : {}),
      })),
      now(),
    );
    for (const row of written) {
      (row.state === 'grouped' ? counts.grouped : counts.queued)[row.kind]++;
    }
    if (written.some((r) => r.state === 'pending')) wake();
  }

  async function attempt(
    row: ClaimedNotification,
    view: ClientView | undefined,
  ): Promise<DeliveryOutcome> {
    const summary = summarizeAlert(row.alert, {
      clientName: view?.spec?.name ?? view?.displayName ?? row.alert.client,
      ...(deps.consoleUrl === undefined ? {} : { consoleUrl: deps.consoleUrl }),
    });
    switch (row.kind) {
      case 'webhook': {
        const secret = row.secretRef ?? '';
        const key =
          secret === '' ? undefined : await deps.secrets.read(row.alert.client, secret, 'key');
        if (key === undefined || key === '') {
          return failure(
            'VIGIE_E_WEBHOOK_SECRET',
            `the Secret "${secret}" of client ${row.alert.client} has no key "key"; nothing is sent unsigned`,
            false,
          );
        }
        const at = now();
        const request = buildWebhookRequest({
          url: row.target,
          deliveryId: row.id,
          key,
          summary,
          now: at,
        });
        return postWebhook(request, deps.webhooks, at);
      }
      case 'email': {
        if (mailer === undefined || deps.smtp === undefined) {
          return failure('VIGIE_E_EMAIL_UNCONFIGURED', 'the console has no SMTP settings', false);
        }
        // An email without its snapshot is better than none: evidence failures are not retried.
        const snapshot = await deps.evidence?.(row.alert.id).catch((thrown: unknown) => {
          log('WARNING', 'snapshot unavailable for the alert email', {
            alert: row.alert.id,
            error: asError(thrown).message,
          });
          return undefined;
        });
        const timezone = view?.spec?.timezone;
        return mailer.send(
          renderAlertEmail({
            summary,
            deliveryId: row.id,
            from: deps.smtp.from,
            to: row.target,
            ...(timezone === undefined ? {} : { timezone }),
            ...(snapshot === undefined ? {} : { snapshot }),
          }),
        );
      }
    }
  }

  async function deliver(row: ClaimedNotification, view: ClientView | undefined): Promise<void> {
    let outcome: DeliveryOutcome;
    try {
      outcome = await attempt(row, view);
    } catch (thrown) {
      outcome = failure('VIGIE_E_NOTIFY_INTERNAL', asError(thrown).message, true);
    }
    const verdict = decideRetry(outcome, row.attempts, random, policy);
    const recorded = await finishDelivery(deps.sql, row, verdict, now());
    const fields = {
      delivery: row.id,
      alert: row.alert.id,
      client: row.alert.client,
      kind: row.kind,
      attempts: row.attempts,
    };
    if (!recorded) {
      // Another replica took the row over after the claim ran out; its result stands.
      log('WARNING', 'notification claim lost', fields);
      return;
    }
    const result =
      verdict.state === 'sent' ? 'sent' : verdict.state === 'pending' ? 'retrying' : 'failed';
    (result === 'sent' ? counts.sent : result === 'retrying' ? counts.retried : counts.failed)[
      row.kind
    ]++;
    if (verdict.state === 'sent') {
      log('INFO', 'notification sent', fields);
    } else {
      log(verdict.state === 'pending' ? 'WARNING' : 'ERROR', `notification ${result}`, {
        ...fields,
        error: verdict.error,
      });
    }
    deps.onDelivered?.({
      deliveryId: row.id,
      alertId: row.alert.id,
      client: row.alert.client,
      kind: row.kind,
      result,
      attempts: row.attempts,
      ...(verdict.state === 'sent' ? {} : { error: verdict.error }),
    });
  }

  async function runOnce(): Promise<number> {
    let handled = 0;
    while (handled < MAX_PER_RUN) {
      const rows = await claimDue(deps.sql, {
        now: now(),
        limit: batchSize,
        leaseMs: LEASE_MS,
        claim: randomUUID(),
      });
      if (rows.length === 0) break;
      // Without the directory, messages name the client by its ID and times are in UTC.
      const views = await clients().catch((thrown: unknown) => {
        log('WARNING', 'client directory unavailable', { error: asError(thrown).message });
        return new Map<string, ClientView>();
      });
      await Promise.all(rows.map((row) => deliver(row, views.get(row.alert.client))));
      handled += rows.length;
      if (rows.length < batchSize) break;
    }
    return handled;
  }

  let interval = 5000;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  function schedule(ms: number): void {
    if (stopped) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(tick, ms);
    timer.unref();
  }

  function tick(): void {
    timer = undefined;
    again = false;
    running = runOnce()
      .then(
        () => undefined,
        (thrown: unknown) => {
          log('ERROR', 'notification loop failed', { error: asError(thrown).message });
        },
      )
      .finally(() => {
        running = undefined;
        schedule(again ? 0 : interval);
      });
  }

  function wake(): void {
    if (stopped) return;
    if (running === undefined) schedule(0);
    else again = true;
  }

  return {
    enqueue,
    runOnce,
    start(intervalMs = 5000) {
      interval = intervalMs;
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
      mailer?.close();
    },
    stats: () => ({
      queued: { ...counts.queued },
      grouped: { ...counts.grouped },
      sent: { ...counts.sent },
      retried: { ...counts.retried },
      failed: { ...counts.failed },
    }),
    backlog: () => countPending(deps.sql),
  };
}
