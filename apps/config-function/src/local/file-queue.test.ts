import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFileQueue, retryDelayMs } from './file-queue.js';

describe("the folder watcher's per-name queue", () => {
  it('looks at one name one time at a time, in order', async () => {
    const seen: string[] = [];
    let running = 0;
    const queue = createFileQueue({
      settleMs: 1,
      run: async (raw) => {
        running++;
        assert.equal(running, 1);
        seen.push(raw.toString());
        await new Promise((resolve) => setImmediate(resolve));
        running--;
      },
    });
    await Promise.all([
      queue.enqueue(Buffer.from('a.xml')),
      queue.enqueue(Buffer.from('a.xml')),
      queue.enqueue(Buffer.from('a.xml')),
    ]);
    assert.deepEqual(seen, ['a.xml', 'a.xml', 'a.xml']);
  });

  it('keeps going after a look fails', async () => {
    let calls = 0;
    const queue = createFileQueue({
      settleMs: 1,
      run: () => {
        calls++;
        return calls === 1 ? Promise.reject(new Error('boom')) : Promise.resolve();
      },
    });
    await assert.rejects(queue.enqueue(Buffer.from('a.xml')));
    await queue.enqueue(Buffer.from('a.xml'));
    assert.equal(calls, 2);
  });

  it('looks once at a name that changes several times in a row', async () => {
    const seen: string[] = [];
    let done: () => void = () => undefined;
    const looked = new Promise<void>((resolve) => {
      done = resolve;
    });
    const queue = createFileQueue({
      settleMs: 20,
      run: (raw) => {
        seen.push(raw.toString());
        done();
        return Promise.resolve();
      },
    });
    for (let i = 0; i < 5; i++) queue.schedule(Buffer.from('a.xml'));
    await looked;
    await new Promise((resolve) => setTimeout(resolve, 60));
    queue.close();
    assert.deepEqual(seen, ['a.xml']);
  });

  it('schedules nothing once closed', async () => {
    const seen: string[] = [];
    const queue = createFileQueue({
      settleMs: 1,
      run: (raw) => {
        seen.push(raw.toString());
        return Promise.resolve();
      },
    });
    queue.schedule(Buffer.from('a.xml'));
    queue.close();
    queue.schedule(Buffer.from('b.xml'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(seen, []);
  });

  it('waits longer after each failure in a row, up to 30 s', () => {
    assert.deepEqual(
      [1, 2, 3, 7, 8, 20].map(retryDelayMs),
      [400, 800, 1600, 25_600, 30_000, 30_000],
    );
  });
});
