/**
 * The console as a running service: the API and its notifier wired together, the same way in a
 * pod (`main.ts`) and inside `vigie up`. A new alert's notifications are written in the alert's
 * own transaction, so that no stored alert misses its messages.
 */

import { errorMessage, type Logger } from '@vigie/log';
import type { AppDeps, ConsoleApp } from './app.js';
import { buildApp } from './app.js';
import { createConsoleMetrics } from './metrics.js';
import type { WebhookAllowance } from './notify/address-policy.js';
import type { SmtpSettings } from './notify/email.js';
import type { Notifier } from './notify/notifier.js';
import { createNotifier } from './notify/notifier.js';
import type { SecretReader } from './ports.js';
import { evidenceOf } from './storage/alerts.js';
import { createEvidenceSweep } from './storage/uploads.js';

/** Options of {@link createConsoleService}. */
export interface ConsoleServiceOptions extends Omit<
  AppDeps,
  'onAlertStored' | 'metrics' | 'onError'
> {
  readonly secrets: SecretReader;
  readonly smtp?: SmtpSettings;
  /** The console's public URL, for links in notifications. */
  readonly publicUrl?: string;
  /** Extra CAs trusted for webhook endpoints. */
  readonly webhookCa?: string;
  /** What webhooks may reach despite the address rules; nothing by default. */
  readonly webhookAllow?: WebhookAllowance;
  readonly log: Logger;
}

/** The API and the notifier; `start` begins delivering, `stop` ends both. */
export interface ConsoleService {
  readonly app: ConsoleApp;
  readonly notifier: Notifier;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the service; nothing listens or delivers until `start` and `app.listen`. */
export function createConsoleService(options: ConsoleServiceOptions): ConsoleService {
  const { log } = options;
  const metrics = createConsoleMetrics({
    defaults: true,
    pending: () => notifier.backlog(),
    clients: () => options.directory.list(),
  });
  const notifier: Notifier = createNotifier({
    sql: options.sql,
    directory: options.directory,
    secrets: options.secrets,
    ...(options.smtp ? { smtp: options.smtp } : {}),
    ...(options.publicUrl ? { consoleUrl: options.publicUrl } : {}),
    webhooks: {
      ...(options.webhookCa ? { ca: options.webhookCa } : {}),
      ...(options.webhookAllow ? { allow: options.webhookAllow } : {}),
    },
    evidence: async (alertId) => {
      const row = await evidenceOf(options.sql, alertId, 'snapshot');
      if (row === undefined) return undefined;
      if (row.objectKey === null) return row.data ?? undefined;
      return options.evidence.get(row.objectKey);
    },
    onDelivered: (event) => {
      metrics.notifications.inc({ kind: event.kind, result: event.result });
      if (event.result !== 'sent') {
        log(event.result === 'failed' ? 'ERROR' : 'WARNING', `notification ${event.result}`, {
          alertId: event.alertId,
          client: event.client,
          kind: event.kind,
          attempts: event.attempts,
          ...(event.error === undefined ? {} : { error: event.error }),
        });
      }
    },
  });
  const app = buildApp({
    ...options,
    metrics,
    onAlertStored: (alert, tx) => notifier.enqueue(alert, { sql: tx }),
    onError: (error) => {
      log('ERROR', 'console error', {
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    },
  });
  const sweep = createEvidenceSweep({
    sql: options.sql,
    evidence: options.evidence,
    onError: (error) => {
      log('ERROR', 'evidence sweep failed; will try again', {
        error: errorMessage(error),
      });
    },
    onSwept: (result) => {
      if (result.deleted > 0) {
        log('INFO', 'evidence of failed posts swept', { deleted: result.deleted });
      }
    },
  });
  return {
    app,
    notifier,
    async start() {
      await app.hub.start();
      notifier.start();
      sweep.start();
    },
    async stop() {
      await sweep.stop();
      await notifier.stop();
      await app.close();
    },
  };
}
