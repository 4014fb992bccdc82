/**
 * The one interface every person-and-pose model sits behind: an RGB frame in, persons with a
 * box, a score and 17 COCO keypoints out, in the frame's own pixels.
 */

import type { PersonPose, TrackerOptions } from '@vigie/vision';

/** A decoded frame: packed 8-bit RGB, row by row. */
export interface RgbFrame {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** A person-and-pose model. */
export interface PoseModel {
  /** For logs and metrics, such as `movenet-multipose@256`. */
  readonly name: string;
  /**
   * The tracker's score thresholds for this model: models disagree on what a person score
   * means (MoveNet's confident detections score 0.4, a YOLO's 0.8).
   */
  readonly trackerScores: Pick<TrackerOptions, 'highScore' | 'lowScore' | 'newTrackScore'>;
  detect(frame: RgbFrame): Promise<PersonPose[]>;
  dispose(): void;
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
