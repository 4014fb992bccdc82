/**
 * What a pose says about a person's body in one frame: where they stand, whether a hand reaches
 * into a zone that holds goods, and whether a hand is at the body (pocket, waistband, bag area).
 * Pure geometry on the 17 keypoints; every threshold is relative to the person's own torso, so
 * that it holds near the camera and far from it.
 */

import type { PixelZone, Point } from './geometry.js';
import { distance, holdsGoods, pointInPolygon } from './geometry.js';
import type { PersonPose } from './pose.js';
import { K } from './pose.js';

/** Keypoints below this score are not trusted. */
export const MIN_KEYPOINT_SCORE = 0.3;

/** A hand, as the rules speak of it. */
export type Hand = 'left' | 'right';

/** The two hands, in a fixed order. */
export const HANDS: readonly Hand[] = ['left', 'right'];

/** The torso's frame of reference, or nothing when the shoulders and hips are not all visible. */
export interface Torso {
  readonly shoulderMid: Point;
  readonly hipMid: Point;
  /** Shoulder-to-hip distance in pixels: the person's own unit of length. */
  readonly length: number;
  readonly hipHalfWidth: number;
  readonly shoulderHalfWidth: number;
  /** The torso's outline: left shoulder, right shoulder, right hip, left hip. */
  readonly outline: readonly Point[];
}

function point(pose: PersonPose, index: number): Point | undefined {
  const kp = pose.keypoints[index];
  if (kp === undefined || kp[2] < MIN_KEYPOINT_SCORE) return undefined;
  return [kp[0], kp[1]];
}

/** The torso of a pose, when its four corners are visible. */
export function torsoOf(pose: PersonPose): Torso | undefined {
  const ls = point(pose, K.left_shoulder);
  const rs = point(pose, K.right_shoulder);
  const lh = point(pose, K.left_hip);
  const rh = point(pose, K.right_hip);
  if (!ls || !rs || !lh || !rh) return undefined;
  const shoulderMid: Point = [(ls[0] + rs[0]) / 2, (ls[1] + rs[1]) / 2];
  const hipMid: Point = [(lh[0] + rh[0]) / 2, (lh[1] + rh[1]) / 2];
  const length = Math.hypot(shoulderMid[0] - hipMid[0], shoulderMid[1] - hipMid[1]);
  if (length < 1) return undefined;
  return {
    shoulderMid,
    hipMid,
    length,
    hipHalfWidth: Math.abs(lh[0] - rh[0]) / 2,
    shoulderHalfWidth: Math.abs(ls[0] - rs[0]) / 2,
    outline: [ls, rs, rh, lh],
  };
}

/**
 * Where the person stands: between the ankles when they are visible, else the bottom centre of
 * the box. Zones drawn on the floor are judged from this point.
 */
export function footPoint(pose: PersonPose): Point {
  const la = point(pose, K.left_ankle);
  const ra = point(pose, K.right_ankle);
  if (la && ra) return [(la[0] + ra[0]) / 2, (la[1] + ra[1]) / 2];
  const [x1, , x2, y2] = pose.box;
  return [(x1 + x2) / 2, y2];
}

/**
 * The zones a person is in. A zone drawn over the floor holds a person whose feet
 * ({@link footPoint}) are inside it: under a high camera, the hips of someone walking in front of
 * a floor zone lie over it, so they do not count. A zone drawn over a counter holds a person whose
 * feet or hips (the midpoint of the hip keypoints) are inside it, because the counter hides the
 * feet of whoever stands at it.
 */
export function zonesPresent(pose: PersonPose, zones: readonly PixelZone[]): PixelZone[] {
  const foot = footPoint(pose);
  const torso = torsoOf(pose);
  return zones.filter((z) => {
    if (pointInPolygon(foot, z.polygon)) return true;
    const surface = z.surface ?? 'floor';
    switch (surface) {
      case 'floor':
        return false;
      case 'counter':
        return torso !== undefined && pointInPolygon(torso.hipMid, z.polygon);
    }
  });
}

function wristOf(pose: PersonPose, hand: Hand): Point | undefined {
  return point(pose, hand === 'left' ? K.left_wrist : K.right_wrist);
}

function shoulderOf(pose: PersonPose, hand: Hand): Point | undefined {
  return point(pose, hand === 'left' ? K.left_shoulder : K.right_shoulder);
}

function elbowAngle(pose: PersonPose, hand: Hand): number | undefined {
  const s = shoulderOf(pose, hand);
  const e = point(pose, hand === 'left' ? K.left_elbow : K.right_elbow);
  const w = wristOf(pose, hand);
  if (!s || !e || !w) return undefined;
  return angleBetween([s[0] - e[0], s[1] - e[1]], [w[0] - e[0], w[1] - e[1]]);
}

/** The angle between two vectors, in degrees; `undefined` when either is zero. */
function angleBetween(a: Point, b: Point): number | undefined {
  const na = Math.hypot(a[0], a[1]);
  const nb = Math.hypot(b[0], b[1]);
  if (na === 0 || nb === 0) return undefined;
  const cos = Math.max(-1, Math.min(1, (a[0] * b[0] + a[1] * b[1]) / (na * nb)));
  return (Math.acos(cos) * 180) / Math.PI;
}

/**
 * How far a reaching wrist must be from its own shoulder, in torso lengths. A relaxed forearm
 * held in front of the body puts the wrist about half a torso length from the shoulder; an arm
 * stretched to a shelf, well over one.
 */
export const REACH_MIN_EXTENSION = 0.6;

/**
 * The least shoulder-to-wrist distance of a reach, in frame pixels, however small the person.
 * MoveNet's heatmaps have an output stride of 4 input pixels: at its default 256-pixel input on a
 * 768-pixel-wide frame, one heatmap cell spans 12 frame pixels, so a smaller movement of one
 * keypoint is within the model's own error on people 60 to 130 pixels tall.
 */
