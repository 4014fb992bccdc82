/**
 * The notifications table's queries. Each is one statement, atomic on its own, so that two
 * console replicas can share the table: a row is claimed by one of them (`FOR UPDATE SKIP
 * LOCKED`), carries that claim until its result is written, and is claimed again only once
 * the claim has run out, when the replica that held it died mid-delivery.
 */

import { createHash } from 'node:crypto';
import type { Sql } from '../storage/db.js';
import { select } from '../storage/db.js';
import type { NotifiedAlert, Target, TargetKind } from './plan.js';
import { targetAddress } from './plan.js';
import type { RetryVerdict } from './retry.js';
import type { StoredAlert } from './summary.js';

/** The delivery ID of an alert to a target: the same whenever it is computed. */
export function deliveryId(alertId: string, target: Target): string {
  const digest = createHash('sha256')
    .update(`${alertId}\n${target.kind}\n${targetAddress(target)}`)
    .digest('hex');
  return `dlv_${digest.slice(0, 32)}`;
}

const iso = (value: unknown): string => new Date(value as string | Date).toISOString();

/** Notified alerts (pending or sent) of a camera detected within `[from, to]`. */
export async function notifiedAlerts(
  sql: Sql,
  where: { client: string; camera: string; from: Date; to: Date },
): Promise<NotifiedAlert[]> {
  const rows = await select<{
    alert_id: string;
    kind: TargetKind;
    target: string;
    detected_at: unknown;
  }>(
    sql,
    `SELECT alert_id, kind, target, detected_at FROM notifications
     WHERE client = $1 AND camera = $2 AND state IN ('pending', 'sent')
       AND detected_at >= $3::timestamptz AND detected_at <= $4::timestamptz`,
    [where.client, where.camera, where.from.toISOString(), where.to.toISOString()],
  );
  return rows.map((r) => ({
    alertId: r.alert_id,
    kind: r.kind,
    target: r.target,
    detectedAt: iso(r.detected_at),
  }));
}

/** A row to write for an alert. */
export interface NewNotification {
  readonly alert: { readonly id: string; readonly client: string; readonly camera: string };
  readonly detectedAt: string;
  readonly target: Target;
  /** Absent to send; the notified alert's ID to group into it. */
  readonly groupedInto?: string;
}

/** Writes rows, skipping those that exist; the IDs and states of the rows written. */
export async function insertNotifications(
  sql: Sql,
  rows: readonly NewNotification[],
  now: Date,
): Promise<{ id: string; kind: TargetKind; state: 'pending' | 'grouped' }[]> {
  if (rows.length === 0) return [];
  const params: unknown[] = [now.toISOString()];
  const values = rows.map((row) => {
    const first = params.length + 1;
    params.push(
      deliveryId(row.alert.id, row.target),
      row.alert.id,
      row.alert.client,
      row.alert.camera,
      row.detectedAt,
      row.target.kind,
      targetAddress(row.target),
      row.target.kind === 'webhook' ? row.target.secretRef : null,
      row.groupedInto === undefined ? 'pending' : 'grouped',
      row.groupedInto ?? null,
    );
    const p = (i: number) => `$${String(first + i)}`;
    return `(${p(0)}, ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}::timestamptz, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}, ${p(9)}, $1::timestamptz, $1::timestamptz, $1::timestamptz)`;
  });
  return select(
    sql,
    `INSERT INTO notifications (id, alert_id, client, camera, detected_at, kind, target,
       secret_ref, state, grouped_into, next_attempt_at, created_at, updated_at)
     VALUES ${values.join(',\n')}
     ON CONFLICT (id) DO NOTHING
     RETURNING id, kind, state`,
    params,
  );
}

/** A claimed row with its alert, ready to deliver. */
export interface ClaimedNotification {
  readonly id: string;
  readonly claim: string;
  readonly kind: TargetKind;
  readonly target: string;
  readonly secretRef: string | null;
  /** This attempt's number, 1 for the first. */
  readonly attempts: number;
  readonly alert: StoredAlert;
}

/**
 * Claims up to `limit` due rows for `leaseMs`: their attempt count goes up, and no other
 * claim takes them until the lease runs out or the result is written.
 */
export async function claimDue(
  sql: Sql,
  options: { now: Date; limit: number; leaseMs: number; claim: string },
): Promise<ClaimedNotification[]> {
  const { now, limit, leaseMs, claim } = options;
  const rows = await select<{
    id: string;
    kind: TargetKind;
    target: string;
    secret_ref: string | null;
    attempts: number;
    alert_id: string;
    client: string;
    camera: string;
    rule: string;
    detected_at: unknown;
    received_at: unknown;
    body: unknown;
  }>(
    sql,
    `WITH due AS (
       SELECT id FROM notifications
       WHERE state = 'pending' AND next_attempt_at <= $1::timestamptz
       ORDER BY next_attempt_at, id
       LIMIT $2
       FOR UPDATE SKIP LOCKED
     )
     UPDATE notifications n
     SET attempts = n.attempts + 1, next_attempt_at = $3::timestamptz, claim = $4,
         updated_at = $1::timestamptz
     FROM due, alerts a
     WHERE n.id = due.id AND a.id = n.alert_id
     RETURNING n.id, n.kind, n.target, n.secret_ref, n.attempts, n.alert_id, a.client,
       a.camera, a.rule, a.detected_at, a.received_at, a.body`,
    [now.toISOString(), limit, new Date(now.getTime() + leaseMs).toISOString(), claim],
  );
  return rows.map((r) => ({
    id: r.id,
    claim,
    kind: r.kind,
    target: r.target,
    secretRef: r.secret_ref,
    attempts: r.attempts,
    alert: {
      id: r.alert_id,
      client: r.client,
      camera: r.camera,
      rule: r.rule,
      detectedAt: iso(r.detected_at),
      receivedAt: iso(r.received_at),
      body:
        typeof r.body === 'object' && r.body !== null && !Array.isArray(r.body)
          ? (r.body as Record<string, unknown>)
          : {},
    },
  }));
}

/** Writes an attempt's result, if the claim still holds; says whether it did. */
export async function finishDelivery(
  sql: Sql,
  row: { id: string; claim: string },
  verdict: RetryVerdict,
  now: Date,
): Promise<boolean> {
  const at = now.toISOString();
  const [state, next, error, sentAt] =
    verdict.state === 'sent'
      ? ['sent', at, null, at]
      : verdict.state === 'pending'
        ? ['pending', new Date(now.getTime() + verdict.delayMs).toISOString(), verdict.error, null]
        : ['failed', at, verdict.error, null];
  const rows = await select<{ id: string }>(
    sql,
    `UPDATE notifications
     SET state = $3, next_attempt_at = $4::timestamptz, last_error = COALESCE($5, last_error),
         sent_at = $6::timestamptz, claim = NULL, updated_at = $7::timestamptz
     WHERE id = $1 AND claim = $2
     RETURNING id`,
    [row.id, row.claim, state, next, error, sentAt, at],
  );
  return rows.length === 1;
}

/** How many rows wait for delivery (claimed ones included): the backlog. */
export async function countPending(sql: Sql): Promise<number> {
  const rows = await select<{ n: number }>(
    sql,
    "SELECT count(*)::int AS n FROM notifications WHERE state = 'pending'",
  );
  return rows[0]?.n ?? 0;
}
