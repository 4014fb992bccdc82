/**
 * Actors: people following a script of steps (walk somewhere, stand, move a hand), turned into
 * a body for any moment of the scene. Steps can carry a label, so that scenarios can state their
 * ground truth from the moments the script defines.
 */

import type { Point } from '@vigie/vision';
import type { ArmPose, Body } from './skeleton.js';
import { wristFor } from './skeleton.js';
import { apparentHeight } from './scene.js';

/** One step of a script. */
export type Step =
  | {
      readonly do: 'walk';
      readonly to: Point;
      /** Heights per second; 0.7 is an unhurried walk. */
      readonly pace?: number;
      readonly label?: string;
    }
  | { readonly do: 'stand'; readonly seconds: number; readonly label?: string }
  | {
      readonly do: 'hand';
      readonly hand: 'left' | 'right';
      readonly to: ArmPose;
      /** How long the hand takes to get there. */
      readonly seconds?: number;
      readonly label?: string;
    };

/** When something happens to an actor: hidden entirely, or half hidden (weak detections). */
export interface Occlusion {
  readonly from: number;
  readonly to: number;
  readonly kind: 'full' | 'partial';
}

/** A scripted person. */
export interface ActorScript {
  readonly id: number;
  /** When the actor appears, in scene seconds. */
  readonly start: number;
  readonly from: Point;
  readonly steps: readonly Step[];
  readonly occlusions?: readonly Occlusion[];
}

interface Segment {
  readonly t0: number;
  readonly t1: number;
  readonly foot0: Point;
  readonly foot1: Point;
  readonly arms0: { readonly left: ArmPose; readonly right: ArmPose };
  readonly arms1: { readonly left: ArmPose; readonly right: ArmPose };
  readonly walking: boolean;
}

/** A compiled actor: its body at any moment, and the moments its labels name. */
export interface Actor {
  readonly id: number;
  readonly start: number;
  readonly end: number;
  readonly occlusions: readonly Occlusion[];
  /** When each labelled step started and ended. */
  readonly labels: ReadonlyMap<string, { readonly start: number; readonly end: number }>;
  bodyAt(t: number): Body | undefined;
}

const RELAXED: ArmPose = { kind: 'relaxed' };
const HAND_SECONDS = 0.6;

function lerp(a: Point, b: Point, u: number): Point {
  return [a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u];
}

/** Compiles a script into an actor. */
export function compileActor(script: ActorScript): Actor {
  const segments: Segment[] = [];
  const labels = new Map<string, { start: number; end: number }>();
  let t = script.start;
  let foot = script.from;
  let arms = { left: RELAXED, right: RELAXED };
  for (const step of script.steps) {
    const t0 = t;
    switch (step.do) {
      case 'walk': {
        const pace = step.pace ?? 0.7;
        const mid = apparentHeight((foot[1] + step.to[1]) / 2);
        const d = Math.hypot(step.to[0] - foot[0], step.to[1] - foot[1]);
        const seconds = Math.max(0.2, d / (pace * mid));
        // Hands that were holding a point let go when the person walks off.
        const walkingArms = {
          left: arms.left.kind === 'at' ? RELAXED : arms.left,
          right: arms.right.kind === 'at' ? RELAXED : arms.right,
        };
        segments.push({
          t0,
          t1: t0 + seconds,
          foot0: foot,
          foot1: step.to,
          arms0: walkingArms,
          arms1: walkingArms,
          walking: true,
        });
        t += seconds;
        foot = step.to;
        arms = walkingArms;
        break;
      }
      case 'stand':
        segments.push({
          t0,
          t1: t0 + step.seconds,
          foot0: foot,
          foot1: foot,
          arms0: arms,
          arms1: arms,
          walking: false,
        });
        t += step.seconds;
        break;
      case 'hand': {
        const next = { ...arms, [step.hand]: step.to };
        const seconds = step.seconds ?? HAND_SECONDS;
        segments.push({
          t0,
          t1: t0 + seconds,
          foot0: foot,
          foot1: foot,
          arms0: arms,
          arms1: next,
          walking: false,
        });
        t += seconds;
        arms = next;
        break;
      }
    }
    if (step.label !== undefined) labels.set(step.label, { start: t0, end: t });
  }
  const end = t;
  return {
    id: script.id,
    start: script.start,
    end,
    occlusions: script.occlusions ?? [],
    labels,
    bodyAt(at) {
      if (at < script.start || at > end) return undefined;
      const seg = segments.find((s) => at <= s.t1) ?? segments.at(-1);
      if (!seg) return undefined;
      const u = seg.t1 > seg.t0 ? Math.min(1, Math.max(0, (at - seg.t0) / (seg.t1 - seg.t0))) : 1;
      const f = lerp(seg.foot0, seg.foot1, u);
      const height = apparentHeight(f[1]);
      const wrist = (hand: 'left' | 'right'): Point =>
        lerp(
          wristFor(seg.arms0[hand], hand, f, height),
          wristFor(seg.arms1[hand], hand, f, height),
          u,
        );
      // Two strides a second; standing keeps the legs together.
      const phase = seg.walking ? at * 2 * Math.PI * 0.9 : 0;
      return { foot: f, height, phase, left: wrist('left'), right: wrist('right') };
    },
  };
}
