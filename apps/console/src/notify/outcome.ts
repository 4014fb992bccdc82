/**
 * What one delivery attempt came to, whatever the channel. Transports never throw: they
 * normalise every failure into an outcome with a stable code, and say whether it is worth
 * trying again.
 */

import { storableExcerpt } from './excerpt.js';

/** The stable codes a failed delivery records (as `CODE: message` in `last_error`). */
export const NOTIFY_CODES = {
  /** The webhook's signing Secret, or its key `key`, does not exist; nothing is sent unsigned. */
  VIGIE_E_WEBHOOK_SECRET: 'the signing Secret or its key is missing',
  /** The webhook URL is not an `https://` URL. */
  VIGIE_E_WEBHOOK_URL: 'the webhook URL is not https',
  /**
   * The webhook's host is, or resolves to, an address or name that webhooks may not reach
   * (loopback, link-local, private, the cluster's names…) and no admin allowed it; nothing is
   * sent. See `address-policy.ts`.
   */
  VIGIE_E_WEBHOOK_FORBIDDEN: 'the webhook target is inside the network',
  /** The receiver answered with a status other than 2xx (redirects are not followed). */
  VIGIE_E_WEBHOOK_STATUS: 'the receiver refused the delivery',
  /** No answer within the timeout. */
  VIGIE_E_WEBHOOK_TIMEOUT: 'the receiver did not answer in time',
  /** Connection, TLS or DNS failure. */
  VIGIE_E_WEBHOOK_NETWORK: 'the receiver could not be reached',
  /** The console has no SMTP settings, so email targets cannot be served. */
  VIGIE_E_EMAIL_UNCONFIGURED: 'no SMTP server is configured',
  /** The SMTP server answered 4xx: try again later. */
  VIGIE_E_EMAIL_DEFERRED: 'the mail server deferred the message',
  /** The SMTP server answered 5xx: the message or recipient is refused for good. */
  VIGIE_E_EMAIL_REJECTED: 'the mail server rejected the message',
  /** Connection, TLS or timeout failure talking to the SMTP server. */
  VIGIE_E_EMAIL_NETWORK: 'the mail server could not be reached',
  /** An unexpected error inside the console while delivering; retried. */
  VIGIE_E_NOTIFY_INTERNAL: 'internal error while delivering',
} as const;

/** One of {@link NOTIFY_CODES}. */
export type NotifyCode = keyof typeof NOTIFY_CODES;

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

/** A thrown value as an `Error`, for messages. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
