/**
 * The controller loop, as controller-runtime runs one: workers take Client names from the work
 * queue, reconcile them, and queue them again as the result says. Each key is in one worker at a
 * time; the work queue sees to that.
 */

import type { Logger } from '@vigie/log';
import { errorMessage } from '@vigie/log';
import { isRefusal } from '../kube/client.js';
import type { WorkQueue } from '../queue/workqueue.js';
import type { ReconcileResult } from '../reconcile/reconciler.js';
import { TERMINAL_RETRY_MS } from '../reconcile/reconciler.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import { CONTROLLER } from '../runtime/metrics.js';

/** How one reconcile ended: with a result, or with an error it threw. */
export type ReconcileOutcome = { readonly result: ReconcileResult } | { readonly error: unknown };

/** What happens to a key after a reconcile. */
export interface Requeue {
  /** The `result` label of `controller_runtime_reconcile_total`. */
  readonly result: 'success' | 'requeue_after' | 'error';
  /** Whether the key's failures are forgotten, so that its backoff starts afresh. */
  readonly forget: boolean;
  /** When to look at the key again: after this many ms, after its backoff, or only on an event. */
  readonly after: number | 'backoff' | 'never';
  /** Whether the error was one that retrying at once cannot fix (forbidden, invalid). */
  readonly terminal: boolean;
}

/** Maps a reconcile's outcome to what happens to its key. Pure. */
export function requeueFor(outcome: ReconcileOutcome): Requeue {
  if ('result' in outcome) {
    const delay = outcome.result.requeueAfterMs;
    return delay === undefined
      ? { result: 'success', forget: true, after: 'never', terminal: false }
      : { result: 'requeue_after', forget: true, after: delay, terminal: false };
  }
  if (isRefusal(outcome.error)) {
    // Retrying at once cannot help: look again later, not hot.
    return { result: 'error', forget: true, after: TERMINAL_RETRY_MS, terminal: true };
  }
  return { result: 'error', forget: false, after: 'backoff', terminal: false };
}

/** What the controller needs. */
export interface ControllerOptions {
  readonly queue: WorkQueue;
  /** Reconciles one key; throws on errors worth retrying. */
  readonly reconcile: (key: string) => Promise<ReconcileResult>;
  /** Concurrent reconciles. */
  readonly workers: number;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
}

/** Runs the workers until the queue shuts down; resolves once every worker has finished its key. */
export async function runController(options: ControllerOptions): Promise<void> {
  await Promise.all(Array.from({ length: options.workers }, () => work(options)));
}

/** One worker: takes keys until the queue shuts down. */
async function work(options: ControllerOptions): Promise<void> {
  const { queue, metrics } = options;
  for (;;) {
    const key = await queue.get();
    if (key === undefined) return;
    metrics.activeWorkers.inc({ controller: CONTROLLER });
    const end = metrics.reconcileTime.startTimer({ controller: CONTROLLER });
    try {
      let outcome: ReconcileOutcome;
      try {
        outcome = { result: await options.reconcile(key) };
      } catch (error) {
        outcome = { error };
      }
      const requeue = requeueFor(outcome);
      apply(queue, key, requeue);
      metrics.reconcileTotal.inc({ controller: CONTROLLER, result: requeue.result });
      if ('error' in outcome) report(options, key, outcome.error, requeue);
    } finally {
      end();
      metrics.activeWorkers.dec({ controller: CONTROLLER });
      queue.done(key);
    }
  }
}

/** Queues `key` as `requeue` says. */
function apply(queue: WorkQueue, key: string, requeue: Requeue): void {
  if (requeue.forget) queue.forget(key);
  if (requeue.after === 'backoff') queue.addRateLimited(key);
  else if (requeue.after !== 'never') queue.addAfter(key, requeue.after);
}

/** Counts and logs a failed reconcile. */
function report(options: ControllerOptions, key: string, error: unknown, next: Requeue): void {
  options.metrics.reconcileErrors.inc({ controller: CONTROLLER });
  if (next.terminal) options.metrics.terminalErrors.inc({ controller: CONTROLLER });
  options.log(next.terminal ? 'ERROR' : 'WARNING', 'reconcile failed', {
    client: key,
    retries: options.queue.retries(key),
    terminal: next.terminal,
    error: errorMessage(error),
  });
}
