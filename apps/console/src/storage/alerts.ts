/** Alerts and their evidence in SQL: stored once per ID, whatever the number of deliveries. */

import { createHash, randomBytes } from 'node:crypto';
import type {
  AlertStatus,
  AlertSummary,
  EvidenceKind,
  StoredAlert,
  Verdict,
} from '../api/alerts.js';
import type { Sql } from './db.js';
import { inTransaction, select } from './db.js';

/** The client an ingest token belongs to, if any. Tokens are stored as SHA-256 digests only. */
export async function clientOfToken(sql: Sql, token: string): Promise<string | undefined> {
  const digest = createHash('sha256').update(token).digest('hex');
  const rows = await select<{ client: string }>(
    sql,
    'SELECT client FROM ingest_tokens WHERE token_sha256 = $1',
    [digest],
  );
  return rows[0]?.client;
}

/** Sets a client's ingest token (the operator's `vigie-ingest-token` Secret holds the same). */
export async function setIngestToken(sql: Sql, client: string, token: string): Promise<void> {
  const digest = createHash('sha256').update(token).digest('hex');
  await sql.query(
    'INSERT INTO ingest_tokens (client, token_sha256) VALUES ($1, $2) ON CONFLICT (client) DO UPDATE SET token_sha256 = EXCLUDED.token_sha256',
    [client, digest],
  );
}

/**
 * Makes the listed clients' ingest token digests the only ones known (production: the digests
 * come from each Client's status, so the console never reads a Secret).
 */
export async function syncIngestTokenDigests(
  sql: Sql,
  digests: ReadonlyMap<string, string>,
): Promise<void> {
  await inTransaction(sql, async (tx) => {
    const clients = [...digests.keys()];
    await tx.query('DELETE FROM ingest_tokens WHERE NOT (client = ANY($1::text[]))', [clients]);
    for (const [client, digest] of digests) {
      await tx.query(
        `INSERT INTO ingest_tokens (client, token_sha256) VALUES ($1, $2)
         ON CONFLICT (client) DO UPDATE SET token_sha256 = EXCLUDED.token_sha256
         WHERE ingest_tokens.token_sha256 <> EXCLUDED.token_sha256`,
        [client, digest],
      );
    }
  });
}

/** An alert as the detector sends it, checked, with the ID the console issued it. */
export interface IncomingAlert {
  /** The console's public ID: URLs, evidence, notifications, the audit log and live stream. */
  readonly id: string;
  /** The detector's own ID, an idempotency key within the client; `id` when not given. */
  readonly key?: string;
  readonly client: string;
  readonly camera: string;
  readonly rule: string;
  readonly detectedAt: string;
  readonly body: Record<string, unknown>;
}

/** One piece of evidence, once its bytes are in the evidence store. */
export interface EvidenceRow {
  readonly alertId: string;
  readonly kind: EvidenceKind;
  readonly contentType: string;
  readonly objectKey: string;
  readonly size: number;
  readonly sha256: string;
}

/** The channel on which a stored alert's ID is announced, for every replica's live stream. */
export const ALERTS_CHANNEL = 'vigie_alerts';

/** A new public alert ID: 128 random bits, which say nothing about the client or the time. */
export function newAlertId(): string {
  return `al_${randomBytes(16).toString('base64url')}`;
}

/**
 * Stores an alert and its snapshot's row unless its client already has its key, announces it,
 * and runs `alsoInTransaction` (the notifications' rows) in the same transaction; says whether
 * it was new. Concurrent duplicates store one row: the unique `(client, ingest_key)` decides.
 * The snapshot's upload record is closed in the same statement.
 */
