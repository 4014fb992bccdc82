/**
 * The retry policy, purely: from an attempt's outcome and the attempts made so far, the row's
 * next state. Transient failures are retried with exponential backoff and jitter (30 s, 1 min,
 * 2 min … 32 min: eight attempts over about an hour by default), honouring `Retry-After`;
 * permanent failures, and transient ones out of attempts, fail for good.
 */

import type { DeliveryOutcome } from './outcome.js';

/** How failed deliveries are retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** The wait after the first failed attempt; it doubles after each. */
  readonly baseDelayMs: number;
  /** The longest wait between two attempts. */
  readonly maxDelayMs: number;
  /** Each wait is moved by up to this fraction, either way, so that receivers are not hit in step. */
  readonly jitter: number;
  /** The longest `Retry-After` honoured. */
  readonly maxRetryAfterMs: number;
}

/** Eight attempts over about an hour. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 30_000,
  maxDelayMs: 32 * 60_000,
  jitter: 0.2,
  maxRetryAfterMs: 60 * 60_000,
};

/** What a row becomes after an attempt. */
export type RetryVerdict =
  | { readonly state: 'sent' }
  | { readonly state: 'pending'; readonly delayMs: number; readonly error: string }
  | { readonly state: 'failed'; readonly error: string };

/** The wait before the next attempt, after `attempts` failed ones, without jitter. */
export function backoffMs(attempts: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  const exponent = Math.max(0, attempts - 1);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

/**
 * The next state of a row whose attempt number `attempts` (1 for the first) ended in
 * `outcome`. `random` gives a number in [0, 1) for the jitter.
 */
export function decideRetry(
  outcome: DeliveryOutcome,
  attempts: number,
  random: () => number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): RetryVerdict {
  if (outcome.ok) return { state: 'sent' };
  const error = `${outcome.code}: ${outcome.message}`;
  if (!outcome.transient) return { state: 'failed', error };
  if (attempts >= policy.maxAttempts) {
    return { state: 'failed', error: `${error} (gave up after ${String(attempts)} attempts)` };
  }
  if (outcome.retryAfterMs !== undefined) {
    return {
      state: 'pending',
      delayMs: Math.min(policy.maxRetryAfterMs, Math.max(1000, outcome.retryAfterMs)),
      error,
    };
  }
  const base = backoffMs(attempts, policy);
  const spread = 1 + policy.jitter * (2 * random() - 1);
  return { state: 'pending', delayMs: Math.max(1000, Math.round(base * spread)), error };
}

/**
 * An HTTP `Retry-After` value (seconds or an HTTP date) in milliseconds from `now`, or
 * undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
