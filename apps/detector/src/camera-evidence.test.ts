import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IngestEnvelope } from '@vigie/config';
import type { Logger } from '@vigie/log';
import { silentLogger } from '@vigie/log';
import { renderScenario } from '@vigie/simulator';
import type { Alert, FrameAnalysis } from '@vigie/vision';
import { createCameraAnalyzer, MOVENET_CALIBRATION } from '@vigie/vision';
import { caption, createCameraEvidence, queueAlert } from './camera-evidence.js';
import { createCameraHealth } from './camera-health.js';
import type { EvidenceRecorder } from './evidence.js';
import type { TimedFrame } from './ingest.js';
import { createDetectorMetrics } from './metrics.js';
import { demoConfig, memoryOutbox } from './testing/demo-config.js';

const config = demoConfig();
const camera = config.cameras[0];

/** The demo camera's analysis of a concealment scene, frame by frame, on blank pictures. */
function concealment(): { frame: TimedFrame; analysis: FrameAnalysis }[] {
  assert.ok(camera);
  const analyzer = createCameraAnalyzer({
    tracker: MOVENET_CALIBRATION.tracker,
    settings: {
      client: config.client,
      camera,
      rules: config.detection,
      cooldownSeconds: config.alerts.cooldownSeconds,
    },
  });
  return renderScenario('concealment', { seed: 1 }).frames.map((pose) => ({
    frame: { data: new Uint8Array(pose.width * pose.height * 3), ...pose },
    analysis: analyzer.analyze(pose),
  }));
}

const frames = concealment();
const firstAlert = frames.flatMap((f) => f.analysis.alerts)[0];

/** A recorder that makes a snapshot and a clip named `name`. */
function namedRecorder(name: string): EvidenceRecorder {
  return {
    add: (frame) => Promise.resolve(frame),
    snapshot: () => Promise.resolve(Buffer.from(`snapshot ${name}`)),
    clip: () => Promise.resolve(Buffer.from(`clip ${name}`)),
    size: 0,
  };
}

describe('camera evidence', () => {
  it('captions a snapshot with the rule, the track, the camera and the time', () => {
    assert.ok(firstAlert);
    const alert: Alert = { ...firstAlert, rule: 'exit-without-payment', trackId: 3, t: 45296 };
    assert.equal(
      caption(alert, 'Cosmetics aisle'),
      'Exit without payment · track 3 · Cosmetics aisle · 12:34:56 UTC',
    );
  });

  it('queues the alert with its snapshot, a lighter copy without it, then the clip of the recorder kept now', async () => {
    assert.ok(firstAlert);
    const { outbox, record } = memoryOutbox();
    const steps: string[] = [];
    // Privacy settings that change while the snapshot is made replace the recorder: the clip
    // must come from the new one, never from frames kept under the old settings.
    const recorders = [namedRecorder('before'), namedRecorder('after')];
    await queueAlert({
      alert: firstAlert,
      shown: { data: new Uint8Array(12), width: 2, height: 2 },
      person: undefined,
      zones: [],
      shard: 'shard-7',
      cameraName: 'Back door',
      recorder: () => {
        const recorder = recorders.shift();
        assert.ok(recorder);
        steps.push(`recorder ${String(recorders.length)}`);
        return recorder;
      },
      outbox: {
        ...outbox,
        putClip: async (id, clip) => {
          steps.push(`clip ${Buffer.from(clip).toString()}`);
          await outbox.putClip(id, clip);
        },
      },
      onQueued: () => steps.push('queued'),
    });
    const queued = record.alerts[0];
    assert.ok(queued);
    const envelope = queued.alert as IngestEnvelope;
    assert.equal(queued.id, firstAlert.id);
    assert.equal(envelope.alert.shard, 'shard-7');
    assert.equal(envelope.alert.cameraName, 'Back door');
    assert.equal(envelope.alert.detectedAt, new Date(firstAlert.t * 1000).toISOString());
    assert.equal(
      Buffer.from(envelope.snapshot?.data ?? '', 'base64').toString(),
      'snapshot before',
    );
    assert.equal((queued.lighter as IngestEnvelope).snapshot, undefined);
    assert.deepEqual(steps, ['recorder 1', 'queued', 'recorder 0', 'clip clip after']);
  });

  it('logs an alert the outbox refuses, and goes on with the next', async () => {
    assert.ok(camera);
    const { outbox, record } = memoryOutbox();
    let refused = 0;
    const errors: string[] = [];
    const log: Logger = (severity, message) => {
      if (severity === 'ERROR') errors.push(message);
    };
    const metrics = createDetectorMetrics();
    const evidence = createCameraEvidence({
      camera: camera.id,
      privacy: config.privacy,
      place: () => ({ shard: config.shard, cameraName: camera.name, zonesFor: () => [] }),
      outbox: {
        ...outbox,
        put: (id, alert, lighter) =>
          refused++ === 0 ? Promise.reject(new Error('disk full')) : outbox.put(id, alert, lighter),
      },
      health: createCameraHealth({ camera: camera.id, metrics, log: silentLogger }),
      metrics,
      log,
    });
    const raised = frames.filter((f) => f.analysis.alerts.length > 0);
    assert.ok(raised.length >= 1);
    const [first] = raised;
    assert.ok(first);
    // The same decisive frame twice, as two alerts: the first is refused, the second goes in.
    await evidence.keep(first.frame, first.analysis, { persons: [] });
    const again = {
      ...first.analysis,
      alerts: first.analysis.alerts.map((a) => ({ ...a, id: `${a.id}-b` })),
    };
    await evidence.keep(first.frame, again, { persons: [] });
    await evidence.settled();
    assert.deepEqual(errors, ['alert could not be queued']);
    assert.deepEqual(
      record.alerts.map((a) => a.id),
      again.alerts.map((a) => a.id),
    );
  });
});
