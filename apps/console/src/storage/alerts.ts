/** Alerts and their evidence in SQL: stored once per ID, whatever the number of deliveries. */

import { createHash } from 'node:crypto';
import type { Sql } from './db.js';
import { select } from './db.js';

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

/** An alert as the detector sends it, checked. */
export interface IncomingAlert {
  readonly id: string;
  readonly client: string;
  readonly camera: string;
  readonly rule: string;
  readonly detectedAt: string;
  readonly body: Record<string, unknown>;
}

/** Stores an alert unless its ID is known; says whether it was new. */
export async function storeAlert(sql: Sql, alert: IncomingAlert): Promise<boolean> {
  const rows = await select<{ id: string }>(
    sql,
    `INSERT INTO alerts (id, client, camera, rule, detected_at, body)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [
      alert.id,
      alert.client,
      alert.camera,
      alert.rule,
      alert.detectedAt,
      JSON.stringify(alert.body),
    ],
  );
  return rows.length === 1;
}

/** Stores one piece of evidence unless it is there already; says whether it was new. */
export async function storeEvidence(
  sql: Sql,
  evidence: { alertId: string; kind: 'snapshot' | 'clip'; contentType: string; data: Uint8Array },
): Promise<boolean> {
  const rows = await select<{ alert_id: string }>(
    sql,
    `INSERT INTO evidence (alert_id, kind, content_type, data) VALUES ($1, $2, $3, $4)
     ON CONFLICT (alert_id, kind) DO NOTHING RETURNING alert_id`,
    [evidence.alertId, evidence.kind, evidence.contentType, evidence.data],
  );
  return rows.length === 1;
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
