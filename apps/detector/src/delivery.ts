/**
 * Delivery to the console: the outbox with its sink, counted in the detector's metrics, and the
 * drain that hands what waits to the console before a stopping detector exits.
 */

import { join } from 'node:path';
import type { Logger } from '@vigie/log';
import type { Alert } from '@vigie/vision';
import type { DetectorMetrics } from './metrics.js';
import type { AlertSink, Outbox } from './outbox.js';
import { createOutbox } from './outbox.js';

/** Options of {@link openDelivery}. */
export interface DeliveryOptions {
  /** The outbox lives in `DATA_DIR/outbox`. */
  readonly dataDir: string;
  /** Where alerts go: the console, or a stand-in in tests. */
  readonly sink: AlertSink;
  /** The outbox's cap in bytes (default: `DEFAULT_OUTBOX_BYTES`). */
  readonly outboxBytes?: number;
  readonly metrics: DetectorMetrics;
  readonly log: Logger;
}

/** A delivering outbox. */
export interface Delivery {
  readonly outbox: Outbox;
  /** The outbox's folder, for the age of what waits in it. */
  readonly dir: string;
  /**
   * Tells delivery an alert is in the outbox, with its decisive frame's time, so that its
   * latency is measured when the console has it.
   */
  readonly queued: (alert: Pick<Alert, 'id' | 't'>) => void;
}

/** Opens the outbox in the data folder and starts delivering it. */
export function openDelivery(options: DeliveryOptions): Delivery {
  const { metrics, log } = options;
  const dir = join(options.dataDir, 'outbox');
  // Alert ID to its decisive frame's time, until the console has it.
  const queuedAt = new Map<string, number>();
  const outbox = createOutbox({
    dir,
    sink: options.sink,
    ...(options.outboxBytes === undefined ? {} : { maxBytes: options.outboxBytes }),
    onShed: ({ id, kind, bytes }) => {
      metrics.evidenceShed.inc({ kind });
      log('WARNING', 'the outbox is full: evidence dropped, the alert is kept', {
        item: id,
        kind,
        bytes,
      });
    },
    onAttempt: ({ id, ok, error }) => {
      metrics.deliveries.inc({ result: ok ? 'delivered' : 'failed' });
      if (!ok) {
        log('WARNING', 'delivery to the console failed; will retry', { item: id, error });
        return;
      }
      const t = queuedAt.get(id);
      if (t !== undefined) {
        queuedAt.delete(id);
        metrics.alertLatency.observe(Date.now() / 1000 - t);
      }
    },
  });
  outbox.start();
  return {
    outbox,
    dir,
    queued: (alert) => {
      queuedAt.set(alert.id, alert.t);
    },
  };
}

/**
 * Keeps delivering for up to `drainMs`, or until the outbox is empty, then stops it. A pod being
 * deleted or rolled loses its scratch volume: what waits goes to the console first, within the
 * time Kubernetes leaves before it kills the container.
 */
export async function drainAndStop(outbox: Outbox, drainMs: number, log: Logger): Promise<void> {
  if (drainMs > 0 && (await outbox.depth()) > 0) {
    log('INFO', 'delivering the outbox before stopping', { waiting: await outbox.depth() });
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      outbox.drained().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => {
          resolve(false);
        }, drainMs);
      }),
    ]);
    clearTimeout(timer);
    if (!drained) {
      log('WARNING', 'stopping with alerts still in the outbox', {
        waiting: await outbox.depth(),
      });
    }
  }
  await outbox.stop();
}
