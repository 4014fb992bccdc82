/**
 * What one tenant's ingest token may cost the console: posts per minute and bytes per hour,
 * each a token bucket that a burst may empty and time refills. A stolen token can then fill
 * neither the disk nor the request queue; a real store, whose alerts are rare, never comes
 * near either. Each replica keeps its own buckets, so with N replicas a tenant gets up to N
 * times the figures. Checked in `onRequest`, from `Content-Length`, before the body is read.
 */

import { RateLimitError } from '../errors.js';

/** The buckets' sizes and refill rates. */
export interface IngestBudget {
  /** Posts a tenant may make at once. */
  readonly burstRequests: number;
  /** Posts per minute, sustained. */
  readonly requestsPerMinute: number;
  /** Bytes of request bodies a tenant may send at once. */
  readonly burstBytes: number;
  /** Bytes of request bodies per hour, sustained. */
  readonly bytesPerHour: number;
}

const MiB = 1024 * 1024;

/**
 * The defaults: a store raising an alert with its snapshot and clip every ten seconds for
 * hours stays within them, and so does a detector's outbox catching up after an outage.
 */
export const INGEST_BUDGET: IngestBudget = {
  burstRequests: 600,
  requestsPerMinute: 120,
  burstBytes: 1024 * MiB,
  bytesPerHour: 2048 * MiB,
};

interface Bucket {
  requests: number;
  bytes: number;
  at: number;
}

/** Takes a post's cost from its tenant's buckets, or throws {@link RateLimitError}. */
export type BudgetCharge = (tenant: string, bytes: number) => void;

/** The buckets of every tenant seen, refilled lazily on each charge. */
export function createIngestBudget(
  budget: IngestBudget = INGEST_BUDGET,
  now: () => number = Date.now,
): BudgetCharge {
  const buckets = new Map<string, Bucket>();
  const requestRate = budget.requestsPerMinute / 60_000;
  const byteRate = budget.bytesPerHour / 3_600_000;
  return (tenant, bytes) => {
    const t = now();
    const bucket = buckets.get(tenant) ?? {
      requests: budget.burstRequests,
      bytes: budget.burstBytes,
      at: t,
    };
    const elapsed = Math.max(0, t - bucket.at);
    bucket.requests = Math.min(budget.burstRequests, bucket.requests + elapsed * requestRate);
    bucket.bytes = Math.min(budget.burstBytes, bucket.bytes + elapsed * byteRate);
    bucket.at = t;
    buckets.set(tenant, bucket);
    if (bucket.requests < 1) {
      throw new RateLimitError(
        `client ${tenant} is over ${String(budget.requestsPerMinute)} posts per minute`,
        Math.ceil((1 - bucket.requests) / requestRate / 1000),
      );
    }
    if (bytes > bucket.bytes) {
      // A body larger than the whole bucket can never pass; the route's own limit says so.
      const wait = Math.min(bytes, budget.burstBytes) - bucket.bytes;
      throw new RateLimitError(
        `client ${tenant} is over ${String(Math.round(budget.bytesPerHour / MiB))} MiB per hour`,
        Math.ceil(Math.max(0, wait) / byteRate / 1000),
      );
    }
    bucket.requests -= 1;
    bucket.bytes -= bytes;
  };
}
