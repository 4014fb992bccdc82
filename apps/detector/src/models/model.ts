/**
 * The one interface every person-and-pose model sits behind: an RGB frame in, persons with a
 * box, a score and 17 COCO keypoints out, in the frame's own pixels.
 */

import type { Box, PersonPose, TrackerOptions } from '@vigie/vision';

/** A decoded frame: packed 8-bit RGB, row by row. */
export interface RgbFrame {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** A person-and-pose model. */
export interface PoseModel {
  /** For logs and metrics, such as `movenet-multipose` or `onnx:yolo@640`. */
  readonly name: string;
  /**
   * The tracker's score thresholds for this model: models disagree on what a person score
   * means (MoveNet's confident detections score 0.4, a YOLO's 0.8).
   */
  readonly trackerScores: Pick<TrackerOptions, 'highScore' | 'lowScore' | 'newTrackScore'>;
  /**
   * Finds the persons in a frame, or only in `region` of it, scaled to that region's input
   * size; results are in the frame's pixels either way.
   */
  detect(frame: RgbFrame, region?: ModelRegion): Promise<PersonPose[]>;
  dispose(): void;
}

/** A crop of a frame and the model input it is scaled to (multiples of 32). */
export interface ModelRegion {
  readonly box: Box;
  readonly inputWidth: number;
  readonly inputHeight: number;
}

/**
 * How a frame is fitted into a square model input without distortion: scaled to fit, centred,
 * and padded. The inverse maps the model's coordinates back to the frame's pixels.
 */
export interface Letterbox {
  readonly size: number;
  readonly scale: number;
  readonly padX: number;
  readonly padY: number;
}

/** The letterbox that fits a `width` × `height` frame into a `size` × `size` input. */
export function letterbox(width: number, height: number, size: number): Letterbox {
  const scale = Math.min(size / width, size / height);
  return {
    size,
    scale,
    padX: (size - Math.round(width * scale)) / 2,
    padY: (size - Math.round(height * scale)) / 2,
  };
}

/** Maps a point in input pixels back to frame pixels. */
export function fromInput(box: Letterbox, x: number, y: number): [number, number] {
  return [(x - box.padX) / box.scale, (y - box.padY) / box.scale];
}

/** The pixels of `box` (integer edges inside the frame) as a frame of their own. */
export function cropFrame(frame: RgbFrame, box: Box): RgbFrame {
  const x1 = Math.max(0, Math.floor(box[0]));
  const y1 = Math.max(0, Math.floor(box[1]));
  const x2 = Math.min(frame.width, Math.ceil(box[2]));
  const y2 = Math.min(frame.height, Math.ceil(box[3]));
  const width = Math.max(1, x2 - x1);
  const height = Math.max(1, y2 - y1);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((y1 + y) * frame.width + x1) * 3;
    data.set(frame.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { data, width, height };
}

/** Moves persons found in a crop back into the frame's pixels. */
export function offsetPersons(
  persons: readonly PersonPose[],
  dx: number,
  dy: number,
): PersonPose[] {
  return persons.map((p) => ({
    ...p,
    box: [p.box[0] + dx, p.box[1] + dy, p.box[2] + dx, p.box[3] + dy],
    keypoints: p.keypoints.map(([x, y, s]) => [x + dx, y + dy, s]),
  }));
}
