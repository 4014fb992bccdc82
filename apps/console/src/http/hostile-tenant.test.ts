/**
 * The console against a tenant with a valid ingest token who means harm, or whose token was
 * stolen: fields beyond the shared envelope's limits, re-posts with new evidence, failed posts
 * that leave files, bursts of posts and bytes, and bodies of unknown length. Each test shows
 * the attack refused, and a real detector's traffic still stored.
 */

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdirSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ALERT_LIMITS, fitAlert, type EnvelopeAlert } from '@vigie/config';
import type { ConsoleApp } from '../app.js';
import { buildApp } from '../app.js';
import type { EvidenceStore } from '../ports.js';
import { setIngestToken } from '../storage/alerts.js';
import type { Sql } from '../storage/db.js';
import { createApiToken } from '../storage/people.js';
import { openUploads, sweepUploads } from '../storage/uploads.js';
import type { Fixture } from '../testing/fixtures.js';
import {
  alertEnvelope,
  clientView,
  fixedDirectory,
  openFixture,
  secret,
  TINY_JPEG,
} from '../testing/fixtures.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Every file under a folder, with its size. */
function filesUnder(root: string): { path: string; size: number }[] {
  const found: { path: string; size: number }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else found.push({ path, size: statSync(path).size });
    }
  };
  walk(root);
  return found;
}

/** Sends raw request headers and a little body; resolves to the status and the bytes sent. */
async function rawRequest(port: number, head: string, body: Buffer): Promise<number> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {
    // The console closes the connection after an early answer.
  });
  await once(socket, 'connect');
  const answered = new Promise<string>((resolve, reject) => {
    let text = '';
    socket.on('data', (data: Buffer) => {
      text += data.toString('latin1');
      if (text.includes('\r\n')) resolve(text);
    });
    socket.on('close', () => {
      reject(new Error('closed without an answer'));
    });
  });
  socket.write(head);
  socket.write(body);
  const text = await answered;
  socket.destroy();
  return Number(text.slice(9, 12));
}

