import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ClientView } from '../ports.js';
import type { Sql } from '../storage/db.js';
import { select } from '../storage/db.js';
import { createNotifier, type DeliveryEvent, type NotifierDeps } from './notifier.js';
import {
  clientView,
  directoryOf,
  generateCertificate,
  manualClock,
  openDatabase,
  secretsOf,
  storeTestAlert,
} from './testing/fixtures.js';
import { verifyWebhookSignature } from './webhook.js';

interface Received {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly status: number;
}

/** A real HTTPS receiver whose answers are scripted per test. */
function startReceiver(tls: { key: string; cert: string }) {
  const received: Received[] = [];
  let script: { status: number; headers?: Record<string, string> }[] = [];
  let hang = false;
  const server: Server = createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (hang) return;
      const answer = script.shift() ?? { status: 200 };
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status: answer.status,
      });
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.status >= 400 ? 'no thanks' : 'ok');
    });
  });
  return {
    received,
    server,
    answer(next: typeof script) {
      script = [...next];
    },
    hang(on: boolean) {
      hang = on;
    },
    reset() {
      received.length = 0;
      script = [];
      hang = false;
    },
    url: () => `https://127.0.0.1:${String((server.address() as AddressInfo).port)}/hooks/vigie`,
  };
}

describe('webhook notifications (real HTTPS receiver, embedded PostgreSQL)', () => {
  const tls = generateCertificate();
  const receiver = startReceiver(tls);
  // Generated per run: no key ever lives in the repository.
  const key = randomBytes(32).toString('hex');
  const clients = new Map<string, ClientView>();
  let sql: Sql;
  let close: () => Promise<void>;

  before(async () => {
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    ({ sql, close } = await openDatabase());
  });
  after(async () => {
    receiver.server.closeAllConnections();
    await new Promise((resolve) => receiver.server.close(resolve));
    await close();
  });
  beforeEach(async () => {
    receiver.reset();
    await sql.query('TRUNCATE alerts CASCADE');
    clients.set(
      'demo-store',
      clientView('demo-store', 'Demo Store', {
        cooldownSeconds: 120,
        webhooks: [{ url: receiver.url(), secretRef: 'vigie-webhook' }],
      }),
    );
  });

  function notifier(clock: ReturnType<typeof manualClock>, extra: Partial<NotifierDeps> = {}) {
    const events: DeliveryEvent[] = [];
    const n = createNotifier({
      sql,
      directory: directoryOf(clients),
      secrets: secretsOf(new Map([['demo-store/vigie-webhook/key', key]])),
      consoleUrl: 'https://console.vigie.example/',
      webhooks: { ca: tls.cert, timeoutMs: 2000 },
      now: clock.now,
      random: () => 0.5,
      onDelivered: (e) => events.push(e),
      ...extra,
    });
    return { n, events };
  }

  const rows = (alertId: string) =>
    select<{
      id: string;
      state: string;
      attempts: number;
      last_error: string | null;
      grouped_into: string | null;
    }>(
      sql,
      'SELECT id, state, attempts, last_error, grouped_into FROM notifications WHERE alert_id = $1',
      [alertId],
    );

  it('signs each delivery so that the receiver can check it with the Secret key', async () => {
    const clock = manualClock('2026-11-26T10:00:05.000Z');
    const { n } = notifier(clock);
    await n.enqueue(
      await storeTestAlert(sql, {
        id: 'a1',
        client: 'demo-store',
        detectedAt: '2026-11-26T10:00:00.000Z',
      }),
    );
    assert.equal(await n.runOnce(), 1);

    assert.equal(receiver.received.length, 1);
    const { headers, body } = receiver.received[0]!;
    assert.equal(headers['content-type'], 'application/json');
    const timestamp = String(headers['x-vigie-timestamp']);
    assert.equal(timestamp, String(Date.parse('2026-11-26T10:00:05.000Z') / 1000));
    // What a receiver does, with nothing of Vigie's: HMAC-SHA256 of `${timestamp}.${body}`.
    const expected = createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex');
    assert.equal(headers['x-vigie-signature'], `sha256=${expected}`);
    const signature = headers['x-vigie-signature'];
    assert.equal(typeof signature, 'string');
    const check = { key, body, timestamp, signature };
    assert.equal(verifyWebhookSignature({ ...check, now: clock.now() }), true);
    assert.equal(
      verifyWebhookSignature({ ...check, body: body.replace('a1', 'a2'), now: clock.now() }),
      false,
    );
    assert.equal(verifyWebhookSignature({ ...check, key: 'another key', now: clock.now() }), false);
    // A captured delivery replayed ten minutes later is refused.
    assert.equal(
      verifyWebhookSignature({ ...check, now: new Date(clock.now().getTime() + 600_000) }),
      false,
    );

    const payload = JSON.parse(body) as {
      type: string;
      deliveryId: string;
      alert: Record<string, unknown>;
    };
    assert.equal(payload.type, 'alert');
    assert.equal(payload.deliveryId, headers['x-vigie-delivery']);
    assert.equal(payload.alert.id, 'a1');
    assert.equal(payload.alert.clientName, 'Demo Store');
    assert.equal(payload.alert.cameraName, 'Aisle 3');
    assert.equal(payload.alert.score, 1.6);
    assert.equal(payload.alert.url, 'https://console.vigie.example/alerts/a1');
    assert.match(String(payload.alert.explanation), /right hand reached into Cosmetics/);

    const [row] = await rows('a1');
    assert.deepEqual(
      [row?.id, row?.state, row?.attempts],
      [headers['x-vigie-delivery'], 'sent', 1],
    );
    assert.deepEqual(n.stats().sent, { webhook: 1, email: 0 });
  });

  it('retries a receiver that answers 503 twice, and delivers once', async () => {
    receiver.answer([{ status: 503 }, { status: 503 }, { status: 200 }]);
    const clock = manualClock('2026-11-26T10:00:01.000Z');
    const { n, events } = notifier(clock);
    await n.enqueue(
      await storeTestAlert(sql, {
        id: 'a1',
        client: 'demo-store',
        detectedAt: '2026-11-26T10:00:00.000Z',
      }),
    );

    assert.equal(await n.runOnce(), 1);
    assert.equal(await n.runOnce(), 0, 'not due again before the backoff');
    clock.advance(29_000);
    assert.equal(await n.runOnce(), 0);
    clock.advance(1_000);
    assert.equal(await n.runOnce(), 1, 'the second attempt after 30 s');
    clock.advance(60_000);
    assert.equal(await n.runOnce(), 1, 'the third after another minute');
    clock.advance(3_600_000);
    assert.equal(await n.runOnce(), 0, 'nothing left to send');

    assert.deepEqual(
      receiver.received.map((r) => r.status),
      [503, 503, 200],
    );
    assert.equal(new Set(receiver.received.map((r) => r.headers['x-vigie-delivery'])).size, 1);
    assert.deepEqual(
      events.map((e) => e.result),
      ['retrying', 'retrying', 'sent'],
    );
    const [row] = await rows('a1');
    assert.deepEqual([row?.state, row?.attempts], ['sent', 3]);
    assert.match(row?.last_error ?? '', /^VIGIE_E_WEBHOOK_STATUS: 127\.0\.0\.1:\d+ answered 503/);
  });

  it('waits as long as a 429 answer asks', async () => {
    receiver.answer([{ status: 429, headers: { 'retry-after': '300' } }]);
    const clock = manualClock('2026-11-26T10:00:01.000Z');
    const { n } = notifier(clock);
    await n.enqueue(
      await storeTestAlert(sql, {
        id: 'a1',
        client: 'demo-store',
        detectedAt: '2026-11-26T10:00:00.000Z',
      }),
    );
    assert.equal(await n.runOnce(), 1);
    clock.advance(299_000);
    assert.equal(await n.runOnce(), 0, 'not before Retry-After');
    clock.advance(1_000);
    assert.equal(await n.runOnce(), 1);
    assert.deepEqual(
      receiver.received.map((r) => r.status),
      [429, 200],
    );
  });

  it('does not retry a 400 answer', async () => {
    receiver.answer([{ status: 400 }]);
    const clock = manualClock('2026-11-26T10:00:01.000Z');
    const { n, events } = notifier(clock);
    await n.enqueue(
      await storeTestAlert(sql, {
        id: 'a1',
        client: 'demo-store',
        detectedAt: '2026-11-26T10:00:00.000Z',
      }),
    );
    assert.equal(await n.runOnce(), 1);
    clock.advance(2 * 3_600_000);
    assert.equal(await n.runOnce(), 0);
    assert.equal(receiver.received.length, 1);
    const [row] = await rows('a1');
    assert.deepEqual([row?.state, row?.attempts], ['failed', 1]);
    assert.match(row?.last_error ?? '', /^VIGIE_E_WEBHOOK_STATUS: .* answered 400: no thanks$/);
    assert.equal(events[0]?.result, 'failed');
  });

  it('does not follow redirects', async () => {
    receiver.answer([{ status: 302, headers: { location: 'https://elsewhere.example/' } }]);
    const clock = manualClock('2026-11-26T10:00:01.000Z');
    const { n } = notifier(clock);
    await n.enqueue(
      await storeTestAlert(sql, {
        id: 'a1',
        client: 'demo-store',
        detectedAt: '2026-11-26T10:00:00.000Z',
      }),
    );
    assert.equal(await n.runOnce(), 1);
    const [row] = await rows('a1');
    assert.deepEqual([row?.state, receiver.received.length], ['failed', 1]);
  });

  it('sends nothing unsigned: a missing Secret fails with VIGIE_E_WEBHOOK_SECRET', async () => {
    const clock = manualClock('2026-11-26T10:00:01.000Z');
    const { n } = notifier(clock, { secrets: secretsOf(new Map()) });
    await n.enqueue(
      await storeTestAlert(sql, {
        id: 'a1',
        client: 'demo-store',
        detectedAt: '2026-11-26T10:00:00.000Z',
      }),
    );
    assert.equal(await n.runOnce(), 1);
    assert.equal(receiver.received.length, 0);
    const [row] = await rows('a1');
    assert.equal(row?.state, 'failed');
    assert.match(
      row.last_error ?? '',
      /^VIGIE_E_WEBHOOK_SECRET: the Secret "vigie-webhook" of client demo-store/,
    );
  });

  it('retries a receiver that does not answer in time', async () => {
    receiver.hang(true);
    const clock = manualClock('2026-11-26T10:00:01.000Z');
    const { n } = notifier(clock, { webhooks: { ca: tls.cert, timeoutMs: 300 } });
    await n.enqueue(
      await storeTestAlert(sql, {
        id: 'a1',
        client: 'demo-store',
        detectedAt: '2026-11-26T10:00:00.000Z',
      }),
    );
    assert.equal(await n.runOnce(), 1);
    const [row] = await rows('a1');
    assert.equal(row?.state, 'pending');
    assert.match(row.last_error ?? '', /^VIGIE_E_WEBHOOK_TIMEOUT: /);
    receiver.server.closeAllConnections();
  });

  it('refuses a receiver whose certificate it does not trust, and retries later', async () => {
    const clock = manualClock('2026-11-26T10:00:01.000Z');
    const { n } = notifier(clock, { webhooks: { timeoutMs: 2000 } });
    await n.enqueue(
      await storeTestAlert(sql, {
        id: 'a1',
        client: 'demo-store',
        detectedAt: '2026-11-26T10:00:00.000Z',
      }),
    );
    assert.equal(await n.runOnce(), 1);
    assert.equal(receiver.received.length, 0);
    const [row] = await rows('a1');
    assert.equal(row?.state, 'pending');
    assert.match(row.last_error ?? '', /^VIGIE_E_WEBHOOK_NETWORK: /);
  });

  it('gives up after the last attempt', async () => {
    receiver.answer(Array.from({ length: 10 }, () => ({ status: 500 })));
    const clock = manualClock('2026-11-26T10:00:01.000Z');
    const { n } = notifier(clock);
    await n.enqueue(
      await storeTestAlert(sql, {
        id: 'a1',
        client: 'demo-store',
        detectedAt: '2026-11-26T10:00:00.000Z',
      }),
    );
    for (let i = 0; i < 12; i++) {
      await n.runOnce();
      clock.advance(40 * 60_000);
    }
    assert.equal(receiver.received.length, 8);
    const [row] = await rows('a1');
    assert.deepEqual([row?.state, row?.attempts], ['failed', 8]);
    assert.match(row?.last_error ?? '', /gave up after 8 attempts/);
  });

  it('sends one webhook per incident: alerts within the cooldown are grouped', async () => {
    const clock = manualClock('2026-11-26T10:00:01.000Z');
    const { n } = notifier(clock);
    await n.enqueue(
      await storeTestAlert(sql, {
        id: 'a1',
        client: 'demo-store',
        detectedAt: '2026-11-26T10:00:00.000Z',
      }),
    );
    await n.runOnce();
    clock.advance(60_000);
    await n.enqueue(
      await storeTestAlert(sql, {
        id: 'a2',
        client: 'demo-store',
        detectedAt: '2026-11-26T10:01:00.000Z',
      }),
    );
    assert.equal(await n.runOnce(), 0);
    assert.equal(receiver.received.length, 1);
    const [grouped] = await rows('a2');
    assert.deepEqual([grouped?.state, grouped?.grouped_into], ['grouped', 'a1']);

    // Another camera is another incident.
    await n.enqueue(
      await storeTestAlert(sql, {
        id: 'b1',
        client: 'demo-store',
        camera: 'cam-exit',
        detectedAt: '2026-11-26T10:01:10.000Z',
      }),
    );
    // After the cooldown, the same camera's next alert is news again.
    clock.advance(70_000);
    await n.enqueue(
      await storeTestAlert(sql, {
        id: 'a3',
        client: 'demo-store',
        detectedAt: '2026-11-26T10:02:10.000Z',
      }),
    );
    assert.equal(await n.runOnce(), 2);
    assert.deepEqual(
      receiver.received
        .map((r) => (JSON.parse(r.body) as { alert: { id: string } }).alert.id)
        .sort(),
      ['a1', 'a3', 'b1'],
    );
    assert.deepEqual(n.stats().grouped, { webhook: 1, email: 0 });
  });

  it('writes an alert’s notifications once, however often it is enqueued', async () => {
    const clock = manualClock('2026-11-26T10:00:01.000Z');
    const { n } = notifier(clock);
    const alert = await storeTestAlert(sql, {
      id: 'a1',
      client: 'demo-store',
      detectedAt: '2026-11-26T10:00:00.000Z',
    });
    await n.enqueue(alert);
    await n.enqueue(alert);
    assert.equal((await rows('a1')).length, 1);
    assert.equal(await n.backlog(), 1);
    assert.equal(await n.runOnce(), 1);
    assert.equal(await n.backlog(), 0);
  });

  it('delivers each notification once when two replicas run side by side', async () => {
    const clock = manualClock('2026-11-26T10:00:01.000Z');
    const first = notifier(clock, { batchSize: 2 });
    const second = notifier(clock, { batchSize: 2 });
    for (let i = 0; i < 6; i++) {
      // Different cameras, so that none is grouped.
      await first.n.enqueue(
        await storeTestAlert(sql, {
          id: `r${String(i)}`,
          client: 'demo-store',
          camera: `cam-${String(i)}`,
          detectedAt: '2026-11-26T10:00:00.000Z',
        }),
      );
    }
    const [a, b] = await Promise.all([first.n.runOnce(), second.n.runOnce()]);
    assert.equal(a + b, 6);
    assert.equal(receiver.received.length, 6);
    assert.equal(new Set(receiver.received.map((r) => r.headers['x-vigie-delivery'])).size, 6);
  });

  it('delivers from its loop soon after an alert is enqueued', async () => {
    const { n, events } = notifier(manualClock('2026-11-26T10:00:01.000Z'));
    n.start(60_000);
    const delivered = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (events.length > 0) {
          clearInterval(poll);
          resolve();
        }
      }, 10);
    });
    await n.enqueue(
      await storeTestAlert(sql, {
        id: 'a1',
        client: 'demo-store',
        detectedAt: '2026-11-26T10:00:00.000Z',
      }),
    );
    await delivered;
    await n.stop();
    assert.equal(events[0]?.result, 'sent');
  });
});
