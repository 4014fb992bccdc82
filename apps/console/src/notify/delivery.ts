/**
 * Delivering due rows: claim a batch, make one attempt at each side by side, and record each
 * outcome as `retry.ts` decides it (sent, pending again, or failed for good), with its counter,
 * its log line and its {@link DeliveryEvent}.
 */

import { randomUUID } from 'node:crypto';
import { errorMessage, type Logger } from '@vigie/log';
import type { ClientView } from '../ports.js';
import type { Sql } from '../storage/db.js';
import type { Attempt } from './attempt.js';
import type { NotifierCounters } from './counters.js';
import { failure, type DeliveryOutcome } from './outcome.js';
import type { TargetKind } from './plan.js';
import { claimDue, finishDelivery, type ClaimedNotification } from './queue.js';
import { decideRetry, type RetryPolicy } from './retry.js';

/** What one delivery attempt came to, for metrics and logs. */
export interface DeliveryEvent {
  readonly deliveryId: string;
  readonly alertId: string;
  readonly client: string;
  readonly kind: TargetKind;
  /** `sent`; `retrying` (a transient failure, tried again later); `failed` for good. */
  readonly result: 'sent' | 'retrying' | 'failed';
  /** This attempt's number, 1 for the first. */
  readonly attempts: number;
  /** `CODE: message`, when not sent. */
  readonly error?: string;
}

/** What delivering needs. */
export interface DeliveryOptions {
  readonly sql: Sql;
  readonly attempt: Attempt;
  /** The clients' configs, by name. */
  readonly clients: () => Promise<Map<string, ClientView>>;
  readonly policy: RetryPolicy;
  /** Numbers in [0, 1) for the backoff's jitter. */
  readonly random: () => number;
  readonly now: () => Date;
  readonly log: Logger;
  readonly counters: NotifierCounters;
  readonly onDelivered?: (event: DeliveryEvent) => void;
  /** Rows claimed, and delivered side by side, at a time. */
  readonly batchSize: number;
}

/** How long a claimed row is left to the replica delivering it: longer than any attempt. */
const LEASE_MS = 5 * 60_000;
/** At most this many rows per run, so that stopping never waits long. */
const MAX_PER_RUN = 500;

const RESULT_COUNTER = { sent: 'sent', retrying: 'retried', failed: 'failed' } as const;

/** Attempts a row, records the verdict, and tells the counters, the log and `onDelivered`. */
async function deliver(
  options: DeliveryOptions,
  row: ClaimedNotification,
  view: ClientView | undefined,
): Promise<void> {
  const { log } = options;
  let outcome: DeliveryOutcome;
  try {
    outcome = await options.attempt(row, view);
  } catch (thrown) {
    outcome = failure('VIGIE_E_NOTIFY_INTERNAL', errorMessage(thrown), true);
  }
  const verdict = decideRetry(outcome, row.attempts, options.random, options.policy);
  const recorded = await finishDelivery(options.sql, row, verdict, options.now());
  const fields = {
    delivery: row.id,
    alert: row.alert.id,
    client: row.alert.client,
    kind: row.kind,
    attempts: row.attempts,
  };
  if (!recorded) {
    // Another replica took the row over after the claim ran out; its result stands.
    log('WARNING', 'notification claim lost', fields);
    return;
  }
  const result =
    verdict.state === 'sent' ? 'sent' : verdict.state === 'pending' ? 'retrying' : 'failed';
  options.counters.count(RESULT_COUNTER[result], row.kind);
  if (verdict.state === 'sent') {
    log('INFO', 'notification sent', fields);
  } else {
    log(verdict.state === 'pending' ? 'WARNING' : 'ERROR', `notification ${result}`, {
      ...fields,
      error: verdict.error,
    });
  }
  options.onDelivered?.({
    deliveryId: row.id,
    alertId: row.alert.id,
    client: row.alert.client,
    kind: row.kind,
    result,
    attempts: row.attempts,
    ...(verdict.state === 'sent' ? {} : { error: verdict.error }),
  });
}

/** Builds the delivery run: every due row, one batch after another; how many it handled. */
export function createDeliveryRun(options: DeliveryOptions): () => Promise<number> {
  const { log, batchSize } = options;
  return async () => {
    let handled = 0;
    while (handled < MAX_PER_RUN) {
      const rows = await claimDue(options.sql, {
        now: options.now(),
        limit: batchSize,
        leaseMs: LEASE_MS,
        claim: randomUUID(),
      });
      if (rows.length === 0) break;
      // Without the directory, messages name the client by its ID and times are in UTC.
      const views = await options.clients().catch((thrown: unknown) => {
        log('WARNING', 'client directory unavailable', { error: errorMessage(thrown) });
        return new Map<string, ClientView>();
      });
      await Promise.all(rows.map((row) => deliver(options, row, views.get(row.alert.client))));
      handled += rows.length;
      if (rows.length < batchSize) break;
    }
    return handled;
  };
}
