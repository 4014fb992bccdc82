import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parseWebhookAllowance, type WebhookAllowance } from './address-policy.js';
import type { ClientView } from '../ports.js';
import type { Sql } from '../storage/db.js';
import { select } from '../storage/db.js';
import { createNotifier, type DeliveryEvent, type NotifierDeps } from './notifier.js';
import { summarizeAlert } from './summary.js';
import {
  clientView,
  directoryOf,
  generateCertificate,
  manualClock,
  openDatabase,
  secretsOf,
  storeTestAlert,
  TEST_HOST,
} from './testing/fixtures.js';
import {
  buildWebhookRequest,
  postWebhook,
  verifyWebhookSignature,
  type WebhookOptions,
} from './webhook.js';

interface Received {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly status: number;
}

function allowance(text: string): WebhookAllowance {
  const parsed = parseWebhookAllowance(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

/** The admin's opt-in that lets these tests deliver to their receiver on the loopback. */
const LOOPBACK = allowance('127.0.0.1/32');

/** A real HTTPS receiver whose answers are scripted per test. */
function startReceiver(tls: { key: string; cert: string }) {
  const received: Received[] = [];
  let script: { status: number; headers?: Record<string, string>; body?: Buffer }[] = [];
  let hang = false;
  let connections = 0;
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
      res.end(answer.body ?? (answer.status >= 400 ? 'no thanks' : 'ok'));
    });
  });
  server.on('connection', () => {
    connections++;
  });
  return {
    received,
    server,
    /** TCP connections accepted since the last reset, requests or not. */
    connections: () => connections,
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
      connections = 0;
    },
    port: () => (server.address() as AddressInfo).port,
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
      webhooks: { ca: tls.cert, timeoutMs: 2000, allow: LOOPBACK },
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
    const { n } = notifier(clock, { webhooks: { ca: tls.cert, timeoutMs: 300, allow: LOOPBACK } });
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
    const { n } = notifier(clock, { webhooks: { timeoutMs: 2000, allow: LOOPBACK } });
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

  describe('targets inside the network', () => {
    const summary = summarizeAlert(
      {
        id: 'a1',
        client: 'demo-store',
        camera: 'cam-aisle',
        rule: 'concealment',
        detectedAt: '2026-11-26T10:00:00.000Z',
        receivedAt: '2026-11-26T10:00:01.000Z',
        body: {},
      },
      {},
    );
    /** Names these tests resolve, and how often they were asked. */
    const asked: string[] = [];
    const resolveTo =
      (...addresses: string[]): NonNullable<WebhookOptions['resolve']> =>
      (hostname) => {
        asked.push(hostname);
        return Promise.resolve(
          addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
        );
      };
    /** One delivery through the transport, as the notifier sends it. */
    const post = (url: string, options: WebhookOptions = {}) =>
      postWebhook(
        buildWebhookRequest({ url, deliveryId: 'dlv_test', key, summary, now: new Date() }),
        { ca: tls.cert, timeoutMs: 2000, ...options },
      );
    const at = (host: string) => `https://${host}:${String(receiver.port())}/hooks/vigie`;

    beforeEach(() => {
      asked.length = 0;
    });

    it('never contacts a receiver on the loopback that no admin allowed, and does not retry', async () => {
      const clock = manualClock('2026-11-26T10:00:01.000Z');
      const { n, events } = notifier(clock, { webhooks: { ca: tls.cert, timeoutMs: 2000 } });
      await n.enqueue(
        await storeTestAlert(sql, {
          id: 'a1',
          client: 'demo-store',
          detectedAt: '2026-11-26T10:00:00.000Z',
        }),
      );
      assert.equal(await n.runOnce(), 1);
      clock.advance(2 * 3_600_000);
      assert.equal(await n.runOnce(), 0, 'a forbidden target is not tried again');
      assert.equal(receiver.connections(), 0);
      const [row] = await rows('a1');
      assert.deepEqual([row?.state, row?.attempts], ['failed', 1]);
      assert.equal(
        row?.last_error,
        'VIGIE_E_WEBHOOK_FORBIDDEN: 127.0.0.1 is a loopback address; an admin can allow it with VIGIE_WEBHOOK_ALLOW (vigie up: --webhook-allow)',
      );
      assert.deepEqual(
        events.map((e) => e.result),
        ['failed'],
      );
    });

    it('checks the address a name resolves to when connecting', async () => {
      const refused = await post(at(TEST_HOST), { resolve: resolveTo('127.0.0.1') });
      assert.deepEqual(refused, {
        ok: false,
        transient: false,
        code: 'VIGIE_E_WEBHOOK_FORBIDDEN',
        message: `${TEST_HOST} resolves to 127.0.0.1: 127.0.0.1 is a loopback address; an admin can allow it with VIGIE_WEBHOOK_ALLOW (vigie up: --webhook-allow)`,
      });
      // One internal address among public ones is enough: the socket may pick any of them.
      const mixed = await post(at(TEST_HOST), {
        resolve: resolveTo('8.8.8.8', '::ffff:a9fe:a9fe'),
      });
      assert.equal(
        mixed.ok ? '' : mixed.message.split(';')[0],
        `${TEST_HOST} resolves to ::ffff:a9fe:a9fe: ::ffff:a9fe:a9fe carries 169.254.169.254, a link-local address (the cloud metadata server is one)`,
      );
      assert.deepEqual(asked, [TEST_HOST, TEST_HOST]);
      assert.equal(receiver.connections(), 0);

      // Allowed, the same name reaches the receiver through the very answer that was checked.
      const allowed = await post(at(TEST_HOST), {
        resolve: resolveTo('127.0.0.1'),
        allow: LOOPBACK,
      });
      assert.deepEqual(allowed, { ok: true });
      assert.equal(receiver.received.length, 1);
      assert.equal(receiver.received[0]?.headers.host, `${TEST_HOST}:${String(receiver.port())}`);
    });

    it('refuses internal addresses written in the URL, in any form, before connecting', async () => {
      const cases: [string, RegExp][] = [
        ['[::ffff:127.0.0.1]', /^::ffff:7f00:1 carries 127\.0\.0\.1, a loopback address;/],
        ['[::ffff:7f00:1]', /^::ffff:7f00:1 carries 127\.0\.0\.1, a loopback address;/],
        ['[::1]', /^::1 is a loopback address;/],
        ['2130706433', /^127\.0\.0\.1 is a loopback address;/],
        ['169.254.169.254', /^169\.254\.169\.254 is a link-local address/],
        ['[64:ff9b::a9fe:a9fe]', /^64:ff9b::a9fe:a9fe carries 169\.254\.169\.254, a link-local/],
        ['10.96.0.1', /^10\.96\.0\.1 is a private address;/],
        ['100.100.1.1', /^100\.100\.1\.1 is a shared \(carrier-grade NAT\) address;/],
        ['0.0.0.0', /^0\.0\.0\.0 is the unspecified address;/],
        ['[fd12:3456::1]', /^fd12:3456::1 is a private address;/],
      ];
      for (const [host, message] of cases) {
        const outcome = await post(at(host), { resolve: resolveTo('127.0.0.1') });
        assert.ok(!outcome.ok, host);
        assert.deepEqual(
          [outcome.code, outcome.transient],
          ['VIGIE_E_WEBHOOK_FORBIDDEN', false],
          host,
        );
        assert.match(outcome.message, message, host);
      }
      assert.deepEqual(asked, [], 'addresses are never looked up');
      assert.equal(receiver.connections(), 0);
    });

    it("refuses the cluster's names and this machine's without looking them up", async () => {
      for (const host of [
        'vigie-console.vigie-system.svc.cluster.local',
        'kubernetes.default.svc',
        'metrics.monitoring.svc.cluster.local.',
        'localhost',
        'api.localhost',
        'vigie-console',
      ]) {
        const outcome = await post(at(host), { resolve: resolveTo('127.0.0.1') });
        assert.equal(outcome.ok ? '' : outcome.code, 'VIGIE_E_WEBHOOK_FORBIDDEN', host);
        assert.match(outcome.ok ? '' : outcome.message, / is a name of /, host);
      }
      assert.deepEqual(asked, []);
      assert.equal(receiver.connections(), 0);
    });

    it('opens exactly what the admin allows', async () => {
      const outcome = (allow: string, host = '127.0.0.1') =>
        post(at(host), { allow: allowance(allow), resolve: resolveTo('127.0.0.1') });
      const codes = async (allow: string, host?: string) => {
        const result = await outcome(allow, host);
        return result.ok ? 'sent' : result.code;
      };
      assert.equal(await codes('127.0.0.2/32'), 'VIGIE_E_WEBHOOK_FORBIDDEN');
      assert.equal(await codes('10.0.0.0/8, 127.0.0.128/25'), 'VIGIE_E_WEBHOOK_FORBIDDEN');
      assert.equal(await codes('::1/128'), 'VIGIE_E_WEBHOOK_FORBIDDEN');
      assert.equal(receiver.connections(), 0);
      assert.equal(await codes('127.0.0.0/31'), 'sent');
      assert.equal(await codes('::ffff:127.0.0.1/128'), 'sent', 'an IPv4-mapped range is IPv4');
      // A range opens addresses, not names: the cluster's names are opened by naming them.
      assert.equal(await codes('127.0.0.0/8', 'localhost'), 'VIGIE_E_WEBHOOK_FORBIDDEN');
      assert.equal(
        await codes(TEST_HOST.toUpperCase(), TEST_HOST),
        'sent',
        'an allowed name is trusted',
      );
      assert.equal(receiver.received.length, 3);
    });

    it('keeps a short, clean excerpt of what a receiver answers', async () => {
      const hostile = Buffer.concat([
        Buffer.from('bad\u0000request\r\n\tHeader-Smuggle: yes\u001b[31m\u0085\u202e', 'utf8'),
        Buffer.from([0xff, 0xfe, 0xed]),
        Buffer.from('x'.repeat(10_000), 'utf8'),
      ]);
      receiver.answer([{ status: 400, body: hostile }]);
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
      const stored = row?.last_error ?? '';
      assert.equal(row?.state, 'failed');
      const prefix = `VIGIE_E_WEBHOOK_STATUS: 127.0.0.1:${String(receiver.port())} answered 400: `;
      assert.ok(stored.startsWith(prefix), stored);
      const excerpt = stored.slice(prefix.length);
      assert.ok(
        excerpt.startsWith('bad request Header-Smuggle: yes [31m \ufffd\ufffd\ufffdxxx'),
        excerpt,
      );
      assert.ok(excerpt.endsWith('x…'), excerpt);
      assert.equal(Array.from(excerpt).length, 200);
      assert.doesNotMatch(stored, /[\p{Cc}\p{Cf}]/u);
      // No surrogates at all, lone or paired: this answer has no character beyond the BMP.
      assert.doesNotMatch(stored, /[\uD800-\uDFFF]/);
    });
  });
});
