import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import type { ClientView } from '../ports.js';
import type { Sql } from '../storage/db.js';
import { select } from '../storage/db.js';
import type { SmtpSettings } from './email.js';
import { smtpOutcome } from './email.js';
import { createNotifier, type NotifierDeps } from './notifier.js';
import {
  clientView,
  directoryOf,
  generateCertificate,
  leaves,
  manualClock,
  openDatabase,
  parseMime,
  secretsOf,
  storeTestAlert,
} from './testing/fixtures.js';

interface Delivered {
  readonly from: string;
  readonly to: readonly string[];
  readonly user: string | undefined;
  readonly secure: boolean;
  readonly raw: string;
}

describe('email notifications (real SMTP server with STARTTLS, embedded PostgreSQL)', () => {
  const tls = generateCertificate();
  // Generated per run: no password ever lives in the repository.
  const credentials = { user: 'vigie', password: randomBytes(18).toString('base64url') };
  const delivered: Delivered[] = [];
  // Addresses the server answers with a scripted SMTP reply, once each.
  const replies = new Map<string, number[]>();
  const server = new SMTPServer({
    key: tls.key,
    cert: tls.cert,
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.password) {
        callback(null, { user: auth.username });
      } else {
        callback(new Error('invalid credentials'));
      }
    },
    onRcptTo(address, _session, callback) {
      const code = replies.get(address.address)?.shift();
      if (code === undefined) {
        callback();
        return;
      }
      callback(Object.assign(new Error(`scripted ${String(code)}`), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        delivered.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : undefined,
          secure: session.secure,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  const clients = new Map<string, ClientView>();
  const snapshot = randomBytes(2048);
  let sql: Sql;
  let close: () => Promise<void>;
  let smtp: SmtpSettings;

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    smtp = {
      host: '127.0.0.1',
      port: (server.server.address() as AddressInfo).port,
      secure: false,
      requireTls: true,
      user: credentials.user,
      password: credentials.password,
      from: 'Vigie <alerts@vigie.example>',
      ca: tls.cert,
      timeoutMs: 5000,
    };
    ({ sql, close } = await openDatabase());
  });
  after(async () => {
    await new Promise<void>((resolve) => {
      server.close(resolve);
    });
    await close();
  });
  beforeEach(async () => {
    delivered.length = 0;
    replies.clear();
    await sql.query('TRUNCATE alerts CASCADE');
    clients.set(
      'demo-store',
      clientView('demo-store', 'Demo Store', {
        emails: ['guard@store.example', 'manager@store.example'],
      }),
    );
  });

  function notifier(clock: ReturnType<typeof manualClock>, extra: Partial<NotifierDeps> = {}) {
    return createNotifier({
      sql,
      directory: directoryOf(clients),
      secrets: secretsOf(new Map()),
      smtp,
      consoleUrl: 'https://console.vigie.example',
      now: clock.now,
      random: () => 0.5,
      evidence: (id) => Promise.resolve(id === 'a1' ? new Uint8Array(snapshot) : undefined),
      ...extra,
    });
  }

  const states = async (alertId: string) =>
    new Map(
      (
        await select<{ target: string; state: string; last_error: string | null }>(
          sql,
          'SELECT target, state, last_error FROM notifications WHERE alert_id = $1',
          [alertId],
        )
      ).map((r) => [r.target, r]),
    );

  it('mails each address the alert, its explanation, a link and the snapshot', async () => {
    const n = notifier(manualClock('2026-11-26T10:00:01.000Z'));
    await n.enqueue(
      await storeTestAlert(sql, {
        id: 'a1',
        client: 'demo-store',
        detectedAt: '2026-11-26T10:00:00.000Z',
      }),
    );
    assert.equal(await n.runOnce(), 2);
    await n.stop();

    assert.deepEqual(delivered.map((d) => d.to).sort(), [
      ['guard@store.example'],
      ['manager@store.example'],
    ]);
    const guard = delivered.find((d) => d.to[0] === 'guard@store.example')!;
    assert.equal(guard.from, 'alerts@vigie.example');
    assert.equal(guard.secure, true, 'upgraded with STARTTLS');
    assert.equal(guard.user, credentials.user);

    const message = parseMime(guard.raw);
    assert.equal(message.headers.get('subject'), '[Vigie] Concealment at Demo Store – Aisle 3');
    assert.equal(message.headers.get('to'), 'guard@store.example');
    assert.match(message.headers.get('message-id') ?? '', /^<dlv_[0-9a-f]{32}@vigie>$/);

    const parts = leaves(message);
    const text = parts.find((p) => p.headers.get('content-type')?.startsWith('text/plain'));
    const html = parts.find((p) => p.headers.get('content-type')?.startsWith('text/html'));
    const image = parts.find((p) => p.headers.get('content-type')?.startsWith('image/jpeg'));
    const body = text?.body.toString('utf8') ?? '';
    assert.match(body, /The right hand reached into Cosmetics shelf/);
    // The store's timezone, Europe/Paris, is an hour ahead of UTC in November.
    assert.match(body, /Time: 26 Nov 2026, 11:00:00 CET/);
    assert.match(body, /Score: 1\.60 \(threshold 1\.00\)/);
    assert.match(body, /Review: https:\/\/console\.vigie\.example\/alerts\/a1/);
    assert.match(
      html?.body.toString('utf8') ?? '',
      /<a href="https:\/\/console\.vigie\.example\/alerts\/a1">/,
    );
    assert.match(
      image?.headers.get('content-disposition') ?? '',
      /attachment; filename=snapshot\.jpg/,
    );
    assert.deepEqual(image?.body, snapshot);
  });

  it('still mails the alert when there is no snapshot, or it cannot be read', async () => {
    clients.set(
      'demo-store',
      clientView('demo-store', 'Demo Store', { emails: ['guard@store.example'] }),
    );
    const n = notifier(manualClock('2026-11-26T10:00:01.000Z'), {
      evidence: (id) =>
        id === 'a2' ? Promise.resolve(undefined) : Promise.reject(new Error('bucket unavailable')),
    });
    // Two cameras, so that the second alert is not grouped into the first.
    for (const [id, camera] of [
      ['a2', 'cam-aisle'],
      ['a3', 'cam-exit'],
    ] as const) {
      await n.enqueue(
        await storeTestAlert(sql, {
          id,
          camera,
          client: 'demo-store',
          detectedAt: '2026-11-26T10:00:00.000Z',
        }),
      );
    }
    assert.equal(await n.runOnce(), 2);
    await n.stop();
    assert.equal(delivered.length, 2);
    for (const message of delivered) {
      const parts = leaves(parseMime(message.raw));
      assert.equal(
        parts.filter((p) => p.headers.get('content-type')?.startsWith('image/')).length,
        0,
      );
    }
  });

  it('retries a 4xx answer and gives up on a 5xx one', async () => {
    replies.set('guard@store.example', [451]);
    replies.set('manager@store.example', [550]);
    const clock = manualClock('2026-11-26T10:00:01.000Z');
    const n = notifier(clock);
    await n.enqueue(
      await storeTestAlert(sql, {
        id: 'a1',
        client: 'demo-store',
        detectedAt: '2026-11-26T10:00:00.000Z',
      }),
    );
    assert.equal(await n.runOnce(), 2);
    let rows = await states('a1');
    assert.equal(rows.get('guard@store.example')?.state, 'pending');
    assert.match(rows.get('guard@store.example')?.last_error ?? '', /^VIGIE_E_EMAIL_DEFERRED: /);
    assert.equal(rows.get('manager@store.example')?.state, 'failed');
    assert.match(rows.get('manager@store.example')?.last_error ?? '', /^VIGIE_E_EMAIL_REJECTED: /);

    clock.advance(30_000);
    assert.equal(await n.runOnce(), 1, 'only the deferred message is tried again');
    await n.stop();
    rows = await states('a1');
    assert.equal(rows.get('guard@store.example')?.state, 'sent');
    assert.deepEqual(
      delivered.map((d) => d.to),
      [['guard@store.example']],
    );
  });

  it('fails email targets with VIGIE_E_EMAIL_UNCONFIGURED when the console has no SMTP server', async () => {
    const n = createNotifier({
      sql,
      directory: directoryOf(clients),
      secrets: secretsOf(new Map()),
      now: manualClock('2026-11-26T10:00:01.000Z').now,
    });
    await n.enqueue(
      await storeTestAlert(sql, {
        id: 'a1',
        client: 'demo-store',
        detectedAt: '2026-11-26T10:00:00.000Z',
      }),
    );
    assert.equal(await n.runOnce(), 2);
    for (const row of (await states('a1')).values()) {
      assert.equal(row.state, 'failed');
      assert.match(row.last_error ?? '', /^VIGIE_E_EMAIL_UNCONFIGURED: /);
    }
    assert.equal(delivered.length, 0);
  });
});

describe("a mail server's words", () => {
  it('are stored bounded and clean, whatever the server answers', () => {
    const answer = Object.assign(new Error(`550 no\0 such\r\nuser \ud800${'x'.repeat(10_000)}`), {
      responseCode: 550,
    });
    const outcome = smtpOutcome(answer);
    assert.ok(!outcome.ok);
    assert.equal(outcome.code, 'VIGIE_E_EMAIL_REJECTED');
    assert.ok(Array.from(outcome.message).length <= 500, String(outcome.message.length));
    assert.doesNotMatch(outcome.message, /[\0\r\n\ud800]/);
    assert.match(outcome.message, /^550 no such user/);
  });
});
