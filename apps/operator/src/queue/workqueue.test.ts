import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExponentialBackoff, WorkQueue } from './workqueue.js';

describe('WorkQueue', () => {
  it('queues a key once however often it is added', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    queue.add('a');
    queue.add('b');
    assert.equal(queue.length, 2);
    assert.equal(await queue.get(), 'a');
    assert.equal(await queue.get(), 'b');
    assert.equal(queue.length, 0);
  });

  it('never hands a key being processed to a second worker, and requeues it when done', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    const first = await queue.get();
    queue.add('a');
    // Still being processed: not available to another worker.
    assert.equal(queue.length, 0);
    let second: string | undefined;
    void queue.get().then((key) => (second = key));
    await sleep(5);
    assert.equal(second, undefined);
    queue.done(first ?? '');
    await sleep(0);
    assert.equal(second, 'a');
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.add('x');
    assert.equal(await waiting, 'x');
  });

  it('delays adds, keeping the earliest pending one', async () => {
    const queue = new WorkQueue();
    queue.addAfter('a', 60_000);
    queue.addAfter('a', 10);
    await sleep(40);
    assert.equal(queue.length, 1);
  });

  it('backs off exponentially per key, and forgets on success', async () => {
    const backoff = new ExponentialBackoff(5, 100);
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map(() => backoff.when('a')),
      [5, 10, 20, 40, 80, 100],
    );
    assert.equal(backoff.when('b'), 5);
    assert.equal(backoff.retries('a'), 6);
    backoff.forget('a');
    assert.equal(backoff.when('a'), 5);
    const queue = new WorkQueue(new ExponentialBackoff(5, 100));
    queue.addRateLimited('k');
    assert.equal(queue.retries('k'), 1);
    await sleep(30);
    assert.equal(await queue.get(), 'k');
  });

  it('hands out nothing after shutdown, and releases waiting workers', async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.addAfter('late', 10);
    queue.shutDown();
    assert.equal(await waiting, undefined);
    queue.add('a');
    assert.equal(await queue.get(), undefined);
  });

  it('reports depth, adds and retries', async () => {
    const seen = { depth: [] as number[], added: 0, retried: 0, waited: 0, worked: 0 };
    const queue = new WorkQueue(new ExponentialBackoff(1, 1), {
      depth: (v) => seen.depth.push(v),
      added: () => (seen.added += 1),
      retried: () => (seen.retried += 1),
      waited: () => (seen.waited += 1),
      worked: () => (seen.worked += 1),
    });
    queue.add('a');
    queue.add('b');
    const key = await queue.get();
    queue.done(key ?? '');
    queue.addRateLimited('c');
    assert.deepEqual(seen.depth, [1, 2, 1]);
    assert.equal(seen.added, 2);
    assert.equal(seen.retried, 1);
    assert.equal(seen.waited, 1);
    assert.equal(seen.worked, 1);
  });
});
