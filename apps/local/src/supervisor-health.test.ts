import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CameraStatus } from '@vigie/detector';
import type { ObservedShard, PlannedCameras } from './supervisor-health.js';
import { cameraHealth } from './supervisor-health.js';

const plan: PlannedCameras = {
  shards: [
    {
      name: 'shard-0',
      config: {
        cameras: [
          { id: 'till', name: 'Till' },
          { id: 'door', name: 'Door' },
        ],
      },
    },
  ],
  disabledCameras: ['attic'],
};

const status = (id: string, extra: Partial<CameraStatus>): CameraStatus => ({
  id,
  name: id,
  up: false,
  reconnects: 0,
  activeTracks: 0,
  framesAnalysed: 0,
  alerts: 0,
  scheduled: true,
  ...extra,
});

describe("the local supervisor's camera view", () => {
  it('says each camera is starting before its detector answers, and lists disabled ones', () => {
    const health = cameraHealth('acme', plan, () => undefined);
    assert.deepEqual(
      health.map((h) => [h.camera, h.state, h.reason]),
      [
        ['till', 'Unknown', 'starting'],
        ['door', 'Unknown', 'starting'],
        ['attic', 'Disabled', undefined],
      ],
    );
  });

  it('reports what the detector says of each camera', () => {
    const shard: ObservedShard = {
      state: 'running',
      cameras: [
        status('till', { up: true, lastFrameAt: 1_700_000_000 }),
        status('door', { error: { code: 'VIGIE_E_STREAM', message: 'no route' } }),
      ],
    };
    const health = cameraHealth('acme', plan, () => shard);
    assert.deepEqual(health[0], {
      client: 'acme',
      camera: 'till',
      name: 'Till',
      state: 'Up',
      since: '2023-11-14T22:13:20.000Z',
    });
    assert.deepEqual([health[1]?.state, health[1]?.code], ['Down', 'VIGIE_E_STREAM']);
  });

  it('says a camera outside opening hours is not expected up', () => {
    const shard: ObservedShard = {
      state: 'running',
      cameras: [status('till', { scheduled: false })],
    };
    assert.equal(cameraHealth('acme', plan, () => shard)[0]?.reason, 'outside opening hours');
  });

  it("downs every camera of a crashed detector with the detector's own error", () => {
    const shard: ObservedShard = {
      state: 'crashed',
      lastError: { code: 'VIGIE_E_MODEL', message: 'model missing' },
      cameras: [status('till', { up: true })],
    };
    const health = cameraHealth('acme', plan, () => shard);
    assert.deepEqual(
      health.slice(0, 2).map((h) => [h.state, h.code, h.reason]),
      [
        ['Down', 'VIGIE_E_MODEL', 'model missing'],
        ['Down', 'VIGIE_E_MODEL', 'model missing'],
      ],
    );
  });
});
