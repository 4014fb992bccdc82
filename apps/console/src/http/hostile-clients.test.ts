/**
 * The console against hostile clients, on PGlite: callers without a token cost no body, bad
 * values are 400s with a stable code and never reach the database, every path a valid alert
 * ID makes can be opened, and evidence is never sniffed.
 */

import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ConsoleApp } from '../app.js';
import { buildApp } from '../app.js';
import { setIngestToken } from '../storage/alerts.js';
import { createApiToken } from '../storage/people.js';
import type { Fixture } from '../testing/fixtures.js';
import {
  alertEnvelope,
  clientView,
  fixedDirectory,
  openFixture,
  secret,
} from '../testing/fixtures.js';
import { BODY_LIMITS } from './limits.js';
import { UNSTORABLE } from './storable.js';

const KiB = 1024;
const MiB = 1024 * KiB;

interface Answer {
  readonly status: number;
  /** Body bytes the client had handed to its socket when the answer's first byte came. */
  readonly sentBeforeAnswer: number;
}

/**
 * Posts a body of `total` bytes on a raw socket, as fast as the socket takes it (or one `chunk`
 * every `everyMs`), and stops sending when the answer comes.
 */
async function postLarge(
  port: number,
  options: { path: string; headers?: string; total: number; chunk: Buffer; everyMs?: number },
): Promise<Answer> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {
    // The console cuts the connection after its answer; that is the point.
  });
  await once(socket, 'connect');
  let sent = 0;
  let sentBeforeAnswer: number | undefined;
  let text = '';
  const answered = new Promise<string>((resolve, reject) => {
    socket.on('data', (data: Buffer) => {
      sentBeforeAnswer ??= sent;
      text += data.toString('latin1');
      if (text.includes('\r\n\r\n')) resolve(text);
    });
    socket.on('close', () => {
      reject(new Error(`closed without an answer after ${String(sent)} bytes`));
    });
  });
  socket.write(
    `POST ${options.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${String(options.total)}\r\n${options.headers ?? ''}\r\n`,
  );
  const pump = async () => {
    while (sent < options.total && sentBeforeAnswer === undefined && !socket.destroyed) {
      const piece = options.chunk.subarray(0, Math.min(options.chunk.length, options.total - sent));
      const flushed = socket.write(piece);
      sent += piece.length;
      if (options.everyMs !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, options.everyMs));
      } else if (!flushed) {
        await new Promise((resolve) => {
          socket.once('drain', resolve);
          socket.once('close', resolve);
        });
      }
    }
  };
  void pump();
  const head = await answered;
  socket.destroy();
  return { status: Number(head.slice(9, 12)), sentBeforeAnswer: sentBeforeAnswer ?? sent };
}

/** A JSON array of many small objects, the shape that cost the most to parse. */
const manyObjects = (bytes: number) => Buffer.from(`[${'{"a":1},'.repeat(bytes / 8)}`);

