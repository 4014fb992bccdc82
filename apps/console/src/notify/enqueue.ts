/**
 * Writing a newly stored alert's notifications: one row per target of its client's
 * `spec.alerts`, to send or grouped into an incident already notified (`plan.ts` decides).
 */

import type { Logger } from '@vigie/log';
import type { ClientView } from '../ports.js';
import type { IncomingAlert } from '../storage/alerts.js';
import type { Sql } from '../storage/db.js';
import type { NotifierCounters } from './counters.js';
import { cooldownWindow, planNotifications } from './plan.js';
import { insertNotifications, notifiedAlerts } from './queue.js';

/** What enqueuing needs. */
export interface EnqueueOptions {
  /** Where rows go unless the caller passes its own transaction. */
  readonly sql: Sql;
  /** The clients' configs, by name. */
  readonly clients: () => Promise<Map<string, ClientView>>;
  readonly now: () => Date;
  readonly log: Logger;
  readonly counters: NotifierCounters;
  /** Called when a row to send was written, so that the loop delivers it now. */
  readonly wake: () => void;
}

/** Writes an alert's notification rows; idempotent per alert. */
export type Enqueue = (alert: IncomingAlert, options?: { readonly sql?: Sql }) => Promise<void>;

/** Builds the enqueue step of the notifier. */
export function createEnqueue(options: EnqueueOptions): Enqueue {
  const { counters, log } = options;
  return async (alert, { sql = options.sql } = {}) => {
    const view = (await options.clients()).get(alert.client);
    const settings = view?.spec?.alerts;
    if (settings === undefined) {
      log('WARNING', 'no config to notify from', { client: alert.client, alert: alert.id });
      return;
    }
    // Most alerts of a client without targets: nothing to plan, nothing to write.
    if (settings.webhooks.length === 0 && settings.emails.length === 0) return;
    const window = cooldownWindow(alert, settings);
    const recent = await notifiedAlerts(sql, {
      client: alert.client,
      camera: alert.camera,
      ...window,
    });
    const verdicts = planNotifications({ alert, settings, recent });
    const written = await insertNotifications(
      sql,
      verdicts.map((v) => ({
        alert,
        detectedAt: alert.detectedAt,
        target: v.target,
        ...(v.action === 'group' ? { groupedInto: v.into } : {}),
      })),
      options.now(),
    );
    for (const row of written)
      counters.count(row.state === 'grouped' ? 'grouped' : 'queued', row.kind);
    if (written.some((r) => r.state === 'pending')) options.wake();
  };
}
