/**
 * A person's 17 COCO keypoints from a few body parameters: where the feet are, how tall the
 * person appears, the walking phase and where each wrist is. Proportions follow average adult
 * anthropometry, seen from the front; the person's left is on the image's right.
 */

import type { Box, Keypoint, PersonPose, Point } from '@vigie/vision';
import { K } from '@vigie/vision';
import type { Random } from './random.js';

/** Where a hand is, by intent. */
export type ArmPose =
  | { readonly kind: 'relaxed' }
  /** In a trouser pocket or the waistband: over the hip, elbow bent. */
  | { readonly kind: 'pocket' }
  /** Carrying a basket at the side. */
  | { readonly kind: 'basket' }
  /** Holding something up at the chest to look at it. */
  | { readonly kind: 'chest' }
  /** At a point of the frame, such as an item on a shelf. */
  | { readonly kind: 'at'; readonly point: Point };

/** The body's state in one frame. */
export interface Body {
  /** Between the feet, in pixels. */
  readonly foot: Point;
  /** Apparent height in pixels, from ankles to the top of the head. */
  readonly height: number;
  /** Walking phase in radians; legs swing with it. Standing still keeps it constant. */
  readonly phase: number;
  /** Wrist positions in pixels. */
  readonly left: Point;
  readonly right: Point;
}

/** How the camera sees a keypoint set: noise and which keypoints are hidden. */
export interface Rendering {
  /** Keypoint position noise, as a fraction of the person's height. */
  readonly noise: number;
  /** The chance that any one keypoint drops to a low score (flicker). */
  readonly dropout: number;
  /** The detection's score. */
  readonly score: number;
}

const SHOULDER_Y = 0.8;
const HIP_Y = 0.5;
const SHOULDER_HALF = 0.11;
const HIP_HALF = 0.07;
const SEGMENT = 0.19; // upper arm and forearm, each

function side(hand: 'left' | 'right'): number {
  return hand === 'left' ? 1 : -1;
}

/** The shoulder of one side. */
export function shoulderOf(foot: Point, height: number, hand: 'left' | 'right'): Point {
  return [foot[0] + side(hand) * SHOULDER_HALF * height, foot[1] - SHOULDER_Y * height];
}

/** How far a wrist can be from its shoulder. */
export function armReach(height: number): number {
  return 2 * SEGMENT * height * 0.98;
}

/** The wrist position for an arm pose. */
export function wristFor(arm: ArmPose, hand: 'left' | 'right', foot: Point, height: number): Point {
  const s = side(hand);
  const [x, y] = foot;
  switch (arm.kind) {
    case 'relaxed':
      return [x + s * (SHOULDER_HALF + 0.035) * height, y - 0.43 * height];
    case 'pocket':
      return [x + s * (HIP_HALF + 0.01) * height, y - 0.47 * height];
    case 'basket':
      return [x + s * (SHOULDER_HALF + 0.09) * height, y - 0.5 * height];
    case 'chest':
      return [x + s * 0.04 * height, y - 0.72 * height];
    case 'at': {
      // An arm cannot stretch: a target out of reach is touched as far as the arm goes.
      const shoulder = shoulderOf(foot, height, hand);
      const dx = arm.point[0] - shoulder[0];
      const dy = arm.point[1] - shoulder[1];
      const d = Math.hypot(dx, dy);
      const reach = armReach(height);
      if (d <= reach) return arm.point;
      return [shoulder[0] + (dx * reach) / d, shoulder[1] + (dy * reach) / d];
    }
  }
}

function elbow(shoulder: Point, wrist: Point, height: number, outward: number): Point {
  const length = SEGMENT * height;
  const dx = wrist[0] - shoulder[0];
  const dy = wrist[1] - shoulder[1];
  const d = Math.max(1e-6, Math.hypot(dx, dy));
  const half = Math.min(d / 2, length);
  const bend = Math.sqrt(Math.max(0, length * length - half * half));
  // The perpendicular that points away from the body, so that elbows bend outward.
  let px = -dy / d;
  let py = dx / d;
  if (px * outward < 0) {
    px = -px;
    py = -py;
  }
  return [shoulder[0] + dx / 2 + px * bend, shoulder[1] + dy / 2 + py * bend];
}

/** The 17 keypoints of a body, before noise. */
export function keypointsOf(body: Body): Point[] {
  const [x, y] = body.foot;
  const h = body.height;
  const swing = Math.sin(body.phase) * 0.035 * h;
  const points: Point[] = new Array<Point>(17);
  points[K.nose] = [x, y - 0.935 * h];
  points[K.left_eye] = [x + 0.025 * h, y - 0.95 * h];
  points[K.right_eye] = [x - 0.025 * h, y - 0.95 * h];
  points[K.left_ear] = [x + 0.05 * h, y - 0.94 * h];
  points[K.right_ear] = [x - 0.05 * h, y - 0.94 * h];
  const ls = shoulderOf(body.foot, h, 'left');
  const rs = shoulderOf(body.foot, h, 'right');
  points[K.left_shoulder] = ls;
  points[K.right_shoulder] = rs;
  points[K.left_wrist] = body.left;
  points[K.right_wrist] = body.right;
  points[K.left_elbow] = elbow(ls, body.left, h, 1);
  points[K.right_elbow] = elbow(rs, body.right, h, -1);
  points[K.left_hip] = [x + HIP_HALF * h, y - HIP_Y * h];
  points[K.right_hip] = [x - HIP_HALF * h, y - HIP_Y * h];
  points[K.left_knee] = [x + 0.065 * h, y - 0.25 * h - Math.max(0, swing)];
  points[K.right_knee] = [x - 0.065 * h, y - 0.25 * h - Math.max(0, -swing)];
  points[K.left_ankle] = [x + 0.06 * h, y - Math.max(0, swing)];
  points[K.right_ankle] = [x - 0.06 * h, y - Math.max(0, -swing)];
  return points;
}

/** A detected person as a pose model would report it, with noise and flicker. */
export function renderPerson(body: Body, rendering: Rendering, random: Random): PersonPose {
  const sd = rendering.noise * body.height;
  const keypoints: Keypoint[] = keypointsOf(body).map(([x, y]) => {
    const dropped = random.next() < rendering.dropout;
    return [
      x + random.gauss(sd),
      y + random.gauss(sd),
      dropped ? random.between(0.05, 0.25) : random.between(0.6, 0.95),
    ];
  });
  const xs = keypoints.map((k) => k[0]);
  const ys = keypoints.map((k) => k[1]);
  const pad = 0.05 * body.height;
  const box: Box = [
    Math.min(...xs) - pad,
    Math.min(...ys) - 0.08 * body.height,
    Math.max(...xs) + pad,
    Math.max(...ys) + 0.02 * body.height,
  ];
  return { box, score: rendering.score, keypoints };
}