describe('the console against hostile clients', () => {
  let fixture: Fixture;
  let app: ConsoleApp;
  let port: number;
  const ingest = secret();
  let token = '';
  /** Server-side bytes read on each request's socket when its answer was sent. */
  const readWhenAnswered: number[] = [];

  const inject = (method: 'GET' | 'POST', url: string, auth: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${auth}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const codeOf = (reply: { json: () => unknown }) => (reply.json() as { code: string }).code;
  /** The public ID of the alert stored with a pair of surrogates in its explanation. */
  let emoji = '';

  before(async () => {
    fixture = await openFixture('pglite');
    await setIngestToken(fixture.sql, 'acme', ingest);
    token = await createApiToken(fixture.sql, { subject: 'admin', role: 'admin', clients: '*' });
    app = buildApp({
      sql: fixture.sql,
      evidence: fixture.evidence,
      directory: fixedDirectory([clientView('acme', { id: 'aisle', state: 'Up' })]),
      limits: { lingerMs: 200 },
    });
    app.addHook('onSend', (request, _reply, payload, done) => {
      if (request.raw.socket.remoteAddress !== undefined) {
        readWhenAnswered.push(request.raw.socket.bytesRead);
      }
      done(null, payload);
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  after(async () => {
    await app.close();
    await fixture.close();
  });

  describe('authentication before the body', () => {
    it('answers a caller without a token after reading at most 64 KiB of a 64 MiB body', async () => {
      for (const path of ['/api/v1/ingest/alerts', '/api/v1/alerts/a1/review', '/nowhere']) {
        readWhenAnswered.length = 0;
        const answer = await postLarge(port, { path, total: 64 * MiB, chunk: manyObjects(MiB) });
        assert.equal(answer.status, path === '/nowhere' ? 404 : 401, path);
        assert.equal(readWhenAnswered.length, 1);
        assert.ok(
          (readWhenAnswered[0] ?? Infinity) <= 64 * KiB,
          `${path}: ${String(readWhenAnswered[0])} bytes read before the answer`,
        );
        assert.ok(answer.sentBeforeAnswer < 64 * MiB, `${path}: the whole body was taken`);
      }
    });

    it('answers a slow sender with an unknown token while it is still sending', async () => {
      const answer = await postLarge(port, {
        path: '/api/v1/ingest/alerts',
        headers: `Authorization: Bearer ${secret()}\r\n`,
        total: 4 * MiB,
        chunk: Buffer.alloc(4 * KiB, 0x20),
        everyMs: 2,
      });
      assert.equal(answer.status, 401);
      assert.ok(answer.sentBeforeAnswer <= 64 * KiB, `${String(answer.sentBeforeAnswer)} sent`);
    });

    it('keeps its memory bounded while eight 64 MiB bodies come without a token', async () => {
      globalThis.gc?.();
      const start = process.memoryUsage().rss;
      let peak = start;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 5);
      const chunk = manyObjects(MiB);
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          postLarge(port, { path: '/api/v1/ingest/alerts', total: 64 * MiB, chunk }),
        ),
      );
      clearInterval(sampler);
      assert.deepEqual(
        answers.map((a) => a.status),
        Array<number>(8).fill(401),
      );
      assert.ok(peak - start < 64 * MiB, `RSS grew by ${String((peak - start) / MiB)} MiB`);
    });

    it('gives known callers the body their route takes, and no more', async () => {
      const big = await inject('POST', '/api/v1/alerts/a1/review', token, {
        verdict: 'confirmed',
        note: 'x'.repeat(BODY_LIMITS.review),
      });
      assert.equal(big.statusCode, 413);
      assert.equal(codeOf(big), 'VIGIE_E_TOO_LARGE');
      // Clips come as bytes, so the JSON route takes a snapshot's worth, and no clip's.
      assert.equal(BODY_LIMITS.clip, 50 * MiB);
      assert.ok(BODY_LIMITS.ingest < 14 * MiB);
      const withSnapshot = alertEnvelope('large-snapshot');
      const jpeg = Buffer.alloc(8 * MiB, 0xff);
      withSnapshot.snapshot.data = jpeg.toString('base64');
      const stored = await inject('POST', '/api/v1/ingest/alerts', ingest, withSnapshot);
      assert.equal(stored.statusCode, 201, stored.body);
    });
  });

  describe('values the database cannot store', () => {
    const alertWith = (id: string, change: (alert: Record<string, unknown>) => void) => {
      const envelope = alertEnvelope(id);
      change(envelope.alert);
      return envelope;
    };

    it('refuses NUL characters and lone surrogates in any ingest string, with 400', async () => {
      const cases: [string, (alert: Record<string, unknown>) => void][] = [
        ['camera', (a) => (a.camera = 'aisle\0')],
        ['rule', (a) => (a.rule = 'concealment\0')],
        ['explanation', (a) => (a.explanation = 'reached\0')],
        ['cameraName', (a) => (a.cameraName = 'Aisle \ud800')],
        ['a lone low surrogate', (a) => (a.explanation = '\udc00 then text')],
        ['a nested string', (a) => (a.firings = [{ rule: 'x\0' }])],
        ['a key', (a) => (a['bad\0key'] = 1)],
      ];
      for (const [what, change] of cases) {
        const reply = await inject(
          'POST',
          '/api/v1/ingest/alerts',
          ingest,
          alertWith('nul', change),
        );
        assert.equal(reply.statusCode, 400, `${what}: ${reply.body}`);
        assert.equal(codeOf(reply), UNSTORABLE, what);
      }
      const fine = alertWith('emoji', (a) => (a.explanation = 'a pair is fine: 🛒'));
      const stored = await inject('POST', '/api/v1/ingest/alerts', ingest, fine);
      assert.equal(stored.statusCode, 201);
      emoji = stored.json<{ id: string }>().id;
    });

    it('refuses NUL characters and lone surrogates in a review note, with 400', async () => {
      for (const note of ['looked fine\0', 'half \ud83d']) {
        const reply = await inject('POST', `/api/v1/alerts/${emoji}/review`, token, {
          verdict: 'dismissed',
          note,
        });
        assert.equal(reply.statusCode, 400, reply.body);
        assert.equal(codeOf(reply), UNSTORABLE);
      }
    });

    it('refuses times outside what PostgreSQL stores: ingest, from, to and a cursor', async () => {
      for (const detectedAt of ['+275000-01-01T00:00:00.000Z', '0000-06-01T00:00:00.000Z']) {
        const envelope = alertEnvelope('far', { detectedAt });
        const reply = await inject('POST', '/api/v1/ingest/alerts', ingest, envelope);
        assert.equal(reply.statusCode, 400, `${detectedAt}: ${reply.body}`);
        assert.equal(codeOf(reply), UNSTORABLE);
      }
      for (const query of ['from=%2B100000-01-01T00:00:00Z', 'to=-001000-01-01T00:00:00Z']) {
        const reply = await inject('GET', `/api/v1/alerts?${query}`, token);
        assert.equal(reply.statusCode, 400, `${query}: ${reply.body}`);
        assert.equal(codeOf(reply), UNSTORABLE);
      }
      const cursor = Buffer.from(JSON.stringify(['+200000-01-01T00:00:00.000Z', 'a'])).toString(
        'base64url',
      );
      const page = await inject('GET', `/api/v1/alerts?cursor=${cursor}`, token);
      assert.equal(page.statusCode, 400, page.body);
      assert.equal(codeOf(page), UNSTORABLE);
      const fine = await inject('GET', '/api/v1/alerts?from=2026-01-01T00:00:00Z', token);
      assert.equal(fine.statusCode, 200);
    });

    it('refuses a deeply nested body, with 400', async () => {
      // Written as text: the test's own JSON.stringify could not write it either.
      const deep = (depth: number) => `${'{"n":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const alert = JSON.stringify(alertWith('deep', (a) => (a.extra = 'DEEP')));
      const bodies: [string, string, string][] = [
        ['/api/v1/ingest/alerts', ingest, alert.replace('"DEEP"', deep(100_000))],
        [`/api/v1/alerts/${emoji}/review`, token, `{"verdict":"confirmed","note":${deep(2000)}}`],
      ];
      for (const [url, auth, payload] of bodies) {
        const reply = await app.inject({
          method: 'POST',
          url,
          headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
          payload,
        });
        assert.equal(reply.statusCode, 400, reply.body);
        assert.equal(codeOf(reply), UNSTORABLE);
      }
    });
  });

  describe('paths', () => {
    it('opens an alert whose ID has the longest length allowed, 128 characters', async () => {
      // Alerts stored before the console issued IDs kept the detector's, up to 128 characters.
      const key = 'x'.repeat(128);
      const posted = await inject('POST', '/api/v1/ingest/alerts', ingest, alertEnvelope(key));
      assert.equal(posted.statusCode, 201);
      const clip = await app.inject({
        method: 'PUT',
        url: `/api/v1/ingest/alerts/${key}/clip`,
        headers: { authorization: `Bearer ${ingest}`, 'content-type': 'video/mp4' },
        payload: Buffer.from('mp4'),
      });
      assert.equal(clip.statusCode, 201, clip.body);
      const id = 'y'.repeat(128);
      const issued = posted.json<{ id: string }>().id;
      await fixture.sql.query('UPDATE alerts SET id = $1 WHERE id = $2', [id, issued]);
      await fixture.sql.query('UPDATE evidence SET alert_id = $1 WHERE alert_id = $2', [
        id,
        issued,
      ]);
      assert.equal((await inject('GET', `/api/v1/alerts/${id}`, token)).statusCode, 200);
      const snapshot = await inject('GET', `/api/v1/alerts/${id}/evidence/snapshot`, token);
      assert.equal(snapshot.statusCode, 200);
      const review = await inject('POST', `/api/v1/alerts/${id}/review`, token, {
        verdict: 'confirmed',
      });
      assert.equal(review.statusCode, 200);
    });

    it("answers a longer path parameter with 400 in the console's shape", async () => {
      for (const length of [129, 5000]) {
        const reply = await inject('GET', `/api/v1/alerts/${'z'.repeat(length)}`, token);
        assert.equal(reply.statusCode, 400, reply.body);
        assert.equal(codeOf(reply), 'VIGIE_E_QUERY_INVALID');
        assert.equal(reply.headers['x-content-type-options'], 'nosniff');
      }
    });
  });

  describe('headers', () => {
    it('serves evidence as its own type, never sniffed, inline with a safe name', async () => {
      const reply = await inject('GET', `/api/v1/alerts/${emoji}/evidence/snapshot`, token);
      assert.equal(reply.statusCode, 200);
      assert.equal(reply.headers['content-type'], 'image/jpeg');
      assert.equal(reply.headers['x-content-type-options'], 'nosniff');
      assert.equal(
        reply.headers['content-disposition'],
        `inline; filename="${emoji}-snapshot.jpg"`,
      );
    });

    it('sends nosniff on every answer: health, errors, lists', async () => {
      const replies = [
        await app.inject({ method: 'GET', url: '/healthz' }),
        await app.inject({ method: 'GET', url: '/api/v1/alerts' }),
        await app.inject({ method: 'GET', url: '/nowhere' }),
        await inject('GET', '/api/v1/alerts', token),
      ];
      assert.deepEqual(
        replies.map((r) => [r.statusCode, r.headers['x-content-type-options']]),
        [
          [200, 'nosniff'],
          [401, 'nosniff'],
          [404, 'nosniff'],
          [200, 'nosniff'],
        ],
      );
    });
  });
});