export async function storeAlert(
  sql: Sql,
  alert: IncomingAlert,
  options: {
    snapshot?: EvidenceRow;
    alsoInTransaction?: (tx: Sql) => Promise<void>;
  } = {},
): Promise<boolean> {
  // One statement stores the alert, its snapshot's row and the announcement, atomically and
  // in one round trip; a transaction is opened only when more work must share it.
  const snapshot = options.snapshot;
  const store = async (tx: Sql) => {
    const rows = await select<{ id: string }>(
      tx,
      `WITH stored AS (
         INSERT INTO alerts (id, client, camera, rule, detected_at, body, ingest_key)
         VALUES ($1, $2, $3, $4, $5, $6, $12)
         ON CONFLICT (client, ingest_key) DO NOTHING
         RETURNING id
       ), snapshot AS (
         INSERT INTO evidence (alert_id, kind, content_type, object_key, size, sha256)
         SELECT id, 'snapshot', $8, $9, $10, $11 FROM stored WHERE $9::text IS NOT NULL
       ), uploaded AS (
         DELETE FROM evidence_uploads WHERE object_key = $9 AND EXISTS (SELECT 1 FROM stored)
       )
       SELECT id, pg_notify($7, id) FROM stored`,
      [
        alert.id,
        alert.client,
        alert.camera,
        alert.rule,
        alert.detectedAt,
        JSON.stringify(alert.body),
        ALERTS_CHANNEL,
        snapshot?.contentType ?? null,
        snapshot?.objectKey ?? null,
        snapshot?.size ?? null,
        snapshot?.sha256 ?? null,
        alert.key ?? alert.id,
      ],
    );
    return rows.length === 1;
  };
  const also = options.alsoInTransaction;
  if (also === undefined) return store(sql);
  return inTransaction(sql, async (tx) => {
    const stored = await store(tx);
    if (stored) await also(tx);
    return stored;
  });
}

/**
 * Records one piece of evidence unless it is there already, closing its upload record; says
 * whether it was new.
 */
export async function storeEvidence(sql: Sql, evidence: EvidenceRow): Promise<boolean> {
  const rows = await select<{ alert_id: string }>(
    sql,
    `WITH stored AS (
       INSERT INTO evidence (alert_id, kind, content_type, object_key, size, sha256)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (alert_id, kind) DO NOTHING RETURNING alert_id
     ), uploaded AS (
       DELETE FROM evidence_uploads WHERE object_key = $4 AND EXISTS (SELECT 1 FROM stored)
     )
     SELECT alert_id FROM stored`,
    [
      evidence.alertId,
      evidence.kind,
      evidence.contentType,
      evidence.objectKey,
      evidence.size,
      evidence.sha256,
    ],
  );
  return rows.length === 1;
}

/** Where an alert's evidence lives, if it was stored. */
export async function evidenceOf(
  sql: Sql,
  alertId: string,
  kind: string,
): Promise<{ contentType: string; objectKey: string | null; data: Uint8Array | null } | undefined> {
  const rows = await select<{
    content_type: string;
    object_key: string | null;
    data: Uint8Array | null;
  }>(sql, 'SELECT content_type, object_key, data FROM evidence WHERE alert_id = $1 AND kind = $2', [
    alertId,
    kind,
  ]);
  const row = rows[0];
  return row && { contentType: row.content_type, objectKey: row.object_key, data: row.data };
}

/** The public ID of a client's alert with the detector's key, if it was stored. */
export async function alertIdOfKey(
  sql: Sql,
  client: string,
  key: string,
): Promise<string | undefined> {
  const rows = await select<{ id: string }>(
    sql,
    'SELECT id FROM alerts WHERE client = $1 AND ingest_key = $2',
    [client, key],
  );
  return rows[0]?.id;
}

/** The client an alert belongs to, if it exists. */
export async function alertClient(sql: Sql, id: string): Promise<string | undefined> {
  const rows = await select<{ client: string }>(sql, 'SELECT client FROM alerts WHERE id = $1', [
    id,
  ]);
  return rows[0]?.client;
}

/** How many alerts are stored, for one client or all. */
export async function countAlerts(sql: Sql, client?: string): Promise<number> {
  const rows = await select<{ n: number }>(
    sql,
    client === undefined
      ? 'SELECT count(*)::int AS n FROM alerts'
      : 'SELECT count(*)::int AS n FROM alerts WHERE client = $1',
    client === undefined ? [] : [client],
  );
  return rows[0]?.n ?? 0;
}

