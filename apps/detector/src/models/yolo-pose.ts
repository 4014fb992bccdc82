/**
 * Reading a YOLO pose model's output (Ultralytics YOLOv8/YOLO11 `-pose` exports): one tensor of
 * shape [1, 56, N], one column per candidate: box centre, width and height, person score, then
 * 17 keypoints as x, y and visibility, all in input pixels. Candidates are thresholded and
 * de-duplicated by non-maximum suppression. Pure, so that it is tested on its own.
 */

import type { Box, Keypoint, PersonPose } from '@vigie/vision';
import { iou } from '@vigie/vision';
import type { Letterbox } from './model.js';
import { fromInput } from './model.js';

/** Rows of a YOLO pose output: 4 box values, 1 score, 17 × 3 keypoint values. */
export const YOLO_POSE_ROWS = 56;

/** Reads persons from a [1, 56, N] output laid out row-major, in the frame's pixels. */
export function yoloPosePersons(
  output: Float32Array,
  candidates: number,
  box: Letterbox,
  options: { readonly minScore: number; readonly maxIou: number; readonly maxPersons?: number },
): PersonPose[] {
  if (output.length !== YOLO_POSE_ROWS * candidates) {
    throw new Error(
      `a YOLO pose output holds ${String(YOLO_POSE_ROWS)} × N values, not ${String(output.length)}`,
    );
  }
  const at = (row: number, i: number): number => output[row * candidates + i] ?? 0;
  const found: { score: number; input: Box; i: number }[] = [];
  for (let i = 0; i < candidates; i++) {
    const score = at(4, i);
    if (!(score >= options.minScore)) continue;
    const cx = at(0, i);
    const cy = at(1, i);
    const w = at(2, i);
    const h = at(3, i);
    found.push({ score, input: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], i });
  }
  found.sort((a, b) => b.score - a.score);
  const kept: typeof found = [];
  for (const candidate of found) {
    if (kept.some((k) => iou(k.input, candidate.input) > options.maxIou)) continue;
    kept.push(candidate);
    if (kept.length >= (options.maxPersons ?? 100)) break;
  }
  return kept.map(({ score, input, i }) => {
    const [x1, y1] = fromInput(box, input[0], input[1]);
    const [x2, y2] = fromInput(box, input[2], input[3]);
    const keypoints: Keypoint[] = [];
    for (let k = 0; k < 17; k++) {
      const [x, y] = fromInput(box, at(5 + k * 3, i), at(6 + k * 3, i));
      keypoints.push([x, y, Math.min(1, Math.max(0, at(7 + k * 3, i)))]);
    }
    return { box: [x1, y1, x2, y2], score, keypoints };
  });
}
