import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AlertSink } from './outbox.js';
import { createConsoleSink, createOutbox, DeliveryError } from './outbox.js';
import { testEnvelope } from './testing/envelope.js';

const work = mkdtempSync(join(tmpdir(), 'vigie-outbox-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});
let dirs = 0;
const freshDir = (): string => join(work, `outbox-${String(dirs++)}`);

describe('outbox', () => {
  it('delivers in order, retrying with backoff while the console fails', async () => {
    const delivered: string[] = [];
    let failures = 3;
    const sink: AlertSink = {
      deliver(id) {
        if (failures-- > 0) return Promise.reject(new DeliveryError('console answered 503', true));
        delivered.push(id);
        return Promise.resolve();
      },
    };
    const dir = freshDir();
    const outbox = createOutbox({ dir, sink, minBackoffMs: 5, maxBackoffMs: 20 });
    for (const id of ['a', 'b', 'c']) await outbox.put(id, testEnvelope(id));
    assert.equal(await outbox.depth(), 3);
    outbox.start();
    await outbox.drained();
    await outbox.stop();
    assert.deepEqual(delivered, ['a', 'b', 'c']);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('sets aside an alert the console refuses for good, and goes on with the rest', async () => {
    const delivered: string[] = [];
    const sink: AlertSink = {
      deliver(id) {
        if (id === 'bad') return Promise.reject(new DeliveryError('console answered 400', false));
        delivered.push(id);
        return Promise.resolve();
      },
    };
    const dir = freshDir();
    const outbox = createOutbox({ dir, sink, minBackoffMs: 5 });
    for (const id of ['bad', 'good']) await outbox.put(id, testEnvelope(id));
    outbox.start();
    await outbox.drained();
    await outbox.stop();
    assert.deepEqual(delivered, ['good']);
    assert.match(readdirSync(dir).join(), /-bad\.json\.rejected$/);
  });

  it('keeps every alert put while it starts: its sweep of partial writes waits for them', async () => {
    const delivered = new Set<string>();
    const sink: AlertSink = {
      deliver(id) {
        delivered.add(id);
        return Promise.resolve();
      },
    };
    const ids: string[] = [];
    // Alerts are queued first, and the outbox starts a little later each round, so that its
    // sweep meets writes at every stage, a synced but not yet renamed one included.
    for (let round = 0; round < 24; round++) {
      const outbox = createOutbox({ dir: freshDir(), sink, minBackoffMs: 5 });
      const puts: Promise<void>[] = [];
      for (let i = 0; i < 10; i++) {
        const id = `r${String(round)}-${String(i)}`;
        ids.push(id);
        puts.push(outbox.put(id, testEnvelope(id)));
      }
      await new Promise((resolve) => setTimeout(resolve, round % 8));
      outbox.start();
      await Promise.all(puts);
      await outbox.drained();
      await outbox.stop();
    }
    assert.deepEqual([...delivered].sort(), ids.sort());
  });

  it('refuses IDs that could escape its folder', async () => {
    const outbox = createOutbox({ dir: freshDir(), sink: { deliver: () => Promise.resolve() } });
    await assert.rejects(
      outbox.put('../../etc/passwd', testEnvelope('x')),
      /must be 1 to 128 letters/,
    );
  });

  it('loses nothing and stores nothing twice when the detector is killed mid-delivery', async () => {
    // A console stand-in with the console's contract: stores each alert ID once, answers 409
    // with its code and the key for an ID it already has. It can be told to hold the next answer, to kill mid-delivery.
    const stored = new Map<string, number>();
    const posts: string[] = [];
    let hold: ((res: ServerResponse) => void) | undefined;
    const held: ServerResponse[] = [];
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const id = String(req.headers['idempotency-key']);
      req.resume();
      req.on('end', () => {
        posts.push(id);
        const known = stored.has(id);
        stored.set(id, 1);
        if (hold) {
          hold(res);
          return;
        }
        if (known) {
          res
            .writeHead(409, { 'content-type': 'application/json' })
            .end(JSON.stringify({ code: 'VIGIE_E_ALREADY_STORED', id: `al_${id}`, key: id }));
        } else res.writeHead(201).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    const child = fileURLToPath(new URL('./testing/outbox-child.js', import.meta.url));
    const dir = freshDir();
    const count = 40;

    const first = spawn(process.execPath, [child, dir, url, String(count)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const killedOn = await new Promise<string>((resolve) => {
      hold = (res) => {
        // The console has stored this alert, but the detector dies before it hears so.
        if (posts.length >= 15) {
          held.push(res);
          hold = undefined;
          first.kill('SIGKILL');
          resolve(posts.at(-1) ?? '');
          return;
        }
        res.writeHead(201).end();
      };
    });
    await once(first, 'exit');
    for (const res of held) res.destroy();

    const second = spawn(process.execPath, [child, dir, url, '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    second.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(second, 'exit')) as [number];
    server.close();
    assert.equal(code, 0);
    assert.match(output, /drained/);
    assert.equal(stored.size, count, 'every alert reached the console');
    assert.equal(
      posts.filter((id) => id === killedOn).length,
      2,
      'the alert in flight at the kill was sent again, with the same ID',
    );
    assert.deepEqual(readdirSync(dir), []);
  });
});

describe('console sink', () => {
  /** A console stand-in that answers each request with the next of `answers`. */
  async function standIn(answers: ((res: ServerResponse) => void)[]) {
    const seen: { method: string; url: string; type: string; body: Buffer }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          type: String(req.headers['content-type']),
          body: Buffer.concat(chunks),
        });
        (answers.shift() ?? ((r: ServerResponse) => r.writeHead(201).end()))(res);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const sink = createConsoleSink({
      consoleUrl: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
      token: () => Promise.resolve('t'.repeat(32)),
    });
    return { sink, seen, close: () => server.close() };
  }

  it('counts a 409 as delivered only when the console says it stored this very alert', async () => {
    const json = (status: number, body: unknown) => (res: ServerResponse) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const fake = await standIn([
      json(409, { code: 'VIGIE_E_ALREADY_STORED', id: 'al_x', key: 'a1' }),
      json(409, { code: 'VIGIE_E_ALREADY_STORED', id: 'al_y', key: 'someone-else' }),
      (res) => res.writeHead(409).end('Conflict'),
    ]);
    const body = new TextEncoder().encode('{}');
    await fake.sink.deliver('a1', body, 'alert');
    for (let i = 0; i < 2; i++) {
      await assert.rejects(
        fake.sink.deliver('a1', body, 'alert'),
        (e: unknown) => e instanceof DeliveryError && !e.transient,
      );
    }
    fake.close();
  });

  it("takes the console's word on when to retry after a 429", async () => {
    const fake = await standIn([(res) => res.writeHead(429, { 'retry-after': '7' }).end()]);
    await assert.rejects(
      fake.sink.deliver('a1', new Uint8Array(2), 'alert'),
      (e: unknown) => e instanceof DeliveryError && e.transient && e.retryAfterMs === 7000,
    );
    fake.close();
  });

  it('sends a clip as its MP4 bytes, and converts a clip file an earlier detector wrote', async () => {
    const fake = await standIn([]);
    const mp4 = Buffer.from('....ftypisom clip bytes');
    await fake.sink.deliver('a1', mp4, 'clip');
    const legacy = JSON.stringify({
      type: 'clip',
      alertId: 'a2',
      contentType: 'video/mp4',
      data: mp4.toString('base64'),
    });
    await fake.sink.deliver('a2-clip', new TextEncoder().encode(legacy), 'alert');
    assert.deepEqual(
      fake.seen.map((r) => [r.method, r.url, r.type, r.body.toString()]),
      [
        ['PUT', '/api/v1/ingest/alerts/a1/clip', 'video/mp4', mp4.toString()],
        ['PUT', '/api/v1/ingest/alerts/a2/clip', 'video/mp4', mp4.toString()],
      ],
    );
    fake.close();
  });

  it('keeps clips in order after their alert, as files of their own', async () => {
    const delivered: string[] = [];
    const sink: AlertSink = {
      deliver(id, _body, kind) {
        delivered.push(`${kind}:${id}`);
        return Promise.resolve();
      },
    };
    const outbox = createOutbox({ dir: freshDir(), sink, minBackoffMs: 5 });
    await outbox.put('a1', testEnvelope('a1'));
    await outbox.putClip('a1', new Uint8Array([1, 2, 3]));
    await outbox.put('a2', testEnvelope('a2'));
    outbox.start();
    await outbox.drained();
    await outbox.stop();
    assert.deepEqual(delivered, ['alert:a1', 'clip:a1', 'alert:a2']);
  });

  it('stays under its cap through a console outage: clips go first, oldest first, and no alert is ever dropped', async () => {
    const delivered: { id: string; kind: string; body: string }[] = [];
    let consoleUp = false;
    const sink: AlertSink = {
      deliver(id, body, kind) {
        if (!consoleUp) return Promise.reject(new DeliveryError('console answered 503', true));
        delivered.push({ id, kind, body: Buffer.from(body).toString('utf8') });
        return Promise.resolve();
      },
    };
    const shed: string[] = [];
    const dir = freshDir();
    const cap = 20_000;
    const outbox = createOutbox({
      dir,
      sink,
      minBackoffMs: 5,
      maxBackoffMs: 10,
      maxBytes: cap,
      onShed: ({ id, kind }) => shed.push(`${kind}:${id}`),
    });
    outbox.start();
    const snapshot = 'j'.repeat(3000);
    const ids = Array.from({ length: 12 }, (_, i) => `a${String(i).padStart(2, '0')}`);
    const onDisk = () =>
      readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
    let most = 0;
    for (const id of ids) {
      await outbox.put(id, testEnvelope(id, snapshot), testEnvelope(id));
      await outbox.putClip(id, new Uint8Array(4000).fill(1));
      most = Math.max(most, onDisk());
    }
    assert.ok(most <= cap, `${String(most)} bytes on disk, over the cap of ${String(cap)}`);
    // The oldest clips went first; later, snapshots of new alerts.
    assert.deepEqual(shed.slice(0, 2), ['clip:a00', 'clip:a01']);
    assert.ok(shed.some((s) => s.startsWith('snapshot:')));
    consoleUp = true;
    await outbox.drained();
    await outbox.stop();
    const alerts = delivered.filter((d) => d.kind === 'alert');
    assert.deepEqual(
      alerts.map((a) => a.id),
      ids,
      'every alert reached the console, in order',
    );
    // Alerts kept their snapshot while there was room.
    assert.match(alerts[0]?.body ?? '', /"snapshot"/);
    assert.doesNotMatch(alerts.at(-1)?.body ?? '', /"snapshot"/);
  });
});
