/**
 * What a model's person scores mean to the tracker: the one set of thresholds that the live
 * detector and `vigie replay` both build their analyser from, so that a recording replays as the
 * camera analysed it.
 */

import type { TrackerOptions } from './tracker.js';

/** A model's calibration: where its detections are dropped, matched and start tracks. */
export interface ModelCalibration {
  /** Detections under this score are dropped before tracking. */
  readonly minScore: number;
  readonly tracker: Pick<TrackerOptions, 'highScore' | 'lowScore' | 'newTrackScore'>;
}

/**
 * MoveNet MultiPose, the default model, measured on real footage (vtest.avi's tuning half,
 * people 40-130 px tall under a high camera, at the default region budget): the people it finds
 * score 0.18 to 0.39 (10th to 90th percentile), and most of what it finds that is no person
 * scores under 0.15. Close-up photographs score higher (0.4 to 0.5), so thresholds tuned on them
 * miss almost everyone under a real camera.
 */
export const MOVENET_CALIBRATION: ModelCalibration = {
  minScore: 0.1,
  tracker: { highScore: 0.15, lowScore: 0.1, newTrackScore: 0.15 },
};

/**
 * A YOLO pose export in ONNX: confident detections score 0.8, and the YOLO family's usual
 * thresholds apply.
 */
export const YOLO_POSE_CALIBRATION: ModelCalibration = {
  minScore: 0.25,
  tracker: { highScore: 0.5, lowScore: 0.1, newTrackScore: 0.6 },
};
