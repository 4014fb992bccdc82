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
 * a delivery unsigned: without the Secret it fails with `VIGIE_E_WEBHOOK_SECRET`. At most
 * 200 characters of the body of an answer other than 2xx are kept with the failure
 * (`last_error`), on one line, without control characters.
 *
 * Receivers must be on the internet. Vigie does not connect to loopback, link-local (the
 * cloud metadata server), private, carrier-grade NAT, multicast or reserved addresses, nor to
 * IPv6 addresses that carry one (`::ffff:127.0.0.1`, NAT64, 6to4), nor to the cluster's names
 * (`localhost`, `*.svc`, `*.cluster.local`, names of one label). The rule holds for the address
 * actually connected to: every address a name resolves to is checked when connecting, so a
 * name that later resolves elsewhere is refused then. A refused URL fails the delivery at once
 * with `VIGIE_E_WEBHOOK_FORBIDDEN`, naming the address and its kind; nothing is sent. An admin
 * of the console can open address ranges or exact host names (`VIGIE_WEBHOOK_ALLOW`, or
 * `vigie up --webhook-allow`), for receivers inside the network; the rules are in
 * `address-policy.ts`.
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request } from 'node:https';
import type { LookupFunction } from 'node:net';
import { errorCode, toError, VigieError } from '@vigie/log';
import {
  NO_ALLOWANCE,
  verifyAddresses,
  type AddressesVerdict,
  verifyHost,
  type WebhookAllowance,
} from './address-policy.js';
import { EXCERPT_BYTES, storableExcerpt } from './excerpt.js';
import { failure, type DeliveryOutcome } from './outcome.js';
import { parseRetryAfter } from './retry.js';
import type { AlertSummary } from './summary.js';

/** How webhooks are sent. */
export interface WebhookOptions {
  /** Extra trusted CA certificates (PEM), replacing the default roots when given. */
  readonly ca?: string | readonly string[];
  /** How long a delivery may take, connection included; 10 s by default. */
  readonly timeoutMs?: number;
  /** Addresses and host names an admin lets webhooks reach despite the rules; none by default. */
  readonly allow?: WebhookAllowance;
  /** A host name's addresses; `dns.lookup` by default (tests answer for names of their own). */
  readonly resolve?: (hostname: string) => Promise<readonly LookupAddress[]>;
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

/**
 * A `lookup` for the request that resolves the name and fails when any address it resolves to
 * is forbidden: sockets connect only to what was checked, whatever the name answers next.
 */
function guardedLookup(
  options: WebhookOptions,
  allow: WebhookAllowance,
  trusted: boolean,
): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    const resolved: Promise<readonly LookupAddress[]> =
      options.resolve?.(hostname) ??
      new Promise((resolve, reject) => {
        dnsLookup(
          hostname,
          {
            all: true,
            ...(lookupOptions.hints === undefined ? {} : { hints: lookupOptions.hints }),
          },
          (error, addresses) => {
            if (error) reject(error);
            else resolve(addresses);
          },
        );
      });
    resolved.then(
      (addresses) => {
        const verdict: AddressesVerdict = trusted
          ? { verdict: 'connect' }
          : verifyAddresses(
              hostname,
              addresses.map((a) => a.address),
              allow,
            );
        if (verdict.verdict === 'refuse') {
          // Raised from the lookup so that no socket is ever opened to the refused target.
          callback(new VigieError('VIGIE_E_WEBHOOK_FORBIDDEN', verdict.reason), []);
          return;
        }
        const family = lookupOptions.family;
        const wanted =
          family === 4 || family === 'IPv4' ? 4 : family === 6 || family === 'IPv6' ? 6 : 0;
        const usable = addresses.filter((a) => wanted === 0 || a.family === wanted);
        const [first] = usable;
        if (first === undefined) {
          callback(
            Object.assign(new Error(`${hostname} has no IPv${String(wanted)} address`), {
              code: 'ENOTFOUND',
            }),
            [],
          );
        } else if (lookupOptions.all === true) {
          callback(
            null,
            usable.map((a) => ({ address: a.address, family: a.family })),
          );
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: unknown) => {
        callback(toError(error), []);
      },
    );
  };
}

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
  const allow = options.allow ?? NO_ALLOWANCE;
  const host = verifyHost(url.hostname, allow);
  if (host.verdict === 'refuse') {
    return Promise.resolve(failure('VIGIE_E_WEBHOOK_FORBIDDEN', host.reason, false));
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
        // Addresses are never looked up (they were judged above); a name is judged by what it
        // resolves to when connecting, unless an admin allowed that very name.
        lookup: guardedLookup(options, allow, host.verdict === 'connect'),
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
          const excerpt = storableExcerpt(Buffer.concat(chunks).subarray(0, EXCERPT_BYTES));
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
          if (size >= EXCERPT_BYTES) done();
        });
        res.on('end', done);
        res.on('error', done);
        res.on('close', done);
      },
    );
    req.on('error', (error) => {
      if (errorCode(error) === 'VIGIE_E_WEBHOOK_FORBIDDEN') {
        settle(failure('VIGIE_E_WEBHOOK_FORBIDDEN', error.message, false));
        return;
      }
      settle(
        signal.aborted
          ? failure(
              'VIGIE_E_WEBHOOK_TIMEOUT',
              `${where} did not answer within ${String(timeoutMs)} ms`,
              true,
            )
          : // TLS errors quote the receiver's certificate, which its owner writes.
            failure('VIGIE_E_WEBHOOK_NETWORK', `${where}: ${storableExcerpt(error.message)}`, true),
      );
    });
    req.end(webhook.body);
  });
}
