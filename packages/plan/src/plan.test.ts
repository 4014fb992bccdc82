import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ClientSpec } from '@vigie/config';
import { parseClientConfig, toClientResource } from '@vigie/config';
import { repoRoot } from '@vigie/testenv';
import { planClient } from './plan.js';

function specOf(example: string, edit: (xml: string) => string = (x) => x): ClientSpec {
  const xml = edit(readFileSync(join(repoRoot(), 'examples', example), 'utf8'));
  const result = parseClientConfig(xml);
  assert.ok(result.ok, JSON.stringify(result));
  return toClientResource(result.config).spec;
}

describe('planClient', () => {
  it('groups enabled cameras in config order, camerasPerShard at a time', () => {
    const plan = planClient('mall-anchor', specOf('resources-gpu.xml'));
    assert.equal(plan.namespace, 'vigie-mall-anchor');
    assert.deepEqual(
      plan.shards.map((s) => s.cameraIds),
      [
        ['cam-01', 'cam-02', 'cam-03', 'cam-04', 'cam-05', 'cam-06', 'cam-07', 'cam-08'],
        ['cam-09'],
      ],
    );
    assert.deepEqual(
      plan.shards.map((s) => s.name),
      ['shard-0', 'shard-1'],
    );
    assert.deepEqual(plan.secrets, ['cameras']);
  });

  it('leaves disabled cameras out of every shard', () => {
    const plan = planClient(
      'mall-anchor',
      specOf('resources-gpu.xml', (x) =>
        x.replace('<camera id="cam-02">', '<camera id="cam-02" enabled="false">'),
      ),
    );
    assert.deepEqual(plan.disabledCameras, ['cam-02']);
    assert.ok(plan.shards.every((s) => !s.cameraIds.includes('cam-02')));
    assert.equal(plan.shards[0]?.cameraIds.length, 8);
  });

  it("resolves each camera's model and sensitivity", () => {
    const plan = planClient('acme-paris-11', specOf('full-store.xml'));
    const cameras = plan.shards.flatMap((s) => s.config.cameras);
    const cosmetics = cameras.find((c) => c.id === 'aisle-cosmetics');
    assert.equal(cosmetics?.model.kind, 'onnx');
    assert.equal(cameras.find((c) => c.id === 'entrance')?.model.kind, 'default');
    assert.equal(cameras.find((c) => c.id === 'stockroom')?.sensitivity, 'high');
    assert.equal(cameras.find((c) => c.id === 'entrance')?.sensitivity, 'medium');
    assert.deepEqual(plan.secrets, ['acme-cameras', 'acme-webhook-key']);
  });

  it('keeps workers running when only zones, rules or the schedule change', () => {
    const before = planClient('acme-paris-11', specOf('full-store.xml'));
    const after = planClient(
      'acme-paris-11',
      specOf('full-store.xml', (x) =>
        x
          .replace('points="0,0 1,0 1,1 0,1"', 'points="0,0 0.5,0 0.5,1 0,1"')
          .replace('seconds="180"', 'seconds="60"')
          .replace('close="21:00"', 'close="22:00"'),
      ),
    );
    assert.deepEqual(
      after.shards.map((s) => s.rolloutKey),
      before.shards.map((s) => s.rolloutKey),
    );
    assert.notDeepEqual(
      after.shards.map((s) => s.config),
      before.shards.map((s) => s.config),
    );
  });

  it('restarts only the shard whose stream or model changed', () => {
    const spec = (edit: (x: string) => string) =>
      planClient('mall-anchor', specOf('resources-gpu.xml', edit));
    const before = spec((x) => x.replace('camerasPerShard="8"', 'camerasPerShard="4"'));
    const after = spec((x) =>
      x
        .replace('camerasPerShard="8"', 'camerasPerShard="4"')
        .replace('rtsp://10.8.0.6/s', 'rtsp://10.8.0.66/s'),
    );
    assert.deepEqual(
      after.shards.map((s, i) => s.rolloutKey === before.shards[i]?.rolloutKey),
      [true, false, true],
    );
  });

  it('is deterministic', () => {
    const spec = specOf('full-store.xml');
    assert.deepEqual(planClient('acme-paris-11', spec), planClient('acme-paris-11', spec));
  });
});
