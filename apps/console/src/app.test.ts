import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { countAlerts, setIngestToken } from './storage/alerts.js';
import type { Sql } from './storage/db.js';
import { migrate, select } from './storage/db.js';

let db: PGlite;
let sql: Sql;
let app: FastifyInstance;
// Generated per run: no token ever lives in the repository.
const tokens = { acme: randomBytes(24).toString('hex'), other: randomBytes(24).toString('hex') };

function alertBody(id: string, client = 'acme') {
  return {
    type: 'alert',
    alert: {
      id,
      client,
      camera: 'aisle',
      rule: 'concealment',
      detectedAt: '2026-11-26T10:00:00.000Z',
      explanation:
        'The right hand reached into Cosmetics shelf, went to the body 0.4 s later and stayed there for 1.0 s.',
    },
    snapshot: { contentType: 'image/jpeg', data: Buffer.from('jpeg bytes').toString('base64') },
  };
}

function post(body: unknown, token: string | null = tokens.acme, key?: string) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/ingest/alerts',
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    payload: body as Record<string, unknown>,
  });
}

describe('alert ingest (embedded PostgreSQL)', () => {
  before(async () => {
    db = new PGlite();
    sql = { query: (text, params) => db.query(text, params as unknown[]) };
    assert.deepEqual(await migrate(sql), [1]);
    await setIngestToken(sql, 'acme', tokens.acme);
    await setIngestToken(sql, 'other', tokens.other);
    app = buildApp({ sql });
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  it('applies each migration once', async () => {
    assert.deepEqual(await migrate(sql), []);
  });

  it('stores an alert once, and answers 409 to a repeated delivery', async () => {
    const first = await post(alertBody('a1'), tokens.acme, 'a1');
    assert.equal(first.statusCode, 201);
    const again = await post(alertBody('a1'), tokens.acme, 'a1');
    assert.equal(again.statusCode, 409);
    assert.equal(again.json<{ code: string }>().code, 'VIGIE_E_ALREADY_STORED');
    const rows = await select<{ kind: string }>(
      sql,
      "SELECT kind FROM evidence WHERE alert_id = 'a1'",
    );
    assert.deepEqual(rows, [{ kind: 'snapshot' }]);
  });

  it('stores exactly one copy under concurrent duplicate deliveries', async () => {
    const replies = await Promise.all(Array.from({ length: 20 }, () => post(alertBody('dup'))));
    const codes = replies.map((r) => r.statusCode).sort();
    assert.deepEqual(codes, [201, ...Array<number>(19).fill(409)]);
    const rows = await select<{ n: number }>(
      sql,
      "SELECT count(*)::int AS n FROM alerts WHERE id = 'dup'",
    );
    assert.equal(rows[0]?.n, 1);
  });

  it("takes a clip for the tenant's own alert, once", async () => {
    const clip = {
      type: 'clip',
      alertId: 'a1',
      contentType: 'video/mp4',
      data: Buffer.from('mp4').toString('base64'),
    };
    assert.equal((await post(clip, tokens.acme, 'a1-clip')).statusCode, 201);
    assert.equal((await post(clip, tokens.acme, 'a1-clip')).statusCode, 409);
    // Another tenant cannot attach evidence to it, nor learn that it exists.
    const foreign = await post(clip, tokens.other);
    assert.equal(foreign.statusCode, 404);
  });

  it('refuses what it cannot trust, with stable codes', async () => {
    const cases: [Awaited<ReturnType<typeof post>>, number, string][] = [
      [await post(alertBody('n1'), null), 401, 'VIGIE_E_UNAUTHENTICATED'],
      [
        await post(alertBody('n2'), randomBytes(24).toString('hex')),
        401,
        'VIGIE_E_UNAUTHENTICATED',
      ],
      [await post(alertBody('n3', 'acme'), tokens.other), 403, 'VIGIE_E_FORBIDDEN'],
      [await post({ type: 'alert', alert: { id: '../x' } }), 400, 'VIGIE_E_INGEST_INVALID'],
      [await post({ type: 'poem' }), 400, 'VIGIE_E_INGEST_INVALID'],
      [await post(alertBody('n4'), tokens.acme, 'not-n4'), 400, 'VIGIE_E_INGEST_INVALID'],
      [
        await app.inject({
          method: 'POST',
          url: '/api/v1/ingest/alerts',
          headers: { authorization: `Bearer ${tokens.acme}`, 'content-type': 'application/json' },
          payload: '{"type": "alert", ',
        }),
        400,
        'VIGIE_E_BAD_REQUEST',
      ],
    ];
    for (const [reply, status, code] of cases) {
      assert.equal(reply.statusCode, status, reply.body);
      assert.equal(reply.json<{ code: string }>().code, code);
    }
    assert.equal(await countAlerts(sql, 'acme'), 2, 'only a1 and dup were stored');
  });
});
