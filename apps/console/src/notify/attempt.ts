/**
 * One delivery attempt of a claimed row: a signed webhook, or an email with the alert's
 * snapshot. What it came to is a {@link DeliveryOutcome}; whether to try again is `retry.ts`'s
 * verdict, not this file's.
 */

import { errorMessage, type Logger } from '@vigie/log';
import type { ClientView, SecretReader } from '../ports.js';
import { renderAlertEmail, type Mailer, type SmtpSettings } from './email.js';
import { failure, type DeliveryOutcome } from './outcome.js';
import type { ClaimedNotification } from './queue.js';
import { summarizeAlert, type AlertSummary } from './summary.js';
import { buildWebhookRequest, postWebhook, type WebhookOptions } from './webhook.js';

/** What an attempt needs. */
export interface AttemptOptions {
  /** Webhook signing keys: key `key` of the Secret named by each webhook's `secretRef`. */
  readonly secrets: SecretReader;
  /** The SMTP server and its connection; without them, emails fail as unconfigured. */
  readonly smtp?: { readonly settings: SmtpSettings; readonly mailer: Mailer };
  /** The console's public URL, for links to alert pages. */
  readonly consoleUrl?: string;
  readonly webhooks?: WebhookOptions;
  /** The snapshot of an alert (JPEG), attached to emails when there is one. */
  readonly evidence?: (alertId: string) => Promise<Uint8Array | undefined>;
  readonly now: () => Date;
  readonly log: Logger;
}

/** Makes one attempt at a row, its client's view at hand (undefined when unknown). */
export type Attempt = (
  row: ClaimedNotification,
  view: ClientView | undefined,
) => Promise<DeliveryOutcome>;

async function attemptWebhook(
  options: AttemptOptions,
  row: ClaimedNotification,
  summary: AlertSummary,
): Promise<DeliveryOutcome> {
  const secret = row.secretRef ?? '';
  const key =
    secret === '' ? undefined : await options.secrets.read(row.alert.client, secret, 'key');
  if (key === undefined || key === '') {
    return failure(
      'VIGIE_E_WEBHOOK_SECRET',
      `the Secret "${secret}" of client ${row.alert.client} has no key "key"; nothing is sent unsigned`,
      false,
    );
  }
  const at = options.now();
  const request = buildWebhookRequest({
    url: row.target,
    deliveryId: row.id,
    key,
    summary,
    now: at,
  });
  return postWebhook(request, options.webhooks, at);
}

async function attemptEmail(
  options: AttemptOptions,
  row: ClaimedNotification,
  summary: AlertSummary,
  view: ClientView | undefined,
): Promise<DeliveryOutcome> {
  const { smtp } = options;
  if (smtp === undefined) {
    return failure('VIGIE_E_EMAIL_UNCONFIGURED', 'the console has no SMTP settings', false);
  }
  // An email without its snapshot is better than none: evidence failures are not retried.
  const snapshot = await options.evidence?.(row.alert.id).catch((thrown: unknown) => {
    options.log('WARNING', 'snapshot unavailable for the alert email', {
      alert: row.alert.id,
      error: errorMessage(thrown),
    });
    return undefined;
  });
  const timezone = view?.spec?.timezone;
  return smtp.mailer.send(
    renderAlertEmail({
      summary,
      deliveryId: row.id,
      from: smtp.settings.from,
      to: row.target,
      ...(timezone === undefined ? {} : { timezone }),
      ...(snapshot === undefined ? {} : { snapshot }),
    }),
  );
}

/** Builds the attempt step: the row's alert told as its kind of target hears it. */
export function createAttempt(options: AttemptOptions): Attempt {
  return (row, view) => {
    const summary = summarizeAlert(row.alert, {
      clientName: view?.spec?.name ?? view?.displayName ?? row.alert.client,
      ...(options.consoleUrl === undefined ? {} : { consoleUrl: options.consoleUrl }),
    });
    switch (row.kind) {
      case 'webhook':
        return attemptWebhook(options, row, summary);
      case 'email':
        return attemptEmail(options, row, summary, view);
    }
  };
}
