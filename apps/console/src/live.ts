/**
 * Live arrival of alerts. A stored alert's ID is announced with `NOTIFY` (see `storeAlert`),
 * so that every console replica hears alerts that another one stored; a store without
 * `LISTEN` (none today, but the port allows it) is fed by the ingest route directly.
 */

import type { Sql } from './storage/db.js';
import { ALERTS_CHANNEL } from './storage/alerts.js';
import type { AlertSummary } from './storage/alerts.js';

/** Fans stored alerts out to live subscribers. */
export interface AlertHub {
  /** Subscribes to new alerts; returns the unsubscribe function. */
  subscribe(listener: (alert: AlertSummary) => void): () => void;
  /** Announces a stored alert by ID, when the store cannot `NOTIFY`. */
  announce(id: string): void;
  /** Whether the store announces alerts itself. */
  readonly listening: boolean;
  readonly subscribers: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Creates the hub; `load` reads a summary by ID (for every client). */
export function createAlertHub(options: {
  sql: Sql;
  load: (id: string) => Promise<AlertSummary | undefined>;
  onError?: (error: unknown) => void;
}): AlertHub {
  const listeners = new Set<(alert: AlertSummary) => void>();
  let unlisten: (() => Promise<void>) | undefined;
  const deliver = (id: string) => {
    if (listeners.size === 0) return;
    options.load(id).then(
      (alert) => {
        if (alert === undefined) return;
        for (const listener of listeners) {
          try {
            listener(alert);
          } catch (error) {
            options.onError?.(error);
          }
        }
      },
      (error: unknown) => options.onError?.(error),
    );
  };
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    announce(id) {
      if (unlisten === undefined) deliver(id);
    },
    get listening() {
      return unlisten !== undefined;
    },
    get subscribers() {
      return listeners.size;
    },
    async start() {
      if (options.sql.listen && unlisten === undefined) {
        unlisten = await options.sql.listen(ALERTS_CHANNEL, deliver);
      }
    },
    async stop() {
      const stop = unlisten;
      unlisten = undefined;
      listeners.clear();
      await stop?.();
    },
  };
}
