/**
 * The stored alert fixture (`apps/console/fixtures/alert-row.json`): the rows today's code
 * writes for one real alert, the detector's outbox envelope of `packages/config/fixtures`,
 * ingested with its snapshot and then confirmed by a reviewer. Test-only. Regenerate it only
 * when the stored format changes on purpose, with its migration:
 *
 *     npx tsc -b && node -e "import('./apps/console/dist/testing/alert-row.js')
 *       .then((m) => m.printStoredAlertRows())" > apps/console/fixtures/alert-row.json
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { parseAlertPost } from '../ingest.js';
import { newAlertId, reviewAlert, storeAlert } from '../storage/alerts.js';
import type { Sql } from '../storage/db.js';
import { migrate, select } from '../storage/db.js';
import { evidenceKey } from '../storage/evidence.js';
import { createPgliteSql } from '../storage/pglite.js';
import { beginUpload } from '../storage/uploads.js';

/** Rows of the tables an alert lives in, each as PostgreSQL's `to_jsonb` writes it. */
export interface StoredAlertRows {
  readonly alerts: readonly Record<string, unknown>[];
  readonly evidence: readonly Record<string, unknown>[];
  readonly audit_log: readonly Record<string, unknown>[];
}

/** Where the committed fixture is. */
export const ALERT_ROWS_FIXTURE = new URL('../../fixtures/alert-row.json', import.meta.url);

/** The envelope the fixture was made from: a real one, as a detector's outbox keeps it. */
const ENVELOPE = new URL('../../../../packages/config/fixtures/outbox-alert.json', import.meta.url);

/** The review the fixture's alert got. */
export const FIXTURE_REVIEW = {
  verdict: 'confirmed',
  note: 'Seen on the monitor too.',
  by: 'guard@plaza.example',
} as const;

/** Reads the committed fixture. */
export function readStoredAlertRows(): StoredAlertRows {
  return JSON.parse(readFileSync(ALERT_ROWS_FIXTURE, 'utf8')) as StoredAlertRows;
}

/**
 * Stores the envelope's alert and snapshot row as the ingest route does, then the review as the
 * review route does, in a migrated store; the alert's ID.
 */
export async function storeReviewedAlert(sql: Sql): Promise<string> {
  const post = parseAlertPost(JSON.parse(readFileSync(ENVELOPE, 'utf8')));
  const { alert, snapshot } = post;
  const key = alert.key ?? '';
  const id = newAlertId();
  const row =
    snapshot &&
    (() => {
      const sha256 = createHash('sha256').update(snapshot.data).digest('hex');
      return {
        alertId: id,
        kind: 'snapshot' as const,
        contentType: snapshot.contentType,
        objectKey: evidenceKey(alert.client, key, 'snapshot', sha256),
        size: snapshot.data.byteLength,
        sha256,
      };
    })();
  if (row) await beginUpload(sql, row.objectKey, alert.client);
  await storeAlert(sql, { ...alert, id }, row ? { snapshot: row } : {});
  await reviewAlert(sql, { id, clients: [alert.client], ...FIXTURE_REVIEW });
  return id;
}

/** Every row of the alert tables, in a stable order. */
export async function dumpStoredAlertRows(sql: Sql): Promise<StoredAlertRows> {
  const rows = (table: string, order: string) =>
    select<{ row: Record<string, unknown> }>(
      sql,
      `SELECT to_jsonb(t) AS row FROM ${table} t ORDER BY ${order}`,
    ).then((r) => r.map((x) => x.row));
  return {
    alerts: await rows('alerts', 'id'),
    evidence: await rows('evidence', 'alert_id, kind'),
    audit_log: await rows('audit_log', 'id'),
  };
}

/** Writes the rows of a freshly stored and reviewed alert to stdout: the fixture's content. */
export async function printStoredAlertRows(): Promise<void> {
  const sql = createPgliteSql(new PGlite());
  try {
    await migrate(sql);
    await storeReviewedAlert(sql);
    process.stdout.write(`${JSON.stringify(await dumpStoredAlertRows(sql), null, 2)}\n`);
  } finally {
    await sql.close();
  }
}
