/** How the console notifies: its SMTP server, and what webhooks may reach inside the network. */

import { parseWebhookAllowance, type WebhookAllowance } from '../notify/address-policy.js';
import type { SmtpSettings } from '../notify/email.js';
import type { EnvReader } from './env-reader.js';

/**
 * `VIGIE_SMTP_HOST` (none: no email), `VIGIE_SMTP_PORT` (587), `VIGIE_SMTP_SECURE` (false:
 * STARTTLS is required instead), `VIGIE_SMTP_USER`, `VIGIE_SMTP_FROM` (required with a host).
 */
export function readSmtp(read: EnvReader): SmtpSettings | undefined {
  const host = read.text('VIGIE_SMTP_HOST');
  // Checked even without a host: a typo here should not wait for the day a host is set.
  const secure = (read.text('VIGIE_SMTP_SECURE') ?? 'false').toLowerCase();
  if (secure !== 'true' && secure !== 'false') {
    throw new Error('VIGIE_SMTP_SECURE must be true (TLS from the start) or false (STARTTLS)');
  }
  const user = read.text('VIGIE_SMTP_USER');
  if (host === undefined) return undefined;
  return {
    host,
    port: read.port('VIGIE_SMTP_PORT', 587),
    secure: secure === 'true',
    requireTls: secure !== 'true',
    from: read.required('VIGIE_SMTP_FROM', 'the sender of alert emails'),
    ...(user === undefined ? {} : { user }),
  };
}

/** `VIGIE_WEBHOOK_ALLOW`: ranges and host names webhooks may reach although internal. */
export function readWebhookAllow(read: EnvReader): WebhookAllowance | undefined {
  const text = read.text('VIGIE_WEBHOOK_ALLOW');
  if (text === undefined) return undefined;
  const allowance = parseWebhookAllowance(text);
  if ('error' in allowance) throw new Error(allowance.error);
  return allowance;
}
