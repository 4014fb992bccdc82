/**
 * What one delivery attempt came to, whatever the channel. Transports never throw: they
 * normalise every failure into an outcome with a stable code, and say whether it is worth
 * trying again.
 */

import type { RuntimeCode } from '@vigie/log';
import { storableExcerpt } from './excerpt.js';

/**
 * The stable codes a failed delivery records (as `CODE: message` in `last_error`). Each is a
 * registered runtime code, whose meaning and remedy `RUNTIME_CODES` (`@vigie/log`) documents.
 */
export const NOTIFY_CODES = [
  'VIGIE_E_WEBHOOK_SECRET',
  'VIGIE_E_WEBHOOK_URL',
  'VIGIE_E_WEBHOOK_FORBIDDEN',
  'VIGIE_E_WEBHOOK_STATUS',
  'VIGIE_E_WEBHOOK_TIMEOUT',
  'VIGIE_E_WEBHOOK_NETWORK',
  'VIGIE_E_EMAIL_UNCONFIGURED',
  'VIGIE_E_EMAIL_DEFERRED',
  'VIGIE_E_EMAIL_REJECTED',
  'VIGIE_E_EMAIL_NETWORK',
  'VIGIE_E_NOTIFY_INTERNAL',
] as const satisfies readonly RuntimeCode[];

/** One of {@link NOTIFY_CODES}. */
export type NotifyCode = (typeof NOTIFY_CODES)[number];

/** The result of one delivery attempt. */
export type DeliveryOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Worth trying again later (5xx, 429, 408, timeouts, network, SMTP 4xx). */
      readonly transient: boolean;
      readonly code: NotifyCode;
      readonly message: string;
      /** How long the receiver asked us to wait (`Retry-After`), in milliseconds. */
      readonly retryAfterMs?: number;
    };

/** The longest message a failed outcome keeps. */
const MESSAGE_CHARS = 500;

/**
 * A failed outcome; `transient` says whether a later attempt may succeed. The message is made
 * fit to store here, for every channel: an SMTP server's or a receiver's words reach
 * `last_error`, and none may hold what PostgreSQL refuses or run on without end.
 */
export function failure(
  code: NotifyCode,
  text: string,
  transient: boolean,
  retryAfterMs?: number,
): DeliveryOutcome {
  const message = storableExcerpt(text, MESSAGE_CHARS);
  return retryAfterMs === undefined
    ? { ok: false, transient, code, message }
    : { ok: false, transient, code, message, retryAfterMs };
}