export const REACH_MIN_PIXELS = 12;

/**
 * How far the arm must be lifted from hanging for a reach, in degrees: the angle between the
 * shoulder-to-wrist line and the torso's downward axis (shoulders to hips). An arm hanging or
 * swinging while walking stays well under it; an arm held out sideways is at 90, raised to a shelf
 * above the shoulders at 120 to 180.
 */
export const REACH_MIN_LIFT_DEGREES = 60;

/**
 * The least elbow angle of a reach, in degrees, when the elbow is visible: 180 is a straight
 * arm. A hand brought to the face, shoulder or chest folds the elbow well under it.
 */
export const REACH_MIN_ELBOW_DEGREES = 100;

/**
 * The goods zone a hand reaches into, if any. A reach is an arm extended away from the body into
 * a shelf or high-value zone, judged in the person's own scale so that it holds near the camera
 * and far from it. Every one of these must hold:
 *
 * - the wrist, its shoulder and the torso are visible, and the wrist is inside the goods zone;
 * - the wrist is outside the torso (the quadrilateral of shoulders and hips);
 * - the wrist is at least {@link REACH_MIN_EXTENSION} torso lengths, and at least
 *   {@link REACH_MIN_PIXELS} pixels, from its shoulder;
 * - the arm is lifted at least {@link REACH_MIN_LIFT_DEGREES} from hanging;
 * - the elbow, when visible, is open by at least {@link REACH_MIN_ELBOW_DEGREES}.
 *
 * A hand hanging at the side, swinging while walking, or held at the chest is not a reach, even
 * when the zone is drawn over the person.
 */
export function reachedZone(
  pose: PersonPose,
  hand: Hand,
  zones: readonly PixelZone[],
): PixelZone | undefined {
  const wrist = wristOf(pose, hand);
  const shoulder = shoulderOf(pose, hand);
  const torso = torsoOf(pose);
  if (!wrist || !shoulder || !torso) return undefined;
  const zone = zones.find((z) => holdsGoods(z) && pointInPolygon(wrist, z.polygon));
  if (!zone) return undefined;
  if (pointInPolygon(wrist, torso.outline)) return undefined;
  const extension = distance(wrist, shoulder);
  if (extension < Math.max(REACH_MIN_EXTENSION * torso.length, REACH_MIN_PIXELS)) return undefined;
  const down: Point = [
    torso.hipMid[0] - torso.shoulderMid[0],
    torso.hipMid[1] - torso.shoulderMid[1],
  ];
  const lift = angleBetween([wrist[0] - shoulder[0], wrist[1] - shoulder[1]], down);
  if (lift === undefined || lift < REACH_MIN_LIFT_DEGREES) return undefined;
  const elbow = elbowAngle(pose, hand);
  if (elbow !== undefined && elbow < REACH_MIN_ELBOW_DEGREES) return undefined;
  return zone;
}

/**
 * Whether a hand's reach can be judged in this frame: its wrist, its shoulder and the torso are
 * visible. When they are, {@link reachedZone} returning nothing means the hand is not reaching.
 */
export function handSeen(pose: PersonPose, hand: Hand): boolean {
  return (
    wristOf(pose, hand) !== undefined &&
    shoulderOf(pose, hand) !== undefined &&
    torsoOf(pose) !== undefined
  );
}

/** How far beyond the hips, sideways, a wrist at the body may be, in torso lengths. */
export const AT_BODY_SIDE_MARGIN = 0.12;
/** How far above the hips a wrist at the body may be, in torso lengths (the lower torso). */
export const AT_BODY_ABOVE_HIPS = 0.45;
/** How far below the hips a wrist at the body may be, in torso lengths (the hip pockets). */
export const AT_BODY_BELOW_HIPS = 0.3;
/** The widest elbow angle of a hand at the body, in degrees: a hanging arm is straighter. */
export const AT_BODY_MAX_ELBOW_DEGREES = 155;

/**
 * Whether a hand is at the body: the wrist is over the lower torso or the hip pockets (within
 * {@link AT_BODY_SIDE_MARGIN} torso lengths beyond the hips sideways, from
 * {@link AT_BODY_ABOVE_HIPS} above the hips to {@link AT_BODY_BELOW_HIPS} below them), and the
 * elbow is bent (under {@link AT_BODY_MAX_ELBOW_DEGREES}). A relaxed arm hangs outside the hips
 * with a straight elbow, and a hand holding an item up to look at it is above this region.
 * `undefined` when the keypoints needed are not visible in this frame: unknown, which is not the
 * same as "no".
 */
export function handAtBody(pose: PersonPose, hand: Hand): boolean | undefined {
  const wrist = wristOf(pose, hand);
  const torso = torsoOf(pose);
  if (!wrist || !torso) return undefined;
  const dx = Math.abs(wrist[0] - torso.hipMid[0]);
  const dy = wrist[1] - torso.hipMid[1];
  if (dx > torso.hipHalfWidth + AT_BODY_SIDE_MARGIN * torso.length) return false;
  if (dy < -AT_BODY_ABOVE_HIPS * torso.length || dy > AT_BODY_BELOW_HIPS * torso.length) {
    return false;
  }
  const angle = elbowAngle(pose, hand);
  return angle === undefined ? undefined : angle < AT_BODY_MAX_ELBOW_DEGREES;
}

/** The mean score of a pose's keypoints: how far its evidence can be trusted. */
export function poseConfidence(pose: PersonPose): number {
  let sum = 0;
  for (const kp of pose.keypoints) sum += kp[2];
  return pose.keypoints.length === 0 ? 0 : sum / pose.keypoints.length;
}
