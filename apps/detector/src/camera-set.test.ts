import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '@vigie/log';
import type { CameraPlan, DetectorConfig } from '@vigie/plan';
import type { CameraRunner } from './camera.js';
import { createCameraSet } from './camera-set.js';
import { demoCamera, demoConfig } from './testing/demo-config.js';

/** A camera set whose cameras only record what happens to them, in `events`. */
function recordingSet(): { set: ReturnType<typeof createCameraSet>; events: string[] } {
  const events: string[] = [];
  const start = (_config: DetectorConfig, camera: CameraPlan): Promise<CameraRunner> => {
    events.push(`start ${camera.id}`);
    let current = camera;
    return Promise.resolve({
      reconfigure(_next, next) {
        current = next;
        events.push(`reconfigure ${next.id}`);
      },
      status: () => ({
        id: current.id,
        name: current.name,
        up: true,
        reconnects: 0,
        activeTracks: 0,
        framesAnalysed: 0,
        alerts: 0,
        scheduled: true,
      }),
      stop() {
        events.push(`stop ${current.id}`);
        return Promise.resolve();
      },
    });
  };
  return { set: createCameraSet({ start, log: silentLogger }), events };
}

const base = demoConfig();
const aisle = demoCamera();
const door = demoCamera({
  id: 'door',
  name: 'Door',
  stream: { url: 'rtsp://door/live', transport: 'tcp' },
});
const withCameras = (...cameras: CameraPlan[]): DetectorConfig => ({ ...base, cameras });

describe('camera set', () => {
  it("starts each camera of the config, and reports each one's health", async () => {
    const { set, events } = recordingSet();
    await set.apply(withCameras(aisle, door));
    assert.deepEqual(events, ['start aisle', 'start door']);
    assert.deepEqual(
      set.statuses().map((s) => s.id),
      ['aisle', 'door'],
    );
  });

  it('applies new zones and sensitivity live, without restarting the camera', async () => {
    const { set, events } = recordingSet();
    await set.apply(withCameras(aisle));
    await set.apply(withCameras({ ...aisle, zones: aisle.zones.slice(1), sensitivity: 'high' }));
    assert.deepEqual(events, ['start aisle', 'reconfigure aisle']);
  });

  it('restarts only a camera whose stream, analysis settings or model changed', async () => {
    const { set, events } = recordingSet();
    await set.apply(withCameras(aisle, door));
    events.length = 0;
    const moved = { ...door, stream: { ...door.stream, url: 'rtsp://door/other' } };
    await set.apply(withCameras(aisle, moved));
    assert.deepEqual(events, ['stop door', 'reconfigure aisle', 'start door']);
    events.length = 0;
    await set.apply(withCameras({ ...aisle, analysis: { ...aisle.analysis, fps: 2 } }, moved));
    assert.deepEqual(events, ['stop aisle', 'start aisle', 'reconfigure door']);
    events.length = 0;
    const onnx: CameraPlan['model'] = {
      kind: 'onnx',
      id: 'shop-pose',
      uri: 'https://models.example/pose.onnx',
      sha256: 'ab'.repeat(32),
      format: 'yolo-pose',
      inputSize: 640,
    };
    await set.apply(
      withCameras({ ...aisle, analysis: { ...aisle.analysis, fps: 2 } }, { ...moved, model: onnx }),
    );
    assert.deepEqual(events, ['stop door', 'reconfigure aisle', 'start door']);
  });

  it('stops a camera removed from the config, and no longer reports it', async () => {
    const { set, events } = recordingSet();
    await set.apply(withCameras(aisle, door));
    await set.apply(withCameras(door));
    assert.deepEqual(events, ['start aisle', 'start door', 'stop aisle', 'reconfigure door']);
    assert.deepEqual(
      set.statuses().map((s) => s.id),
      ['door'],
    );
  });

  it('stops every camera when it stops', async () => {
    const { set, events } = recordingSet();
    await set.apply(withCameras(aisle, door));
    await set.stop();
    assert.deepEqual(events.slice(2).sort(), ['stop aisle', 'stop door']);
    assert.deepEqual(set.statuses(), []);
  });
});