describe('the console against a hostile tenant', () => {
  let fixture: Fixture;
  let app: ConsoleApp;
  const ingest = secret();
  let admin = '';
  /** Fails the next matching statements, as a database going away would. */
  const failures: { match: RegExp; left: number }[] = [];
  /** Fails the next evidence writes. */
  let failPuts = 0;

  const post = (body: unknown, token = ingest) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/ingest/alerts',
      headers: { authorization: `Bearer ${token}` },
      payload: body as Record<string, unknown>,
    });
  const codeOf = (reply: { json: () => unknown }) => (reply.json() as { code: string }).code;

  before(async () => {
    fixture = await openFixture('pglite');
    await setIngestToken(fixture.sql, 'acme', ingest);
    admin = await createApiToken(fixture.sql, { subject: 'admin', role: 'admin', clients: '*' });
    const sql: Sql = {
      query(text, params) {
        const failure = failures.find((f) => f.left > 0 && f.match.test(text));
        if (failure) {
          failure.left--;
          return Promise.reject(new Error('connection terminated unexpectedly'));
        }
        return fixture.sql.query(text, params);
      },
    };
    const evidence: EvidenceStore = {
      put(key, data, type) {
        if (failPuts > 0) {
          failPuts--;
          return Promise.reject(new Error('bucket unavailable'));
        }
        return fixture.evidence.put(key, data, type);
      },
      get: (key) => fixture.evidence.get(key),
      delete: (key) => fixture.evidence.delete(key),
    };
    app = buildApp({
      sql,
      evidence,
      directory: fixedDirectory([clientView('acme', { id: 'aisle', state: 'Up' })]),
    });
  });
  after(async () => {
    await app.close();
    await fixture.close();
  });

  describe('limits in the envelope the detector shares', () => {
    it('refuses an alert field beyond its limit with 400, and a body beyond the route with 413', async () => {
      const cases: [string, (alert: Record<string, unknown>) => void][] = [
        ['explanation', (a) => (a.explanation = 'x'.repeat(ALERT_LIMITS.explanation + 1))],
        ['cameraName', (a) => (a.cameraName = 'n'.repeat(ALERT_LIMITS.displayName + 1))],
        ['rules', (a) => (a.rules = Array<string>(ALERT_LIMITS.rules + 1).fill('exit'))],
        [
          'firings',
          (a) =>
            (a.firings = Array.from({ length: ALERT_LIMITS.firings + 1 }, () => ({
              rule: 'exit',
              trackId: 1,
              t: 1,
              strength: 1,
              evidence: [],
              explanation: 'left',
            }))),
        ],
        ['evidenceTimes', (a) => (a.evidenceTimes = Array<number>(10_000).fill(1))],
        ['score', (a) => (a.score = 'high')],
        ['many small unknown fields', (a) => (a.extra = 'e'.repeat(ALERT_LIMITS.alertBytes))],
      ];
      for (const [what, change] of cases) {
        const envelope = alertEnvelope(`limit-${what.replace(/\W/g, '')}`);
        change(envelope.alert);
        const reply = await post(envelope);
        assert.equal(reply.statusCode, 400, `${what}: ${reply.body}`);
        assert.equal(codeOf(reply), 'VIGIE_E_INGEST_INVALID', what);
      }
      // The 20 MiB explanation that once slowed every inbox page is refused before it is read.
      const huge = alertEnvelope('huge');
      huge.alert.explanation = 'x'.repeat(20 * MiB);
      const reply = await post(huge);
      assert.equal(reply.statusCode, 413);
      assert.equal(codeOf(reply), 'VIGIE_E_TOO_LARGE');
      const rows = await fixture.sql.query("SELECT 1 FROM alerts WHERE ingest_key LIKE 'limit-%'");
      assert.equal(rows.rows.length, 0);
    });

    it('stores an alert the detector fitted, however long its incident ran', async () => {
      const envelope = alertEnvelope('fitted');
      const long: EnvelopeAlert = {
        ...envelope.alert,
        sensitivity: 'medium',
        box: [100, 80, 220, 400],
        cameraName: 'C'.repeat(5000),
        explanation: 'A very long story. '.repeat(5000),
        rules: Array<'exit'>(40).fill('exit'),
        firings: Array.from({ length: 200 }, (_, i) => ({
          rule: 'exit',
          trackId: 3,
          t: i,
          strength: 1,
          evidence: Array.from({ length: 100 }, (_, j) => ({ t: j, what: 'w'.repeat(500) })),
          explanation: 'e'.repeat(5000),
        })),
        evidenceTimes: Array.from({ length: 5000 }, (_, i) => i / 5),
      };
      const reply = await post({ ...envelope, alert: fitAlert(long) });
      assert.equal(reply.statusCode, 201, reply.body);
      const stored = await app.inject({
        method: 'GET',
        url: `/api/v1/alerts/${reply.json<{ id: string }>().id}`,
        headers: { authorization: `Bearer ${admin}` },
      });
      const explanation = stored.json<{ explanation: string }>().explanation;
      assert.equal(explanation.length, ALERT_LIMITS.explanation);
      assert.ok(explanation.endsWith('…'));
    });
  });

  describe('evidence and crashes', () => {
    it('writes nothing for twenty re-posts of a stored alert with new 1 MiB snapshots', async () => {
      assert.equal((await post(alertEnvelope('again'))).statusCode, 201);
      const before = filesUnder(fixture.evidenceDir).filter((f) => f.path.includes('/again/'));
      for (let i = 0; i < 20; i++) {
        const envelope = alertEnvelope('again');
        envelope.snapshot.data = Buffer.alloc(MiB, i).toString('base64');
        const reply = await post(envelope);
        assert.equal(reply.statusCode, 409);
      }
      const after = filesUnder(fixture.evidenceDir).filter((f) => f.path.includes('/again/'));
      assert.deepEqual(after, before);
      assert.equal(await openUploads(fixture.sql, 'acme'), 0);
    });

    it('completes an alert on retry from every crash point, and sweeps what failed posts left', async () => {
      const snapshotOf = async (id: string) =>
        app.inject({
          method: 'GET',
          url: `/api/v1/alerts/${id}/evidence/snapshot`,
          headers: { authorization: `Bearer ${admin}` },
        });
      // Before the bytes are written, while they are written, and after, when the row fails.
      const crashes: [string, () => void][] = [
        ['upload record', () => failures.push({ match: /INSERT INTO evidence_uploads/, left: 1 })],
        ['evidence write', () => (failPuts = 1)],
        ['alert row', () => failures.push({ match: /INSERT INTO alerts/, left: 1 })],
      ];
      for (const [where, crash] of crashes) {
        const key = `crash-${where.replace(/\W/g, '')}`;
        // The failing attempt carries other bytes than the retry, as a re-rendered one would.
        const first = alertEnvelope(key);
        first.snapshot.data = Buffer.alloc(4 * KiB, 1).toString('base64');
        crash();
        const failed = await post(first);
        assert.equal(failed.statusCode, 500, where);
        const retried = await post(alertEnvelope(key));
        assert.equal(retried.statusCode, 201, `${where}: ${retried.body}`);
        const snapshot = await snapshotOf(retried.json<{ id: string }>().id);
        assert.deepEqual(snapshot.rawPayload, TINY_JPEG, where);
      }
      // The failed write left an open record, and the failed row a file with its record.
      assert.equal(await openUploads(fixture.sql, 'acme'), 2);
      const orphan = filesUnder(fixture.evidenceDir).filter((f) => f.size === 4 * KiB);
      assert.equal(orphan.length, 1);
      assert.deepEqual(await sweepUploads(fixture.sql, fixture.evidence, { graceSeconds: 0 }), {
        deleted: 2,
        kept: 0,
      });
      assert.equal(await openUploads(fixture.sql), 0);
      assert.equal(filesUnder(fixture.evidenceDir).filter((f) => f.size === 4 * KiB).length, 0);
      // Every stored alert still has its evidence.
      const stored = await fixture.sql.query(
        "SELECT a.id FROM alerts a JOIN evidence e ON e.alert_id = a.id WHERE a.ingest_key LIKE 'crash-%'",
      );
      for (const row of stored.rows as { id: string }[]) {
        assert.equal((await snapshotOf(row.id)).statusCode, 200);
      }
      assert.equal(stored.rows.length, 3);
    });

    it('sweeps nothing that a stored alert refers to, nor an upload still in its grace time', async () => {
      const fresh = alertEnvelope('fresh-orphan');
      fresh.snapshot.data = Buffer.alloc(2 * KiB, 7).toString('base64');
      failures.push({ match: /INSERT INTO alerts/, left: 1 });
      assert.equal((await post(fresh)).statusCode, 500);
      assert.deepEqual(await sweepUploads(fixture.sql, fixture.evidence, { graceSeconds: 3600 }), {
        deleted: 0,
        kept: 0,
      });
      assert.equal(await openUploads(fixture.sql), 1);
      // The retry of the same bytes closes the record itself: nothing is left to sweep.
      assert.equal((await post(fresh)).statusCode, 201);
      assert.equal(await openUploads(fixture.sql), 0);
    });
  });
});

