import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '@vigie/log';
import { KubeApiError } from '../kube/client.js';
import { WorkQueue } from '../queue/workqueue.js';
import { TERMINAL_RETRY_MS } from '../reconcile/reconciler.js';
import { OperatorMetrics } from '../runtime/metrics.js';
import { requeueFor, runController } from './controller.js';

describe('requeueFor', () => {
  it('looks again only on an event after a reconcile that asks for nothing', () => {
    assert.deepEqual(requeueFor({ result: {} }), {
      result: 'success',
      forget: true,
      after: 'never',
      terminal: false,
    });
  });

  it('looks again after the delay a reconcile asks for, with its backoff reset', () => {
    assert.deepEqual(requeueFor({ result: { requeueAfterMs: 1_234 } }), {
      result: 'requeue_after',
      forget: true,
      after: 1_234,
      terminal: false,
    });
  });

  it('retries a transient error (network, conflict, throttling, server) under backoff', () => {
    for (const error of [
      new KubeApiError(0, 'NetworkError', 'connection refused'),
      new KubeApiError(409, 'Conflict', 'the object has been modified'),
      new KubeApiError(429, 'TooManyRequests', 'slow down'),
      new KubeApiError(503, 'ServiceUnavailable', 'etcd is away'),
      new Error('not an API error'),
    ]) {
      assert.deepEqual(
        requeueFor({ error }),
        { result: 'error', forget: false, after: 'backoff', terminal: false },
        error.message,
      );
    }
  });

  it('looks again at a terminal error after minutes, not hot', () => {
    for (const status of [400, 403, 404, 422]) {
      assert.deepEqual(
        requeueFor({ error: new KubeApiError(status, 'Refused', 'no') }),
        { result: 'error', forget: true, after: TERMINAL_RETRY_MS, terminal: true },
        String(status),
      );
    }
    // The status decides, never the words of the server's message.
    const invalid = new KubeApiError(422, 'Invalid', 'spec.timeoutSeconds: Invalid value');
    assert.equal(requeueFor({ error: invalid }).terminal, true);
  });
});

describe('runController', () => {
  it(
    'retries a failed key, counts each result, and stops when the queue shuts down',
    { timeout: 10_000 },
    async () => {
      const queue = new WorkQueue();
      const metrics = new OperatorMetrics();
      const seen: string[] = [];
      queue.add('acme');
      await runController({
        queue,
        workers: 2,
        metrics,
        log: silentLogger,
        reconcile: (key) => {
          seen.push(key);
          if (seen.length === 1)
            return Promise.reject(new KubeApiError(503, 'Unavailable', 'later'));
          queue.shutDown();
          return Promise.resolve({});
        },
      });
      assert.deepEqual(seen, ['acme', 'acme']);
      const { values } = await metrics.reconcileTotal.get();
      const count = (result: string) => values.find((v) => v.labels.result === result)?.value;
      assert.equal(count('error'), 1);
      assert.equal(count('success'), 1);
    },
  );
});
