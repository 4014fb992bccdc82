/** The notifier's counters, for `vigie_notifications_total{kind, result}`. */

import type { TargetKind } from './plan.js';

/** Counts per target kind. */
export type KindCounts = Readonly<Record<TargetKind, number>>;

/**
 * Counters since the notifier was created: rows queued to send, alerts grouped into an
 * incident already notified, deliveries sent, attempts to retry, deliveries failed for good.
 */
export interface NotifierStats {
  readonly queued: KindCounts;
  readonly grouped: KindCounts;
  readonly sent: KindCounts;
  readonly retried: KindCounts;
  readonly failed: KindCounts;
}

/** The counters, counted into and read as a copy. */
export interface NotifierCounters {
  /** Adds one to a counter of a target kind. */
  readonly count: (counter: keyof NotifierStats, kind: TargetKind) => void;
  /** The counts so far, as a copy. */
  readonly stats: () => NotifierStats;
}

/** Counters at zero. */
export function createNotifierCounters(): NotifierCounters {
  const zero = (): Record<TargetKind, number> => ({ webhook: 0, email: 0 });
  const counts: Record<keyof NotifierStats, Record<TargetKind, number>> = {
    queued: zero(),
    grouped: zero(),
    sent: zero(),
    retried: zero(),
    failed: zero(),
  };
  return {
    count: (counter, kind) => {
      counts[counter][kind]++;
    },
    stats: () => ({
      queued: { ...counts.queued },
      grouped: { ...counts.grouped },
      sent: { ...counts.sent },
      retried: { ...counts.retried },
      failed: { ...counts.failed },
    }),
  };
}
