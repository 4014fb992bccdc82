/**
 * The console API's behaviour, as one suite run on each store (PGlite and real PostgreSQL):
 * ingest once per ID, lists with filters and pages, reviews, evidence with its audit, and
 * tenant isolation through every endpoint. Test-only.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConsoleApp } from '../app.js';
import { buildApp } from '../app.js';
import { setIngestToken } from '../storage/alerts.js';
import { select } from '../storage/db.js';
import { createApiToken } from '../storage/people.js';
import type { Fixture, StoreKind } from './fixtures.js';
import {
  alertEnvelope,
  clientView,
  fixedDirectory,
  openFixture,
  secret,
  TINY_JPEG,
} from './fixtures.js';

interface Page {
  alerts: { id: string; client: string; status: string; review?: { note?: string; by: string } }[];
  nextCursor?: string;
}

/** Registers the suite for one store. */
export function apiSuite(kind: StoreKind): void {
  describe(`console API (${kind})`, () => {
    let fixture: Fixture;
    let app: ConsoleApp;
    const ingest = { acme: secret(), other: secret() };
    const api = { admin: '', acme: '', other: '' };

    // The public ID the console issued for each detector key, per client.
    const issued = new Map<string, string>();
    const idOf = (key: string, client = 'acme') => {
      const id = issued.get(`${client}/${key}`);
      if (id === undefined) throw new Error(`alert ${client}/${key} was never stored`);
      return id;
    };
    const post = async (body: unknown, token: string | null = ingest.acme, key?: string) => {
      const reply = await app.inject({
        method: 'POST',
        url: '/api/v1/ingest/alerts',
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...(key === undefined ? {} : { 'idempotency-key': key }),
        },
        payload: body as Record<string, unknown>,
      });
      const alert = (body as { alert?: { id?: string; client?: string } }).alert;
      if (reply.statusCode === 201 && alert?.id !== undefined) {
        issued.set(`${alert.client ?? 'acme'}/${alert.id}`, reply.json<{ id: string }>().id);
      }
      return reply;
    };
    const putClip = (key: string, bytes: Uint8Array | string, token = ingest.acme) =>
      app.inject({
        method: 'PUT',
        url: `/api/v1/ingest/alerts/${key}/clip`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'video/mp4' },
        payload: Buffer.from(bytes),
      });
    const get = (url: string, token: string) =>
      app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const review = (id: string, token: string, body: unknown) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/alerts/${id}/review`,
        headers: { authorization: `Bearer ${token}` },
        payload: body as Record<string, unknown>,
      });

    before(async () => {
      fixture = await openFixture(kind);
      await setIngestToken(fixture.sql, 'acme', ingest.acme);
      await setIngestToken(fixture.sql, 'other', ingest.other);
      api.admin = await createApiToken(fixture.sql, {
        subject: 'admin',
        role: 'admin',
        clients: '*',
      });
      api.acme = await createApiToken(fixture.sql, {
        subject: 'ana@acme.example',
        role: 'viewer',
        clients: ['acme'],
      });
      api.other = await createApiToken(fixture.sql, {
        subject: 'olu@other.example',
        role: 'viewer',
        clients: ['other'],
      });
      app = buildApp({
        sql: fixture.sql,
        evidence: fixture.evidence,
        directory: fixedDirectory([
          clientView('acme', { id: 'aisle', state: 'Up' }),
          clientView('other', { id: 'door', state: 'Down', code: 'VIGIE_E_STREAM_UNREACHABLE' }),
        ]),
      });
      await app.hub.start();
    });
    after(async () => {
      await app.close();
      await fixture.close();
    });

    describe('ingest', () => {
      it('stores an alert once under an ID of its own, and answers 409 to a repeated delivery', async () => {
        const first = await post(alertEnvelope('a1'), ingest.acme, 'a1');
        assert.equal(first.statusCode, 201);
        const { id } = first.json<{ id: string; key: string }>();
        assert.notEqual(id, 'a1', 'the console issues the public ID');
        assert.match(id, /^al_[A-Za-z0-9_-]{22}$/);
        const again = await post(alertEnvelope('a1'), ingest.acme, 'a1');
        assert.equal(again.statusCode, 409);
        assert.deepEqual(
          { ...again.json<{ code: string; id: string; key: string }>(), message: undefined },
          { code: 'VIGIE_E_ALREADY_STORED', id, key: 'a1', message: undefined },
        );
        assert.equal((await get(`/api/v1/alerts/${id}`, api.acme)).statusCode, 200);
        assert.equal((await get('/api/v1/alerts/a1', api.acme)).statusCode, 404);
      });

      it("keeps each tenant's keys its own: the same key stores two alerts, and says nothing", async () => {
        // Another tenant posting acme's key first, or after, neither learns of it nor takes it.
        const theirs = await post(
          alertEnvelope('a1', { client: 'other', camera: 'door' }),
          ingest.other,
        );
        assert.equal(theirs.statusCode, 201);
        const planned = await post(alertEnvelope('future-1', { client: 'other' }), ingest.other);
        assert.equal(planned.statusCode, 201);
        const mine = await post(alertEnvelope('future-1'));
        assert.equal(mine.statusCode, 201, 'the real alert is stored');
        assert.notEqual(idOf('future-1'), idOf('future-1', 'other'));
        const viewed = await get(`/api/v1/alerts/${idOf('future-1')}`, api.acme);
        assert.equal(viewed.json<{ client: string }>().client, 'acme');
        assert.equal(
          (await get(`/api/v1/alerts/${idOf('a1', 'other')}`, api.acme)).statusCode,
          404,
        );
      });

      it('stores exactly one copy under concurrent duplicate deliveries', async () => {
        const replies = await Promise.all(
          Array.from({ length: 20 }, () => post(alertEnvelope('dup'))),
        );
        const codes = replies.map((r) => r.statusCode).sort();
        assert.deepEqual(codes, [201, ...Array<number>(19).fill(409)]);
        const rows = await select<{ n: number }>(
          fixture.sql,
          "SELECT count(*)::int AS n FROM alerts WHERE client = 'acme' AND ingest_key = 'dup'",
        );
        assert.equal(rows[0]?.n, 1);
      });

      it("takes a clip for the tenant's own alert, once, and hides other tenants' alerts", async () => {
        const stored = await putClip('a1', 'mp4 bytes');
        assert.equal(stored.statusCode, 201, stored.body);
        assert.equal(stored.json<{ id: string }>().id, idOf('a1'));
        const again = await putClip('a1', 'mp4 bytes');
        assert.equal(again.statusCode, 409);
        assert.equal(again.json<{ key: string }>().key, 'a1');
        // The other tenant's own a1 exists, and takes its own clip; its key opens nothing of acme's.
        assert.equal((await putClip('acme-nothing', 'x', ingest.other)).statusCode, 404);
        assert.equal((await putClip('a1', 'theirs', ingest.other)).statusCode, 201);
        const mine = await get(`/api/v1/alerts/${idOf('a1')}/evidence/clip`, api.acme);
        assert.equal(mine.body, 'mp4 bytes');
        // Clips are never JSON any more: the old envelope is refused with the way to send one.
        const json = await post({
          type: 'clip',
          alertId: 'a1',
          contentType: 'video/mp4',
          data: Buffer.from('mp4 bytes').toString('base64'),
        });
        assert.equal(json.statusCode, 400);
        assert.match(json.json<{ message: string }>().message, /PUT \/api\/v1\/ingest\/alerts/);
        const typed = await app.inject({
          method: 'PUT',
          url: '/api/v1/ingest/alerts/a1/clip',
          headers: { authorization: `Bearer ${ingest.acme}`, 'content-type': 'text/plain' },
          payload: 'mp4 bytes',
        });
        assert.equal(typed.statusCode, 400);
        assert.equal(typed.json<{ code: string }>().code, 'VIGIE_E_INGEST_INVALID');
      });

      it('keeps the first evidence when an alert is posted again with other bytes', async () => {
        const altered = alertEnvelope('a1');
        altered.snapshot.data = Buffer.from('forged').toString('base64');
        assert.equal((await post(altered)).statusCode, 409);
        const snapshot = await get(`/api/v1/alerts/${idOf('a1')}/evidence/snapshot`, api.admin);
        assert.deepEqual(snapshot.rawPayload, TINY_JPEG);
      });

      it('refuses what it cannot trust, with stable codes', async () => {
        const cases: [Awaited<ReturnType<typeof post>>, number, string][] = [
          [await post(alertEnvelope('n1'), null), 401, 'VIGIE_E_UNAUTHENTICATED'],
          [await post(alertEnvelope('n2'), secret()), 401, 'VIGIE_E_UNAUTHENTICATED'],
          [await post(alertEnvelope('n3'), ingest.other), 403, 'VIGIE_E_FORBIDDEN'],
          // A person's API token opens nothing on the ingest route.
          [await post(alertEnvelope('n4'), api.admin), 401, 'VIGIE_E_UNAUTHENTICATED'],
          [await post({ type: 'alert', alert: { id: '../x' } }), 400, 'VIGIE_E_INGEST_INVALID'],
          [await post({ type: 'poem' }), 400, 'VIGIE_E_INGEST_INVALID'],
          [await post(alertEnvelope('n5'), ingest.acme, 'not-n5'), 400, 'VIGIE_E_INGEST_INVALID'],
          [
            await app.inject({
              method: 'POST',
              url: '/api/v1/ingest/alerts',
              headers: {
                authorization: `Bearer ${ingest.acme}`,
                'content-type': 'application/json',
              },
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
      });
    });

    describe('listing and review', () => {
      before(async () => {
        // 30 alerts for acme over two cameras and two rules, one minute apart, and 3 for other.
        for (let i = 0; i < 30; i++) {
          const envelope = alertEnvelope(`acme-${String(i).padStart(2, '0')}`, {
            camera: i % 2 === 0 ? 'aisle' : 'door',
            rule: i % 3 === 0 ? 'exit' : 'concealment',
            detectedAt: new Date(Date.UTC(2026, 10, 20, 9, i)).toISOString(),
          });
          assert.equal((await post(envelope)).statusCode, 201);
        }
        for (let i = 0; i < 3; i++) {
          const envelope = alertEnvelope(`other-${String(i)}`, {
            client: 'other',
            camera: 'door',
            detectedAt: new Date(Date.UTC(2026, 10, 20, 9, 30 + i)).toISOString(),
          });
          assert.equal((await post(envelope, ingest.other)).statusCode, 201);
        }
      });

      it('pages through every alert newest first, without gaps or repeats', async () => {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const reply = await get(
            `/api/v1/alerts?client=acme&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
            api.admin,
          );
          assert.equal(reply.statusCode, 200, reply.body);
          const page = reply.json<Page>();
          seen.push(...page.alerts.map((a) => a.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== undefined);
        assert.equal(new Set(seen).size, seen.length);
        assert.equal(seen.length, 33, '30 from the listing fixtures, a1, future-1 and dup');
        assert.equal(pages, 5);
        // Same time: the ID breaks the tie, so the order is total and pages are stable.
        assert.deepEqual(
          new Set(seen.slice(0, 3)),
          new Set([idOf('dup'), idOf('a1'), idOf('future-1')]),
        );
        assert.equal(seen[3], idOf('acme-29'));
      });

      it('filters by camera, rule, status and time', async () => {
        const ids = async (query: string) =>
          (await get(`/api/v1/alerts?client=acme&limit=200&${query}`, api.admin))
            .json<Page>()
            .alerts.map((a) => a.id);
        assert.equal((await ids('camera=door')).length, 15);
        assert.equal((await ids('rule=exit')).length, 10);
        assert.deepEqual(await ids('from=2026-11-20T09:10:00Z&to=2026-11-20T09:13:00Z'), [
          idOf('acme-12'),
          idOf('acme-11'),
          idOf('acme-10'),
        ]);
        assert.equal((await ids('status=dismissed')).length, 0);
      });

      it('refuses bad filters with a 400 naming the parameter', async () => {
        for (const query of [
          'limit=0',
          'limit=1000',
          'status=maybe',
          'from=yesterday',
          'cursor=bm9wZQ',
          'client=../etc',
          'camera=%27%3B%20DROP%20TABLE%20alerts',
        ]) {
          const reply = await get(`/api/v1/alerts?${query}`, api.admin);
          assert.equal(reply.statusCode, 400, query);
          assert.equal(reply.json<{ code: string }>().code, 'VIGIE_E_QUERY_INVALID', query);
        }
      });

      it('records who dismissed an alert, with the note, in the alert and the audit log', async () => {
        const reply = await review(idOf('acme-05'), api.acme, {
          verdict: 'dismissed',
          note: 'Staff member restocking.',
        });
        assert.equal(reply.statusCode, 200, reply.body);
        const alert = (await get(`/api/v1/alerts/${idOf('acme-05')}`, api.acme)).json<{
          status: string;
          review: { verdict: string; note: string; by: string };
        }>();
        assert.equal(alert.status, 'dismissed');
        assert.deepEqual(
          { ...alert.review, at: undefined },
          {
            verdict: 'dismissed',
            note: 'Staff member restocking.',
            by: 'ana@acme.example',
            at: undefined,
          },
        );
        const audit = (await get('/api/v1/audit?client=acme', api.admin)).json<{
          entries: { action: string; actor: string; alertId: string }[];
        }>();
        assert.ok(
          audit.entries.some(
            (e) =>
              e.action === 'alert.review' &&
              e.actor === 'ana@acme.example' &&
              e.alertId === idOf('acme-05'),
          ),
        );
        const dismissed = (
          await get('/api/v1/alerts?client=acme&status=dismissed', api.acme)
        ).json<Page>();
        assert.deepEqual(
          dismissed.alerts.map((a) => a.id),
          [idOf('acme-05')],
        );
        // A change of mind is recorded too: the history keeps both decisions.
        await review(idOf('acme-05'), api.admin, {
          verdict: 'confirmed',
          note: 'Seen on the clip.',
        });
        const history = (await get(`/api/v1/alerts/${idOf('acme-05')}`, api.acme)).json<{
          status: string;
          history: { verdict: string; by: string }[];
        }>();
        assert.equal(history.status, 'confirmed');
        assert.deepEqual(
          history.history.map((h) => [h.verdict, h.by]),
          [
            ['dismissed', 'ana@acme.example'],
            ['confirmed', 'admin'],
          ],
        );
        await review(idOf('acme-05'), api.acme, {
          verdict: 'dismissed',
          note: 'Staff member restocking.',
        });
        const refused = await review(idOf('acme-06'), api.acme, { verdict: 'maybe' });
        assert.equal(refused.statusCode, 400);
      });

      it('counts verdicts per camera and rule as feedback for sensitivity', async () => {
        await review(idOf('acme-07'), api.acme, { verdict: 'confirmed' });
        const reply = await get('/api/v1/feedback?client=acme&days=365', api.acme);
        const rows = reply.json<{
          rows: { camera: string; rule: string; confirmed: number; dismissed: number }[];
        }>().rows;
        const door = rows.find((r) => r.camera === 'door' && r.rule === 'concealment');
        assert.equal(door?.confirmed, 1);
        assert.equal(door.dismissed, 1);
      });

      it('serves evidence, and audits each view', async () => {
        const snapshot = await get(`/api/v1/alerts/${idOf('acme-01')}/evidence/snapshot`, api.acme);
        assert.equal(snapshot.statusCode, 200);
        assert.equal(snapshot.headers['content-type'], 'image/jpeg');
        assert.deepEqual(snapshot.rawPayload, TINY_JPEG);
        const clip = await get(`/api/v1/alerts/${idOf('a1')}/evidence/clip`, api.acme);
        assert.equal(clip.statusCode, 200);
        assert.equal(clip.body, 'mp4 bytes');
        assert.equal(
          (await get(`/api/v1/alerts/${idOf('acme-01')}/evidence/clip`, api.acme)).statusCode,
          404,
        );
        const audit = (await get('/api/v1/audit', api.acme)).json<{
          entries: { action: string; alertId: string; detail: { kind: string } }[];
        }>();
        assert.ok(
          audit.entries.some(
            (e) =>
              e.action === 'evidence.view' &&
              e.alertId === idOf('acme-01') &&
              e.detail.kind === 'snapshot',
          ),
        );
      });
    });

    describe('tenant isolation', () => {
      it('a tenant user never sees, reviews or downloads another tenant’s data', async () => {
        const token = api.acme;
        const all = (await get('/api/v1/alerts?limit=200', token)).json<Page>();
        assert.ok(all.alerts.length > 0);
        assert.ok(all.alerts.every((a) => a.client === 'acme'));
        const asked = (await get('/api/v1/alerts?client=other', token)).json<Page>();
        assert.deepEqual(asked.alerts, []);
        for (const url of [
          `/api/v1/alerts/${idOf('other-0', 'other')}`,
          `/api/v1/alerts/${idOf('other-0', 'other')}/evidence/snapshot`,
          '/api/v1/clients/other',
        ]) {
          const reply = await get(url, token);
          assert.equal(reply.statusCode, 404, url);
          assert.equal(reply.json<{ code: string }>().code, 'VIGIE_E_NOT_FOUND');
        }
        const reviewed = await review(idOf('other-0', 'other'), token, { verdict: 'dismissed' });
        assert.equal(reviewed.statusCode, 404);
        const untouched = (
          await get(`/api/v1/alerts/${idOf('other-0', 'other')}`, api.admin)
        ).json<{
          status: string;
        }>();
        assert.equal(untouched.status, 'new');
        const clients = (await get('/api/v1/clients', token)).json<{
          clients: { name: string }[];
        }>();
        assert.deepEqual(
          clients.clients.map((c) => c.name),
          ['acme'],
        );
        const cameras = (await get('/api/v1/cameras', token)).json<{
          cameras: { client: string }[];
        }>();
        assert.ok(cameras.cameras.every((c) => c.client === 'acme'));
        assert.deepEqual(
          (await get('/api/v1/cameras?client=other', token)).json<{ cameras: unknown[] }>().cameras,
          [],
        );
        const feedback = (await get('/api/v1/feedback?client=other&days=365', token)).json<{
          rows: unknown[];
        }>();
        assert.deepEqual(feedback.rows, []);
        const audit = (await get('/api/v1/audit?limit=500', token)).json<{
          entries: { client: string }[];
        }>();
        assert.ok(audit.entries.every((e) => e.client === 'acme'));
        // The other tenant's evidence view was refused before it could be audited.
        const otherViews = await select<{ n: number }>(
          fixture.sql,
          'SELECT count(*)::int AS n FROM audit_log WHERE alert_id = $1',
          [idOf('other-0', 'other')],
        );
        assert.equal(otherViews[0]?.n, 0);
        // The admin sees both tenants.
        const admin = (await get('/api/v1/alerts?limit=200', api.admin)).json<Page>();
        assert.deepEqual(new Set(admin.alerts.map((a) => a.client)), new Set(['acme', 'other']));
      });

      it('streams live alerts only to those who may see them', async () => {
        const address = await app.listen({ port: 0, host: '127.0.0.1' });
        const received = { acme: [] as string[], other: [] as string[] };
        const controllers: AbortController[] = [];
        const follow = async (token: string, into: string[]) => {
          const controller = new AbortController();
          controllers.push(controller);
          const response = await fetch(`${address}/api/v1/events`, {
            headers: { authorization: `Bearer ${token}` },
            signal: controller.signal,
          });
          assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
          const reader = response.body?.getReader();
          const decoder = new TextDecoder();
          void (async () => {
            try {
              for (;;) {
                const chunk = await reader?.read();
                if (!chunk || chunk.done) return;
                for (const match of decoder
                  .decode(chunk.value as Uint8Array)
                  .matchAll(/^id: (.+)$/gm)) {
                  if (match[1]) into.push(match[1]);
                }
              }
            } catch {
              // Aborted at the end of the test.
            }
          })();
        };
        await follow(api.acme, received.acme);
        await follow(api.other, received.other);
        const unauthenticated = await fetch(`${address}/api/v1/events`);
        assert.equal(unauthenticated.status, 401);
        assert.equal((await post(alertEnvelope('live-acme'))).statusCode, 201);
        assert.equal(
          (await post(alertEnvelope('live-other', { client: 'other' }), ingest.other)).statusCode,
          201,
        );
        for (let i = 0; i < 100 && (received.acme.length < 1 || received.other.length < 1); i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        for (const controller of controllers) controller.abort();
        assert.deepEqual(received.acme, [idOf('live-acme')]);
        assert.deepEqual(received.other, [idOf('live-other', 'other')]);
      });
    });
  });
}