// The alerts storage returns travel in the API as they are: they are defined with the rest of
// it, for the UI too.
export type { AlertSummary, Review, StoredAlert } from '../api/alerts.js';

/**
 * What {@link getAlert} returns: the API's {@link StoredAlert}, which the alert route sends with
 * the review history as the API's `AlertDetail`.
 */
export type AlertDetail = StoredAlert;

interface AlertRow {
  id: string;
  client: string;
  camera: string;
  rule: string;
  detected_at: Date;
  received_at: Date;
  status: string;
  review_note: string | null;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  body: Record<string, unknown>;
  // Only storeEvidence and storeAlert write kinds, both typed.
  evidence: EvidenceKind[] | null;
}

const SUMMARY_COLUMNS = `a.id, a.client, a.camera, a.rule, a.detected_at, a.received_at, a.status,
  a.review_note, a.reviewed_by, a.reviewed_at, a.body,
  ARRAY(SELECT e.kind FROM evidence e WHERE e.alert_id = a.id ORDER BY e.kind DESC) AS evidence`;

const iso = (value: Date | string) => new Date(value).toISOString();
const finite = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

// The body is the detector's, checked only for the fields storage needs: read the rest warily.
function summaryOf(row: AlertRow): AlertSummary {
  const { body } = row;
  const rules = Array.isArray(body.rules)
    ? body.rules.filter((r): r is string => typeof r === 'string')
    : [row.rule];
  const status = row.status === 'confirmed' || row.status === 'dismissed' ? row.status : 'new';
  const score = finite(body.score);
  const threshold = finite(body.threshold);
  return {
    id: row.id,
    client: row.client,
    camera: row.camera,
    cameraName: typeof body.cameraName === 'string' ? body.cameraName : row.camera,
    rule: row.rule,
    rules,
    ...(score === undefined ? {} : { score }),
    ...(threshold === undefined ? {} : { threshold }),
    detectedAt: iso(row.detected_at),
    receivedAt: iso(row.received_at),
    status,
    explanation: typeof body.explanation === 'string' ? body.explanation : '',
    evidence: row.evidence ?? [],
    ...(status !== 'new' && row.reviewed_by !== null && row.reviewed_at !== null
      ? {
          review: {
            verdict: status,
            ...(row.review_note === null ? {} : { note: row.review_note }),
            by: row.reviewed_by,
            at: iso(row.reviewed_at),
          },
        }
      : {}),
  };
}

/** The filters of an alert list. */
export interface AlertQuery {
  /** The clients the caller may see, already narrowed; undefined for all. */
  readonly clients: readonly string[] | undefined;
  readonly camera?: string;
  readonly rule?: string;
  readonly status?: AlertStatus;
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  /** Where the previous page stopped. */
  readonly after?: { readonly detectedAt: string; readonly id: string };
}

/** One page of alerts, newest first, and where the next page starts. */
export interface AlertPage {
  readonly alerts: readonly AlertSummary[];
  readonly next?: { readonly detectedAt: string; readonly id: string };
}

/**
 * Lists alerts newest first, with keyset pages on `(detected_at, id)`: every filter has an
 * index in that order, so a page deep in the list costs what the first one does.
 */
