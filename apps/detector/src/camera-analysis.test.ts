import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IngestEnvelope } from '@vigie/config';
import { silentLogger } from '@vigie/log';
import type { DetectorConfig } from '@vigie/plan';
import { renderScenario } from '@vigie/simulator';
import { createCameraAnalysis } from './camera-analysis.js';
import { createCameraHealth } from './camera-health.js';
import { createDetectorMetrics } from './metrics.js';
import { drawPoses } from './sources.js';
import { demoConfig, memoryOutbox } from './testing/demo-config.js';

/** Runs a scenario's frames through a camera's analysis, as a pose-recording camera would. */
async function analyse(config: DetectorConfig, scenario: string) {
  const camera = config.cameras[0];
  assert.ok(camera);
  const metrics = createDetectorMetrics();
  const health = createCameraHealth({ camera: camera.id, metrics, log: silentLogger });
  const { outbox, record } = memoryOutbox();
  const queued: string[] = [];
  const analysis = createCameraAnalysis({
    config,
    camera,
    model: undefined,
    outbox,
    health,
    metrics,
    log: silentLogger,
    onAlertQueued: (alert) => queued.push(alert.id),
  });
  const frames = renderScenario(scenario, { seed: 1 }).frames;
  for (const pose of frames) {
    const data = await drawPoses(pose.width, pose.height, pose.persons);
    const frame = { data, width: pose.width, height: pose.height, t: pose.t };
    if (analysis.decoded(frame)) await analysis.analysePoses(frame, pose.persons);
  }
  await analysis.settled();
  return { frames, record, queued, status: health.status(camera, analysis.activeTracks()) };
}

describe('camera analysis', () => {
  it('puts an explained alert with its snapshot into the outbox, then its clip', async () => {
    const config = demoConfig();
    const { frames, record, queued, status } = await analyse(config, 'concealment');
    const first = record.alerts[0];
    assert.ok(first, 'an alert in the outbox');
    const envelope = first.alert as IngestEnvelope;
    assert.equal(envelope.type, 'alert');
    assert.equal(envelope.alert.shard, config.shard);
    assert.equal(envelope.alert.cameraName, config.cameras[0]?.name);
    assert.match(envelope.alert.explanation ?? '', /\w/);
    // A JPEG, which the lighter copy kept for a full outbox goes without.
    assert.deepEqual(
      [...Buffer.from(envelope.snapshot?.data ?? '', 'base64').subarray(0, 2)],
      [0xff, 0xd8],
    );
    assert.equal((first.lighter as IngestEnvelope).snapshot, undefined);
    assert.deepEqual(
      record.clips.map((c) => c.id),
      record.alerts.map((a) => a.id),
    );
    assert.ok(record.clips.every((c) => c.bytes > 0));
    assert.deepEqual(
      queued,
      record.alerts.map((a) => a.id),
    );
    assert.equal(status.alerts, record.alerts.length);
    assert.equal(status.framesAnalysed, frames.length);
    assert.equal(status.scheduled, true);
  });

  it('analyses nothing on a day the store is closed', async () => {
    // The scenario's frames are stamped from the epoch: 1 January 1970.
    const closed: DetectorConfig = {
      ...demoConfig(),
      schedule: { windows: [], closures: [{ date: '1970-01-01', reason: 'New Year' }] },
    };
    const { record, status } = await analyse(closed, 'concealment');
    assert.deepEqual(record.alerts, []);
    assert.equal(status.framesAnalysed, 0);
    assert.equal(status.scheduled, false);
  });

  it('takes new zones live: without the zone it was about, the same scene raises no alert', async () => {
    const config = demoConfig();
    const camera = config.cameras[0];
    assert.ok(camera);
    const metrics = createDetectorMetrics();
    const health = createCameraHealth({ camera: camera.id, metrics, log: silentLogger });
    const { outbox, record } = memoryOutbox();
    const analysis = createCameraAnalysis({
      config,
      camera,
      model: undefined,
      outbox,
      health,
      metrics,
      log: silentLogger,
    });
    analysis.reconfigure(config, { ...camera, zones: [] });
    for (const pose of renderScenario('concealment', { seed: 1 }).frames) {
      const frame = { data: new Uint8Array(pose.width * pose.height * 3), ...pose };
      if (analysis.decoded(frame)) await analysis.analysePoses(frame, pose.persons);
    }
    await analysis.settled();
    assert.deepEqual(record.alerts, []);
    assert.deepEqual(analysis.camera().zones, []);
  });
});
