import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '@vigie/log';
import { createCameraHealth } from './camera-health.js';
import { createDetectorMetrics } from './metrics.js';
import { demoCamera, demoConfig } from './testing/demo-config.js';

const camera = demoCamera();

function health() {
  const metrics = createDetectorMetrics();
  const h = createCameraHealth({ camera: camera.id, metrics, log: silentLogger });
  return { h, text: () => metrics.registry.metrics() };
}

describe('camera health', () => {
  it('starts down, with nothing seen', async () => {
    const { h, text } = health();
    assert.deepEqual(h.status(camera, 0), {
      id: camera.id,
      name: camera.name,
      up: false,
      reconnects: 0,
      activeTracks: 0,
      framesAnalysed: 0,
      alerts: 0,
      scheduled: true,
    });
    assert.match(await text(), /^vigie_detector_camera_up\{camera="aisle"\} 0$/m);
  });

  it('reports the error that stops the camera with its code, one code at a time, until it recovers', async () => {
    const { h, text } = health();
    h.failed('VIGIE_E_CAMERA_SECRET', 'the Secret "cam" with username and password is not mounted');
    h.reconnecting();
    h.failed('VIGIE_E_STREAM_UNREACHABLE', 'Connection refused');
    h.reconnecting();
    assert.deepEqual(h.status(camera, 0).error, {
      code: 'VIGIE_E_STREAM_UNREACHABLE',
      message: 'Connection refused',
    });
    assert.equal(h.status(camera, 0).reconnects, 2);
    const failing = await text();
    assert.match(
      failing,
      /^vigie_detector_camera_error\{camera="aisle",code="VIGIE_E_STREAM_UNREACHABLE"\} 1$/m,
    );
    assert.doesNotMatch(failing, /VIGIE_E_CAMERA_SECRET/);
    assert.match(failing, /^vigie_detector_camera_reconnects_total\{camera="aisle"\} 2$/m);
    h.recovered();
    h.setUp(true);
    assert.equal(h.status(camera, 0).error, undefined);
    assert.equal(h.status(camera, 0).up, true);
    const recovered = await text();
    assert.doesNotMatch(recovered, /vigie_detector_camera_error\{/);
    assert.match(recovered, /^vigie_detector_camera_up\{camera="aisle"\} 1$/m);
  });

  it('counts frames, analysed frames and alerts, and says when the schedule stops analysis', () => {
    const { h } = health();
    const open = demoConfig();
    const closed = { ...open, schedule: { windows: [], closures: [{ date: '2026-12-25' }] } };
    const frame = (iso: string) => ({
      data: new Uint8Array(3),
      width: 1,
      height: 1,
      t: Date.parse(iso) / 1000,
    });
    assert.equal(h.frameDecoded(frame('2026-12-24T12:00:00Z'), closed), true);
    h.frameAnalysed(2);
    h.alertQueued('concealment');
    assert.equal(h.frameDecoded(frame('2026-12-25T12:00:00Z'), closed), false);
    const status = h.status(camera, 2);
    assert.equal(status.scheduled, false);
    assert.equal(status.framesAnalysed, 1);
    assert.equal(status.alerts, 1);
    assert.equal(status.activeTracks, 2);
    assert.equal(typeof status.lastFrameAt, 'number');
  });

  it("removes the camera's metrics when released", async () => {
    const { h, text } = health();
    h.setUp(true);
    h.failed('VIGIE_E_STREAM_FAILED', 'ended');
    h.release();
    assert.doesNotMatch(await text(), /camera="aisle"[^\n]*\} 1$/m);
  });
});
