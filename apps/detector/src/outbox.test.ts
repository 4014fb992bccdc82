import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AlertSink } from './outbox.js';
import { createOutbox, DeliveryError } from './outbox.js';

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
    for (const id of ['a', 'b', 'c']) await outbox.put(id, { id });
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
    for (const id of ['bad', 'good']) await outbox.put(id, {});
    outbox.start();
    await outbox.drained();
    await outbox.stop();
    assert.deepEqual(delivered, ['good']);
    assert.match(readdirSync(dir).join(), /-bad\.json\.rejected$/);
  });

  it('refuses IDs that could escape its folder', async () => {
    const outbox = createOutbox({ dir: freshDir(), sink: { deliver: () => Promise.resolve() } });
    await assert.rejects(outbox.put('../../etc/passwd', {}), /must be 1 to 128 letters/);
  });

  it('loses nothing and stores nothing twice when the detector is killed mid-delivery', async () => {
    // A console stand-in with the console's contract: stores each alert ID once, answers 409
    // for an ID it already has. It can be told to hold the next answer, to kill mid-delivery.
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
        res.writeHead(known ? 409 : 201).end();
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