export async function listAlerts(sql: Sql, query: AlertQuery): Promise<AlertPage> {
  if (query.clients?.length === 0) return { alerts: [] };
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${String(params.length)}`;
  };
  if (query.clients !== undefined) {
    where.push(
      query.clients.length === 1
        ? `a.client = ${param(query.clients[0])}`
        : `a.client = ANY(${param([...query.clients])}::text[])`,
    );
  }
  if (query.camera !== undefined) where.push(`a.camera = ${param(query.camera)}`);
  if (query.rule !== undefined) where.push(`a.rule = ${param(query.rule)}`);
  if (query.status !== undefined) where.push(`a.status = ${param(query.status)}`);
  if (query.from !== undefined) where.push(`a.detected_at >= ${param(query.from)}`);
  if (query.to !== undefined) where.push(`a.detected_at < ${param(query.to)}`);
  if (query.after !== undefined) {
    where.push(
      `(a.detected_at, a.id) < (${param(query.after.detectedAt)}::timestamptz, ${param(query.after.id)}::text)`,
    );
  }
  const rows = await select<AlertRow>(
    sql,
    `SELECT ${SUMMARY_COLUMNS} FROM alerts a
     ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
     ORDER BY a.detected_at DESC, a.id DESC LIMIT ${param(query.limit + 1)}`,
    params,
  );
  const alerts = rows.slice(0, query.limit).map(summaryOf);
  const last = alerts.at(-1);
  return rows.length > query.limit && last !== undefined
    ? { alerts, next: { detectedAt: last.detectedAt, id: last.id } }
    : { alerts };
}

/** One alert with its body, if it exists and the caller may see its client. */
export async function getAlert(
  sql: Sql,
  id: string,
  clients: readonly string[] | undefined,
): Promise<AlertDetail | undefined> {
  const rows = await select<AlertRow>(
    sql,
    `SELECT ${SUMMARY_COLUMNS} FROM alerts a WHERE a.id = $1
     ${clients === undefined ? '' : 'AND a.client = ANY($2::text[])'}`,
    clients === undefined ? [id] : [id, [...clients]],
  );
  const row = rows[0];
  return row && { ...summaryOf(row), body: row.body };
}

/** Records a person's verdict on an alert; undefined when the caller cannot see it. */
export async function reviewAlert(
  sql: Sql,
  options: {
    id: string;
    clients: readonly string[] | undefined;
    verdict: Verdict;
    note?: string;
    by: string;
  },
): Promise<AlertSummary | undefined> {
  return inTransaction(sql, async (tx) => {
    const rows = await select<{ id: string; client: string; status: string }>(
      tx,
      `UPDATE alerts SET status = $2, review_note = $3, reviewed_by = $4, reviewed_at = now()
       WHERE id = $1 ${options.clients === undefined ? '' : 'AND client = ANY($5::text[])'}
       RETURNING id, client, status`,
      options.clients === undefined
        ? [options.id, options.verdict, options.note ?? null, options.by]
        : [options.id, options.verdict, options.note ?? null, options.by, [...options.clients]],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    await tx.query(
      'INSERT INTO audit_log (actor, action, client, alert_id, detail) VALUES ($1, $2, $3, $4, $5)',
      [
        options.by,
        'alert.review',
        row.client,
        row.id,
        JSON.stringify({
          verdict: options.verdict,
          ...(options.note ? { note: options.note } : {}),
        }),
      ],
    );
    const detail = await select<AlertRow>(
      tx,
      `SELECT ${SUMMARY_COLUMNS} FROM alerts a WHERE a.id = $1`,
      [row.id],
    );
    return detail[0] && summaryOf(detail[0]);
  });
}

/** Confirmed and dismissed counts of one client, camera and rule. */
export interface FeedbackRow {
  readonly client: string;
  readonly camera: string;
  readonly rule: string;
  readonly new: number;
  readonly confirmed: number;
  readonly dismissed: number;
}

/**
 * How people judged alerts since a time, per client, camera and rule: the feedback that says
 * where sensitivity is too high (many dismissed) or could rise (all confirmed).
 */
export async function feedback(
  sql: Sql,
  clients: readonly string[] | undefined,
  since: string,
): Promise<FeedbackRow[]> {
  if (clients?.length === 0) return [];
  const rows = await select<{
    client: string;
    camera: string;
    rule: string;
    new: number;
    confirmed: number;
    dismissed: number;
  }>(
    sql,
    `SELECT client, camera, rule,
       count(*) FILTER (WHERE status = 'new')::int AS new,
       count(*) FILTER (WHERE status = 'confirmed')::int AS confirmed,
       count(*) FILTER (WHERE status = 'dismissed')::int AS dismissed
     FROM alerts WHERE detected_at >= $1 ${clients === undefined ? '' : 'AND client = ANY($2::text[])'}
     GROUP BY client, camera, rule ORDER BY client, camera, rule`,
    clients === undefined ? [since] : [since, [...clients]],
  );
  return rows;
}
