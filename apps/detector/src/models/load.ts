/** Loads the model a camera's plan names: the bundled MoveNet, or a client's ONNX model. */

import { errorMessage, type RuntimeCode } from '@vigie/log';
import type { CameraPlan } from '@vigie/plan';
import type { PoseModel } from './model.js';
import { createMoveNet } from './movenet.js';
import { createOnnxPoseModel, fetchModel, ModelError } from './onnx.js';

/** Options of {@link loadPoseModel}. */
export interface LoadModelOptions {
  /** Where fetched ONNX models are kept, by digest. */
  readonly cacheDir: string;
  readonly threads?: number;
}

/** The camera's model, or why it cannot be used, with a stable code. */
export async function loadPoseModel(
  plan: CameraPlan['model'],
  options: LoadModelOptions,
): Promise<PoseModel | { readonly code: RuntimeCode; readonly message: string }> {
  try {
    if (plan.kind === 'default') return await createMoveNet({ threads: options.threads ?? 1 });
    const path = await fetchModel(plan, { cacheDir: options.cacheDir });
    return await createOnnxPoseModel(plan, path, { threads: options.threads ?? 1 });
  } catch (e) {
    if (e instanceof ModelError) return { code: e.code, message: e.message };
    return {
      code: plan.kind === 'default' ? 'VIGIE_E_MODEL_LOAD' : 'VIGIE_E_MODEL_INVALID',
      message: errorMessage(e),
    };
  }
}