describe('a stolen ingest token', () => {
  let fixture: Fixture;
  let app: ConsoleApp;
  let port: number;
  const stolen = secret();
  const neighbour = secret();

  before(async () => {
    fixture = await openFixture('pglite');
    await setIngestToken(fixture.sql, 'acme', stolen);
    await setIngestToken(fixture.sql, 'other', neighbour);
    app = buildApp({
      sql: fixture.sql,
      evidence: fixture.evidence,
      directory: fixedDirectory([clientView('acme', { id: 'aisle', state: 'Up' })]),
      ingestBudget: { burstRequests: 5, requestsPerMinute: 6, burstBytes: 2 * MiB },
      limits: { lingerMs: 200 },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  after(async () => {
    await app.close();
    await fixture.close();
  });

  const post = (key: string, token: string, client: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/ingest/alerts',
      headers: { authorization: `Bearer ${token}` },
      payload: alertEnvelope(key, { client }),
    });

  it('is limited in posts per tenant, with 429 and Retry-After, and its neighbour is not', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 8; i++)
      codes.push((await post(`burst-${String(i)}`, stolen, 'acme')).statusCode);
    assert.deepEqual(codes, [201, 201, 201, 201, 201, 429, 429, 429]);
    const limited = await post('burst-9', stolen, 'acme');
    assert.equal(limited.json<{ code: string }>().code, 'VIGIE_E_RATE_LIMITED');
    const wait = Number(limited.headers['retry-after']);
    assert.ok(wait >= 1 && wait <= 10, `Retry-After: ${String(wait)}`);
    assert.equal((await post('calm-1', neighbour, 'other')).statusCode, 201);
  });

  it('is limited in bytes, refused from its declared length before the body is read', async () => {
    const total = 3 * MiB;
    const status = await rawRequest(
      port,
      `PUT /api/v1/ingest/alerts/calm-1/clip HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Authorization: Bearer ${neighbour}\r\nContent-Type: video/mp4\r\n` +
        `Content-Length: ${String(total)}\r\n\r\n`,
      Buffer.alloc(16 * KiB),
    );
    assert.equal(status, 429);
  });

  it('must declare the length of what it sends', async () => {
    const status = await rawRequest(
      port,
      `PUT /api/v1/ingest/alerts/calm-1/clip HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Authorization: Bearer ${neighbour}\r\nContent-Type: video/mp4\r\n` +
        `Transfer-Encoding: chunked\r\n\r\n`,
      Buffer.from('4\r\nmp4!\r\n'),
    );
    assert.equal(status, 411);
  });
});
