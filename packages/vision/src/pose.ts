/**
 * Pose frames: what a person-and-pose model sees in one frame, in original-frame pixels. This is
 * also the line format of `POSES.jsonl`, which `vigie replay` reads and the simulator writes.
 */

import { errorMessage } from '@vigie/log';

/** A keypoint: x and y in pixels, and the model's confidence in [0, 1]. */
export type Keypoint = readonly [x: number, y: number, score: number];

/** A box: top-left and bottom-right corners in pixels. */
export type Box = readonly [x1: number, y1: number, x2: number, y2: number];

/** One detected person: a box, a score and 17 keypoints in COCO order. */
export interface PersonPose {
  readonly box: Box;
  readonly score: number;
  readonly keypoints: readonly Keypoint[];
}

/** One analysed frame: its time in seconds, its size and the persons in it. */
export interface PoseFrame {
  readonly t: number;
  readonly width: number;
  readonly height: number;
  readonly persons: readonly PersonPose[];
}

/** The 17 COCO keypoints, in model output order. */
export const KEYPOINTS = [
  'nose',
  'left_eye',
  'right_eye',
  'left_ear',
  'right_ear',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
] as const;

/** A keypoint's name. */
export type KeypointName = (typeof KEYPOINTS)[number];

/** Index of each keypoint by name, for readable access: `person.keypoints[K.left_wrist]`. */
export const K = Object.fromEntries(KEYPOINTS.map((name, i) => [name, i])) as {
  readonly [N in KeypointName]: number;
};

/** The bones drawn between keypoints, as index pairs: limbs, shoulders and hips. */
export const SKELETON: readonly (readonly [number, number])[] = [
  [K.left_shoulder, K.right_shoulder],
  [K.left_shoulder, K.left_elbow],
  [K.left_elbow, K.left_wrist],
  [K.right_shoulder, K.right_elbow],
  [K.right_elbow, K.right_wrist],
  [K.left_shoulder, K.left_hip],
  [K.right_shoulder, K.right_hip],
  [K.left_hip, K.right_hip],
  [K.left_hip, K.left_knee],
  [K.left_knee, K.left_ankle],
  [K.right_hip, K.right_knee],
  [K.right_knee, K.right_ankle],
];

/** Most persons one frame may hold; more means the input is not a pose recording. */
export const MAX_PERSONS_PER_FRAME = 500;
/** Largest frame side accepted, in pixels. */
export const MAX_FRAME_SIDE = 16384;

/** A pose frame that cannot be read, with a stable code. */
export interface PoseFrameProblem {
  readonly code: 'VIGIE_E_POSES_JSON' | 'VIGIE_E_POSES_FIELD';
  readonly message: string;
}

/** The result of reading one pose frame. */
export type PoseFrameResult =
  | { readonly ok: true; readonly frame: PoseFrame }
  | { readonly ok: false; readonly problem: PoseFrameProblem };

function fieldProblem(message: string): PoseFrameResult {
  return { ok: false, problem: { code: 'VIGIE_E_POSES_FIELD', message } };
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function readNumbers(value: unknown, length: number): number[] | undefined {
  if (!Array.isArray(value) || value.length !== length) return undefined;
  const out: number[] = [];
  for (const item of value as unknown[]) {
    if (!isFiniteNumber(item)) return undefined;
    out.push(item);
  }
  return out;
}

/**
 * Reads one frame from parsed JSON. Everything is checked, so that a hostile or truncated
 * recording gets a clear problem instead of NaN tracks: sizes, the 17 keypoints, finite numbers.
 */
export function parsePoseFrame(value: unknown): PoseFrameResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fieldProblem('a frame must be a JSON object');
  }
  const record = value as Record<string, unknown>;
  const { t, width, height, persons } = record;

  if (!isFiniteNumber(t) || t < 0) return fieldProblem('"t" must be a number of seconds ≥ 0');
  const side = (v: unknown): v is number => isFiniteNumber(v) && v > 0 && v <= MAX_FRAME_SIDE;
  if (!side(width) || !side(height)) {
    return fieldProblem(`"width" and "height" must be pixels in (0, ${String(MAX_FRAME_SIDE)}]`);
  }
  if (!Array.isArray(persons)) return fieldProblem('"persons" must be an array');
  if (persons.length > MAX_PERSONS_PER_FRAME) {
    return fieldProblem(`a frame holds at most ${String(MAX_PERSONS_PER_FRAME)} persons`);
  }
  const out: PersonPose[] = [];
  for (const [i, person] of (persons as unknown[]).entries()) {
    const where = `persons[${String(i)}]`;
    if (typeof person !== 'object' || person === null)
      return fieldProblem(`${where} must be an object`);
    const p = person as Record<string, unknown>;
    const box = readNumbers(p.box, 4);
    if (box === undefined) return fieldProblem(`${where}.box must be [x1, y1, x2, y2]`);
    const [x1, y1, x2, y2] = box as [number, number, number, number];
    if (x2 < x1 || y2 < y1) return fieldProblem(`${where}.box must have x2 ≥ x1 and y2 ≥ y1`);
    const score = p.score;
    if (!isFiniteNumber(score) || score < 0 || score > 1) {
      return fieldProblem(`${where}.score must be in [0, 1]`);
    }
    if (!Array.isArray(p.keypoints) || p.keypoints.length !== KEYPOINTS.length) {
      return fieldProblem(`${where}.keypoints must hold 17 [x, y, score] triples in COCO order`);
    }
    const keypoints: Keypoint[] = [];
    for (const [k, raw] of (p.keypoints as unknown[]).entries()) {
      const kp = readNumbers(raw, 3);
      if (kp === undefined || (kp[2] ?? -1) < 0 || (kp[2] ?? 2) > 1) {
        return fieldProblem(`${where}.keypoints[${String(k)}] must be [x, y, score in [0, 1]]`);
      }
      keypoints.push(kp as unknown as Keypoint);
    }
    out.push({ box: [x1, y1, x2, y2], score, keypoints });
  }
  return { ok: true, frame: { t, width, height, persons: out } };
}

