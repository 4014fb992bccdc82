/**
 * The `notifications` table: one row per (alert, target), written when the alert is stored
 * and worked off by the delivery loop (`notify/queue.ts`). Rows are durable, so a restart or a
 * crash loses no notification; a row whose attempt was interrupted is retried when its claim
 * runs out. Its migration lives in storage with the others, below the notifier.
 *
 * Columns:
 *
 * - `id`: the delivery ID (`dlv_` and 32 hex digits, derived from the alert, the kind and the
 *   target), sent as `X-Vigie-Delivery` and in the email's `Message-ID`, the same on every
 *   attempt, so that receivers can de-duplicate.
 * - `alert_id`, `client`, `camera`, `detected_at`: the alert, copied so that the cooldown
 *   lookup reads this table only. Rows go with their alert.
 * - `kind` (`webhook` or `email`), `target` (the URL or the address), `secret_ref` (the
 *   webhook's signing Secret).
 * - `state`: `pending` (to deliver, now or at `next_attempt_at`), `sent`, `grouped` (a later
 *   alert of an incident already notified to this target, in `grouped_into`; never sent), or
 *   `failed` (for good, with `last_error`).
 * - `attempts`, `next_attempt_at`, `claim` (who is delivering it, until `next_attempt_at`),
 *   `last_error` (`CODE: message`), `created_at`, `updated_at`, `sent_at`.
 *
 * Plain SQL that PostgreSQL and PGlite both run; statements are separated by `;`.
 */
export const NOTIFICATIONS_MIGRATION = `
  CREATE TABLE notifications (
    id text PRIMARY KEY,
    alert_id text NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    client text NOT NULL,
    camera text NOT NULL,
    detected_at timestamptz NOT NULL,
    kind text NOT NULL CHECK (kind IN ('webhook', 'email')),
    target text NOT NULL,
    secret_ref text,
    state text NOT NULL CHECK (state IN ('pending', 'sent', 'grouped', 'failed')),
    grouped_into text,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    claim text,
    last_error text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    sent_at timestamptz,
    CHECK (kind <> 'webhook' OR secret_ref IS NOT NULL),
    CHECK (state <> 'grouped' OR grouped_into IS NOT NULL)
  );
  CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE state = 'pending';
  CREATE INDEX notifications_incidents ON notifications (client, camera, detected_at)
    WHERE state IN ('pending', 'sent');
  CREATE INDEX notifications_by_alert ON notifications (alert_id)
`;
