/**
 * What a pose says about a person's body in one frame: where they stand, whether a hand reaches
 * into a zone that holds goods, and whether a hand is at the body (pocket, waistband, bag area).
 * Pure geometry on the 17 keypoints; every threshold is relative to the person's own torso, so
 * that it holds near the camera and far from it.
 */

import type { PixelZone, Point } from './geometry.js';
import { holdsGoods, pointInPolygon } from './geometry.js';
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
 * The zones a person is in: those holding their feet or their hips, so that both zones drawn on
 * the floor and zones drawn over a counter work.
 */
export function zonesPresent(pose: PersonPose, zones: readonly PixelZone[]): PixelZone[] {
  const foot = footPoint(pose);
  const torso = torsoOf(pose);
  return zones.filter(
    (z) =>
      pointInPolygon(foot, z.polygon) ||
      (torso !== undefined && pointInPolygon(torso.hipMid, z.polygon)),
  );
}

function wristOf(pose: PersonPose, hand: Hand): Point | undefined {
  return point(pose, hand === 'left' ? K.left_wrist : K.right_wrist);
}

function elbowAngle(pose: PersonPose, hand: Hand): number | undefined {
  const s = point(pose, hand === 'left' ? K.left_shoulder : K.right_shoulder);
  const e = point(pose, hand === 'left' ? K.left_elbow : K.right_elbow);
  const w = wristOf(pose, hand);
  if (!s || !e || !w) return undefined;
  const a: Point = [s[0] - e[0], s[1] - e[1]];
  const b: Point = [w[0] - e[0], w[1] - e[1]];
  const na = Math.hypot(a[0], a[1]);
  const nb = Math.hypot(b[0], b[1]);
  if (na === 0 || nb === 0) return undefined;
  const cos = Math.max(-1, Math.min(1, (a[0] * b[0] + a[1] * b[1]) / (na * nb)));
  return (Math.acos(cos) * 180) / Math.PI;
}

/**
 * The goods zone a hand reaches into, if any. A hand hanging at the side is not a reach, even
 * when the zone is drawn over the person: the wrist must be raised above the lower torso, or held
 * out clearly beyond the shoulders.
 */
export function reachedZone(
  pose: PersonPose,
  hand: Hand,
  zones: readonly PixelZone[],
): PixelZone | undefined {
  const wrist = wristOf(pose, hand);
  const torso = torsoOf(pose);
  if (!wrist || !torso) return undefined;
  const raised = wrist[1] < torso.hipMid[1] - 0.4 * torso.length;
  const outstretched =
    Math.abs(wrist[0] - torso.shoulderMid[0]) > torso.shoulderHalfWidth + 0.45 * torso.length;
  if (!raised && !outstretched) return undefined;
  return zones.find((z) => holdsGoods(z) && pointInPolygon(wrist, z.polygon));
}

/**
 * Whether a hand is at the body: the wrist is over the lower torso or the hip pockets, and the
 * elbow is bent. A relaxed arm hangs outside the hips with a straight elbow, and a hand holding
 * an item up to look at it is above this region. `undefined` when the keypoints needed are not
 * visible in this frame: unknown, which is not the same as "no".
 */
export function handAtBody(pose: PersonPose, hand: Hand): boolean | undefined {
  const wrist = wristOf(pose, hand);
  const torso = torsoOf(pose);
  if (!wrist || !torso) return undefined;
  const dx = Math.abs(wrist[0] - torso.hipMid[0]);
  const dy = wrist[1] - torso.hipMid[1];
  if (dx > torso.hipHalfWidth + 0.12 * torso.length) return false;
  if (dy < -0.45 * torso.length || dy > 0.3 * torso.length) return false;
  const angle = elbowAngle(pose, hand);
  return angle === undefined ? undefined : angle < 155;
}

/** The mean score of a pose's keypoints: how far its evidence can be trusted. */
export function poseConfidence(pose: PersonPose): number {
  let sum = 0;
  for (const kp of pose.keypoints) sum += kp[2];
  return pose.keypoints.length === 0 ? 0 : sum / pose.keypoints.length;
}
