/**
 * Signed webhooks: each alert is POSTed as JSON to the client's `https://` URLs.
 *
 * ## Webhook deliveries, for receivers
 *
 * A delivery is `POST <url>` with the body
 * `{"type":"alert","deliveryId":"dlv_…","alert":{…the alert summary…}}` and these headers:
 *
 * - `Content-Type: application/json`
 * - `X-Vigie-Delivery`: the delivery ID, the same on every retry of the same alert to the same
 *   URL. Receivers de-duplicate on it: delivery is at least once.
 * - `X-Vigie-Timestamp`: the attempt's time, in whole seconds since the Unix epoch.
 * - `X-Vigie-Signature`: `sha256=` and the lowercase hex HMAC-SHA256, keyed with the UTF-8
 *   bytes of the key `key` of the Secret named by the webhook's `secretRef`, of the string
 *   `${timestamp}.${body}`: the timestamp header's value, a full stop, and the body's exact
 *   bytes as received.
 *
 * To verify, recompute the HMAC over the raw body (before any JSON parsing), compare in
 * constant time, and reject timestamps more than five minutes from your clock, which stops
 * replays of captured deliveries; {@link verifyWebhookSignature} does all three.
 *
 * Answer 2xx to accept. 408, 429, 5xx, timeouts (10 s) and network errors are retried with
 * backoff (eight attempts over about an hour; `Retry-After` is honoured); any other status,
 * redirects included (they are never followed), fails the delivery at once. Vigie never sends
 * a delivery unsigned: without the Secret it fails with `VIGIE_E_WEBHOOK_SECRET`.
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import { request } from 'node:https';
import { failure, type DeliveryOutcome } from './outcome.js';
import { parseRetryAfter } from './retry.js';
import type { AlertSummary } from './summary.js';

/** How webhooks are sent. */
export interface WebhookOptions {
  /** Extra trusted CA certificates (PEM), replacing the default roots when given. */
  readonly ca?: string | readonly string[];
  /** How long a delivery may take, connection included; 10 s by default. */
  readonly timeoutMs?: number;
}

/** A webhook delivery, ready to send. */
export interface WebhookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The signature header's value for a body sent at `timestamp` (Unix seconds). */
export function signWebhook(key: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', key)
    .update(`${String(timestamp)}.${body}`)
    .digest('hex');
  return `sha256=${mac}`;
}

/** What {@link verifyWebhookSignature} checks. */
export interface WebhookVerification {
  /** The Secret's key. */
  readonly key: string;
  /** The raw body, exactly as received. */
  readonly body: string;
  /** The `X-Vigie-Timestamp` header. */
  readonly timestamp: string | undefined;
  /** The `X-Vigie-Signature` header. */
  readonly signature: string | undefined;
  /** The receiver's clock. */
  readonly now: Date;
  /** How far the timestamp may be from `now`; 300 s by default. */
  readonly toleranceSeconds?: number;
}

/** Whether a delivery is authentic and fresh: what a receiver checks. */
export function verifyWebhookSignature(input: WebhookVerification): boolean {
  const { timestamp, signature } = input;
  if (timestamp === undefined || signature === undefined || !/^\d{1,12}$/.test(timestamp)) {
    return false;
  }
  const skew = Math.abs(input.now.getTime() / 1000 - Number(timestamp));
  if (skew > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(input.key, Number(timestamp), input.body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** What a webhook delivery is built from. */
export interface WebhookDelivery {
  readonly url: string;
  readonly deliveryId: string;
  readonly key: string;
  readonly summary: AlertSummary;
  readonly now: Date;
}

/** The signed request for a delivery. */
export function buildWebhookRequest(delivery: WebhookDelivery): WebhookRequest {
  const body = JSON.stringify({
    type: 'alert',
    deliveryId: delivery.deliveryId,
    alert: delivery.summary,
  });
  const timestamp = Math.floor(delivery.now.getTime() / 1000);
  return {
    url: delivery.url,
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Vigie-Webhook/1',
      'x-vigie-delivery': delivery.deliveryId,
      'x-vigie-timestamp': String(timestamp),
      'x-vigie-signature': signWebhook(delivery.key, timestamp, body),
    },
  };
}

const transientStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/** Sends one request; every failure becomes an outcome, none is thrown. */
export function postWebhook(
  webhook: WebhookRequest,
  options: WebhookOptions = {},
  now: Date = new Date(),
): Promise<DeliveryOutcome> {
  let url: URL;
  try {
    url = new URL(webhook.url);
  } catch {
    return Promise.resolve(failure('VIGIE_E_WEBHOOK_URL', 'the URL cannot be parsed', false));
  }
  if (url.protocol !== 'https:') {
    return Promise.resolve(failure('VIGIE_E_WEBHOOK_URL', `${url.protocol} is not https`, false));
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const signal = AbortSignal.timeout(timeoutMs);
  const where = url.host;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: DeliveryOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...webhook.headers, 'content-length': String(Buffer.byteLength(webhook.body)) },
        // A fresh connection each time: deliveries are few, and no socket outlives its timeout.
        agent: false,
        signal,
        ...(options.ca === undefined ? {} : { ca: [options.ca].flat() }),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          res.resume();
          settle({ ok: true });
          return;
        }
        // A little of the answer helps whoever reads last_error; the rest is not waited for.
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          const excerpt = Buffer.concat(chunks).subarray(0, 200).toString('utf8').trim();
          const retryAfter = transientStatus(status)
            ? parseRetryAfter(res.headers['retry-after'], now)
            : undefined;
          settle(
            failure(
              'VIGIE_E_WEBHOOK_STATUS',
              `${where} answered ${String(status)}${excerpt === '' ? '' : `: ${excerpt}`}`,
              transientStatus(status),
              retryAfter,
            ),
          );
          res.destroy();
        };
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= 200) done();
        });
        res.on('end', done);
        res.on('error', done);
        res.on('close', done);
      },
    );
    req.on('error', (error) => {
      settle(
        signal.aborted
          ? failure(
              'VIGIE_E_WEBHOOK_TIMEOUT',
              `${where} did not answer within ${String(timeoutMs)} ms`,
              true,
            )
          : failure('VIGIE_E_WEBHOOK_NETWORK', `${where}: ${error.message}`, true),
      );
    });
    req.end(webhook.body);
  });
}