/** Reads one `POSES.jsonl` line. */
export function parsePoseLine(line: string): PoseFrameResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    const reason = errorMessage(error);
    return { ok: false, problem: { code: 'VIGIE_E_POSES_JSON', message: `not JSON: ${reason}` } };
  }
  return parsePoseFrame(value);
}

const r2 = (n: number): number => Math.round(n * 100) / 100;
const r3 = (n: number): number => Math.round(n * 1000) / 1000;

/**
 * A person as a recording keeps it: pixels to 0.01, scores to 0.001. The live detector analyses
 * persons rounded the same way, so that replaying its recording gives exactly its alerts.
 */
export function roundPose(p: PersonPose): PersonPose {
  return {
    box: [r2(p.box[0]), r2(p.box[1]), r2(p.box[2]), r2(p.box[3])],
    score: r3(p.score),
    keypoints: p.keypoints.map(([x, y, c]): Keypoint => [r2(x), r2(y), r3(c)]),
  };
}

/** Writes one frame as a `POSES.jsonl` line (without the newline), rounding to keep files small. */
export function formatPoseLine(frame: PoseFrame): string {
  return JSON.stringify({
    t: r3(frame.t),
    width: frame.width,
    height: frame.height,
    persons: frame.persons.map(roundPose),
  });
}

/**
 * The first line of a recording made by `vigie poses`: what `vigie replay` needs to analyse it
 * exactly as the camera did. Recordings without it (from the simulator, or converted from a
 * dataset) are replayed with the default model's calibration.
 */
export interface PoseRecordingHeader {
  readonly vigie: 'poses';
  /** The model that found the persons, as the detector names it (`movenet-multipose`, `onnx:ID@SIZE`). */
  readonly model: string;
  /** The tracker thresholds of that model's calibration. */
  readonly tracker: {
    readonly highScore: number;
    readonly lowScore: number;
    readonly newTrackScore: number;
  };
  /** The analysis rate, frames per second. */
  readonly fps: number;
  readonly width: number;
  readonly height: number;
}

/** Reads a recording's header line; `undefined` when the value is not one. */
export function parseRecordingHeader(value: unknown): PoseRecordingHeader | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v.vigie !== 'poses' || typeof v.model !== 'string' || v.model.length > 200) return undefined;
  const tracker = v.tracker as Record<string, unknown> | null | undefined;
  const unit = (x: unknown): x is number => isFiniteNumber(x) && x >= 0 && x <= 1;
  if (
    typeof tracker !== 'object' ||
    tracker === null ||
    !unit(tracker.highScore) ||
    !unit(tracker.lowScore) ||
    !unit(tracker.newTrackScore)
  ) {
    return undefined;
  }
  const side = (x: unknown): x is number => isFiniteNumber(x) && x > 0 && x <= MAX_FRAME_SIDE;
  if (!isFiniteNumber(v.fps) || v.fps <= 0 || v.fps > 120 || !side(v.width) || !side(v.height)) {
    return undefined;
  }
  return {
    vigie: 'poses',
    model: v.model,
    tracker: {
      highScore: tracker.highScore,
      lowScore: tracker.lowScore,
      newTrackScore: tracker.newTrackScore,
    },
    fps: v.fps,
    width: v.width,
    height: v.height,
  };
}

/** A recording's header, when `line` is one (the first line `vigie poses` writes). */
export function readRecordingHeader(line: string): PoseRecordingHeader | undefined {
  if (!line.includes('"vigie"')) return undefined;
  try {
    return parseRecordingHeader(JSON.parse(line));
  } catch {
    return undefined;
  }
}

/** Writes a recording's header line (without the newline). */
export function formatRecordingHeader(header: PoseRecordingHeader): string {
  return JSON.stringify(header);
}
