/**
 * The console's notifications: signed webhooks and emails for new alerts, grouped per
 * incident, delivered from a durable table with retries.
 */

/** The notifier, its dependencies, counters and delivery events. */
export {
  createNotifier,
  type DeliveryEvent,
  type KindCounts,
  type Notifier,
  type NotifierDeps,
  type NotifierStats,
} from './notifier.js';
/** The pure plan: who hears about an alert, and which alerts are grouped per incident. */
export {
  planNotifications,
  targetsOf,
  type NotifiedAlert,
  type PlannedAlert,
  type Target,
  type TargetKind,
  type TargetVerdict,
} from './plan.js';
/** The pure retry policy. */
export { decideRetry, DEFAULT_RETRY_POLICY, type RetryPolicy, type RetryVerdict } from './retry.js';
/** Failure codes and attempt outcomes. */
export { NOTIFY_CODES, type DeliveryOutcome, type NotifyCode } from './outcome.js';
/** Webhook signing, for Vigie and for receivers. */
export {
  signWebhook,
  verifyWebhookSignature,
  type WebhookOptions,
  type WebhookVerification,
} from './webhook.js';
/** Where webhooks may go: the rules, and what an admin allows besides. */
export { parseWebhookAllowance, type WebhookAllowance } from './address-policy.js';
/** Email rendering and SMTP settings. */
export { renderAlertEmail, type AlertEmail, type SmtpSettings } from './email.js';
/** The alert as notifications tell it. */
export { summarizeAlert, type AlertSummary } from './summary.js';
