import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import type { AlertPage, AlertSummary, StoredAlert } from '../api/index.js';
import type { StoredAlertRows } from '../testing/alert-row.js';
import {
  dumpStoredAlertRows,
  FIXTURE_REVIEW,
  readStoredAlertRows,
  storeReviewedAlert,
} from '../testing/alert-row.js';
import { getAlert, listAlerts } from './alerts.js';
import { reviewHistory } from './audit.js';
import { migrate } from './db.js';
import { createPgliteSql } from './pglite.js';
import type { SqlStore } from './postgres.js';

/** A fresh database with today's schema. */
async function freshStore(): Promise<SqlStore> {
  const sql = createPgliteSql(new PGlite());
  await migrate(sql);
  return sql;
}

/** Puts the fixture's rows back, column by column as they were written. */
async function restore(sql: SqlStore, rows: StoredAlertRows): Promise<void> {
  for (const table of ['alerts', 'evidence', 'audit_log'] as const) {
    for (const row of rows[table]) {
      await sql.query(
        `INSERT INTO ${table} SELECT * FROM jsonb_populate_record(NULL::${table}, $1::jsonb)`,
        [JSON.stringify(row)],
      );
    }
  }
}

/** What differs between two writes of the same alert: its new ID and the clock. */
const VOLATILE = new Set(['id', 'alert_id', 'received_at', 'reviewed_at', 'at']);

function stable(rows: StoredAlertRows) {
  const strip = (list: readonly Record<string, unknown>[]) =>
    list.map((row) =>
      Object.fromEntries(Object.entries(row).filter(([column]) => !VOLATILE.has(column))),
    );
  return {
    alerts: strip(rows.alerts),
    evidence: strip(rows.evidence),
    audit_log: strip(rows.audit_log),
  };
}

describe('a stored alert row (apps/console/fixtures/alert-row.json)', () => {
  const fixture = readStoredAlertRows();
  const id = String(fixture.alerts[0]?.id);
  let sql: SqlStore;

  before(async () => {
    sql = await freshStore();
    await restore(sql, fixture);
  });
  after(() => sql.close());

  it('lists as the API summary people review', async () => {
    const page = await listAlerts(sql, { clients: ['plaza'], limit: 10 });
    const expected: AlertSummary = {
      id,
      client: 'plaza',
      camera: 'plaza',
      cameraName: 'Plaza',
      rule: 'restricted-zone',
      rules: ['restricted-zone'],
      score: 1,
      threshold: 1,
      detectedAt: '2026-12-01T01:50:21.033Z',
      receivedAt: new Date(String(fixture.alerts[0]?.received_at)).toISOString(),
      status: 'confirmed',
      explanation: 'Entered Crossing, a restricted zone.',
      evidence: ['snapshot'],
      review: {
        verdict: 'confirmed',
        note: FIXTURE_REVIEW.note,
        by: FIXTURE_REVIEW.by,
        at: new Date(String(fixture.alerts[0]?.reviewed_at)).toISOString(),
      },
    };
    const wire: AlertPage = { alerts: page.alerts };
    assert.deepEqual(wire, { alerts: [expected] });
    assert.equal(page.next, undefined);
  });

  it('reads as the API detail: the detector body and the review history', async () => {
    const alert: StoredAlert | undefined = await getAlert(sql, id, ['plaza']);
    assert.ok(alert);
    assert.equal(alert.status, 'confirmed');
    assert.deepEqual(alert.evidence, ['snapshot']);
    assert.deepEqual(alert.body.zone, { id: 'crossing', name: 'Crossing', type: 'restricted' });
    assert.deepEqual(alert.body.box, [302.93, 156.81, 327.04, 231.19]);
    assert.equal(alert.body.width, 768);
    assert.equal(alert.body.height, 576);
    const firings = alert.body.firings as readonly { rule: string; explanation: string }[];
    assert.deepEqual(
      firings.map((f) => [f.rule, f.explanation]),
      [['restricted-zone', 'Entered Crossing, a restricted zone.']],
    );
    assert.deepEqual(
      (await reviewHistory(sql, id)).map(({ verdict, note, by }) => ({ verdict, note, by })),
      [{ verdict: FIXTURE_REVIEW.verdict, note: FIXTURE_REVIEW.note, by: FIXTURE_REVIEW.by }],
    );
  });

  it('is hidden from people of other clients', async () => {
    assert.equal(await getAlert(sql, id, ['elsewhere']), undefined);
    assert.deepEqual((await listAlerts(sql, { clients: ['elsewhere'], limit: 10 })).alerts, []);
  });

  it("is what today's ingest and review still write", async () => {
    const today = await freshStore();
    try {
      await storeReviewedAlert(today);
      assert.deepEqual(stable(await dumpStoredAlertRows(today)), stable(fixture));
    } finally {
      await today.close();
    }
  });
});
