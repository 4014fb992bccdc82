/**
 * The shard's pose models. The default model (MoveNet) is shared by the cameras that use it and
 * loads once, only if one does. A client's ONNX model is fetched, verified and loaded once per
 * digest and input size. A model that cannot be loaded is kept as its failure, with a stable
 * code, which the cameras that name it report; it is not retried until the detector restarts.
 */

import { join } from 'node:path';
import type { Logger, RuntimeCode } from '@vigie/log';
import { errorMessage } from '@vigie/log';
import type { CameraPlan, DetectorConfig } from '@vigie/plan';
import type { DetectorMetrics } from './metrics.js';
import type { PoseModel } from './models/model.js';
import { createMoveNet, type MoveNetOptions } from './models/movenet.js';
import { createOnnxPoseModel, fetchModel, ModelError } from './models/onnx.js';
import { isPoseRecording } from './sources.js';

/** Why a camera has no model, with a stable code for its status. */
export interface ModelFailure {
  readonly code: RuntimeCode;
  readonly message: string;
}

/** A camera's custom model, as the plan names it. */
export type OnnxModelPlan = Extract<CameraPlan['model'], { kind: 'onnx' }>;

/** Options of {@link createModelRegistry}. */
export interface ModelRegistryOptions {
  /** Downloaded custom models are cached in `DATA_DIR/models`. */
  readonly dataDir: string;
  /** Inference threads per model. */
  readonly threads: number;
  readonly metrics: DetectorMetrics;
  readonly log: Logger;
  /** Loads the default model (default: MoveNet). */
  readonly loadDefault?: (options: MoveNetOptions) => Promise<PoseModel>;
  /** Fetches, verifies and loads a custom model (default: from its URI, through the cache). */
  readonly loadCustom?: (plan: OnnxModelPlan) => Promise<PoseModel>;
}

/** Whether the shard can analyse what its config asks, or why not yet. */
export type Readiness =
  { readonly ready: true } | { readonly ready: false; readonly reason: string };

/** The shard's models. */
export interface ModelRegistry {
  /** Loads the default model if `config` has a camera that needs it and it was not tried yet. */
  prepare(config: DetectorConfig): Promise<void>;
  /** The model a camera runs, or why it has none. */
  modelFor(camera: CameraPlan): Promise<PoseModel | ModelFailure>;
  /** Ready once the default model is loaded, where `config` needs it. */
  readiness(config: DetectorConfig): Readiness;
  /** Frees every loaded model. */
  dispose(): void;
}

/** Whether a config has a camera that runs the default model (pose recordings run none). */
export function needsDefaultModel(config: DetectorConfig): boolean {
  return config.cameras.some(
    (camera) => camera.model.kind === 'default' && !isPoseRecording(camera.stream.url),
  );
}

function failure(e: unknown, code: RuntimeCode): ModelFailure {
  if (e instanceof ModelError) return { code: e.code, message: e.message };
  return { code, message: errorMessage(e) };
}

/** Creates the shard's model registry; nothing loads until {@link ModelRegistry.prepare}. */
export function createModelRegistry(options: ModelRegistryOptions): ModelRegistry {
  const { log, metrics, threads } = options;
  const loadDefault = options.loadDefault ?? createMoveNet;
  const loadCustom =
    options.loadCustom ??
    (async (plan: OnnxModelPlan): Promise<PoseModel> => {
      const path = await fetchModel(plan, { cacheDir: join(options.dataDir, 'models') });
      return createOnnxPoseModel(plan, path, { threads });
    });
  let model: PoseModel | undefined;
  let modelError: ModelFailure | undefined;
  const custom = new Map<string, PoseModel | ModelFailure>();

  async function customModel(plan: OnnxModelPlan): Promise<PoseModel | ModelFailure> {
    const key = `${plan.sha256}@${String(plan.inputSize)}`;
    const known = custom.get(key);
    if (known) return known;
    let loaded: PoseModel | ModelFailure;
    try {
      loaded = await loadCustom(plan);
      log('INFO', 'custom model loaded', { model: plan.id, sha256: plan.sha256 });
    } catch (e) {
      loaded = failure(e, 'VIGIE_E_MODEL_INVALID');
      log('ERROR', 'custom model not usable', { model: plan.id, ...loaded });
    }
    custom.set(key, loaded);
    return loaded;
  }

  return {
    async prepare(config) {
      if (model || modelError || !needsDefaultModel(config)) return;
      try {
        model = await loadDefault({
          threads,
          onInference: (s) => {
            metrics.stageSeconds.observe({ stage: 'inference' }, s);
          },
        });
        metrics.info.set({ client: config.client, shard: config.shard, model: model.name }, 1);
        log('INFO', 'model loaded', { model: model.name });
      } catch (e) {
        modelError = {
          code: 'VIGIE_E_MODEL_LOAD',
          message: errorMessage(e),
        };
        log('ERROR', 'the default model did not load', { ...modelError });
      }
    },
    modelFor(camera) {
      if (camera.model.kind === 'onnx') return customModel(camera.model);
      return Promise.resolve(
        model ?? modelError ?? { code: 'VIGIE_E_MODEL_LOAD', message: 'the model is not loaded' },
      );
    },
    readiness(config) {
      if (!needsDefaultModel(config) || model !== undefined) return { ready: true };
      return { ready: false, reason: modelError?.message ?? 'loading the model' };
    },
    dispose() {
      model?.dispose();
      for (const loaded of custom.values()) if ('detect' in loaded) loaded.dispose();
    },
  };
}
