import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '@vigie/log';
import type { CameraPlan, DetectorConfig } from '@vigie/plan';
import { MOVENET_CALIBRATION } from '@vigie/vision';
import { createDetectorMetrics } from './metrics.js';
import type { ModelRegistryOptions, OnnxModelPlan } from './model-registry.js';
import { createModelRegistry } from './model-registry.js';
import type { PoseModel } from './models/model.js';
import { ModelError } from './models/onnx.js';
import { demoCamera, demoConfig } from './testing/demo-config.js';

/** A model that finds nobody, and says when it is freed. */
function fakeModel(name: string, disposed: string[]): PoseModel {
  return {
    name,
    trackerScores: MOVENET_CALIBRATION.tracker,
    detect: () => Promise.resolve([]),
    dispose() {
      disposed.push(name);
    },
  };
}

/** A registry whose loaders count their calls and make fake models (or fail as told). */
function registry(loaders: Partial<Pick<ModelRegistryOptions, 'loadDefault' | 'loadCustom'>> = {}) {
  const loads: string[] = [];
  const disposed: string[] = [];
  const metrics = createDetectorMetrics();
  const models = createModelRegistry({
    dataDir: '/nonexistent',
    threads: 1,
    metrics,
    log: silentLogger,
    loadDefault: (options) => {
      loads.push('default');
      return loaders.loadDefault?.(options) ?? Promise.resolve(fakeModel('movenet', disposed));
    },
    loadCustom: (plan) => {
      loads.push(`${plan.id}@${String(plan.inputSize)}`);
      return loaders.loadCustom?.(plan) ?? Promise.resolve(fakeModel(plan.id, disposed));
    },
  });
  return { models, loads, disposed, metrics };
}

const base = demoConfig();
const video = demoCamera({ id: 'door', stream: { url: 'rtsp://door/live', transport: 'tcp' } });
const recording = demoCamera({
  id: 'aisle',
  stream: { url: 'file:///demo/aisle.poses.jsonl', transport: 'tcp' },
});
const onnx: OnnxModelPlan = {
  kind: 'onnx',
  id: 'shop-pose',
  uri: 'https://models.example/pose.onnx',
  sha256: 'ab'.repeat(32),
  format: 'yolo-pose',
  inputSize: 640,
};
const withCameras = (...cameras: CameraPlan[]): DetectorConfig => ({ ...base, cameras });

describe('model registry', () => {
  it('loads no model for a shard of pose recordings, and is ready', async () => {
    const { models, loads } = registry();
    const config = withCameras(recording);
    await models.prepare(config);
    assert.deepEqual(loads, []);
    assert.deepEqual(models.readiness(config), { ready: true });
  });

  it('loads the default model once, shares it between cameras, and is ready once it is loaded', async () => {
    const { models, loads, metrics } = registry();
    const config = withCameras(video, { ...video, id: 'till' });
    assert.deepEqual(models.readiness(config), { ready: false, reason: 'loading the model' });
    await models.prepare(config);
    await models.prepare(config);
    assert.deepEqual(loads, ['default']);
    const [a, b] = await Promise.all(config.cameras.map((c) => models.modelFor(c)));
    assert.ok(a && 'detect' in a);
    assert.equal(a, b);
    assert.deepEqual(models.readiness(config), { ready: true });
    assert.match(
      await metrics.registry.metrics(),
      new RegExp(
        `vigie_detector_info\\{client="${base.client}",shard="${base.shard}",model="movenet"\\} 1`,
      ),
    );
  });

  it('reports a default model that does not load to its cameras and the readiness probe, without retrying', async () => {
    const { models, loads } = registry({
      loadDefault: () => Promise.reject(new Error('wasm backend missing')),
    });
    const config = withCameras(video);
    await models.prepare(config);
    await models.prepare(config);
    assert.deepEqual(loads, ['default']);
    assert.deepEqual(await models.modelFor(video), {
      code: 'VIGIE_E_MODEL_LOAD',
      message: 'wasm backend missing',
    });
    assert.deepEqual(models.readiness(config), { ready: false, reason: 'wasm backend missing' });
  });

  it('loads a custom model once per digest and input size', async () => {
    const { models, loads } = registry();
    const first = await models.modelFor({ ...video, model: onnx });
    const again = await models.modelFor({ ...video, id: 'till', model: onnx });
    assert.ok('detect' in first);
    assert.equal(first, again);
    await models.modelFor({ ...video, model: { ...onnx, inputSize: 320 } });
    assert.deepEqual(loads, ['shop-pose@640', 'shop-pose@320']);
  });

  it("keeps a custom model's failure with its code, and does not fetch it again", async () => {
    const { models, loads } = registry({
      loadCustom: (plan) =>
        plan.inputSize === 640
          ? Promise.reject(
              new ModelError('VIGIE_E_MODEL_SHA256_MISMATCH', 'the file has another digest'),
            )
          : Promise.reject(new Error('not an ONNX file')),
    });
    const camera = { ...video, model: onnx };
    const mismatch = {
      code: 'VIGIE_E_MODEL_SHA256_MISMATCH',
      message: 'the file has another digest',
    };
    assert.deepEqual(await models.modelFor(camera), mismatch);
    assert.deepEqual(await models.modelFor(camera), mismatch);
    assert.deepEqual(await models.modelFor({ ...video, model: { ...onnx, inputSize: 320 } }), {
      code: 'VIGIE_E_MODEL_INVALID',
      message: 'not an ONNX file',
    });
    assert.deepEqual(loads, ['shop-pose@640', 'shop-pose@320']);
  });

  it('frees every loaded model when disposed', async () => {
    const { models, disposed } = registry();
    await models.prepare(withCameras(video));
    await models.modelFor({ ...video, model: onnx });
    models.dispose();
    assert.deepEqual(disposed.sort(), ['movenet', 'shop-pose']);
  });
});
