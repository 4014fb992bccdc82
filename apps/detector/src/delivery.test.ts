import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { silentLogger } from '@vigie/log';
import { drainAndStop, openDelivery } from './delivery.js';
import { createDetectorMetrics } from './metrics.js';
import type { AlertSink } from './outbox.js';
import { createOutbox, DeliveryError } from './outbox.js';
import { testEnvelope } from './testing/envelope.js';

const work = mkdtempSync(join(tmpdir(), 'vigie-delivery-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

const alert = (id: string) => ({ id, t: Date.now() / 1000 });
const nowhere: AlertSink = {
  deliver: () => Promise.reject(new DeliveryError('not started', true)),
};

describe('delivery to the console', () => {
  it('delivers what waits before stopping, and counts each delivery and its latency', async () => {
    const dataDir = join(work, 'up');
    // Alerts an earlier run left in the outbox.
    const earlier = createOutbox({ dir: join(dataDir, 'outbox'), sink: nowhere });
    for (const id of ['a1', 'a2']) await earlier.put(id, testEnvelope(id));
    const delivered: string[] = [];
    const sink: AlertSink = {
      deliver: (id) => {
        delivered.push(id);
        return Promise.resolve();
      },
    };
    const metrics = createDetectorMetrics();
    const delivery = openDelivery({ dataDir, sink, metrics, log: silentLogger });
    try {
      for (const id of ['a1', 'a2']) delivery.queued(alert(id));
      await drainAndStop(delivery.outbox, 30_000, silentLogger);
    } finally {
      await delivery.outbox.stop();
    }
    assert.deepEqual(delivered.sort(), ['a1', 'a2']);
    assert.equal(await delivery.outbox.depth(), 0);
    const text = await metrics.registry.metrics();
    assert.match(text, /^vigie_detector_deliveries_total\{result="delivered"\} 2$/m);
    assert.match(text, /^vigie_detector_alert_latency_seconds_count 2$/m);
  });

  it('stops with the alerts kept in the outbox when the console does not take them in time', async () => {
    const sink: AlertSink = {
      deliver: () => Promise.reject(new DeliveryError('console down', true)),
    };
    const metrics = createDetectorMetrics();
    const dataDir = join(work, 'down');
    await createOutbox({ dir: join(dataDir, 'outbox'), sink: nowhere }).put(
      'b1',
      testEnvelope('b1'),
    );
    const delivery = openDelivery({ dataDir, sink, metrics, log: silentLogger });
    try {
      await drainAndStop(delivery.outbox, 300, silentLogger);
    } finally {
      await delivery.outbox.stop();
    }
    assert.equal(await delivery.outbox.depth(), 1);
    assert.match(
      await metrics.registry.metrics(),
      /^vigie_detector_deliveries_total\{result="failed"\} [1-9]/m,
    );
  });
});
