/**
 * CLEAR MOT metrics (MOTA, ID switches) for scenes with known ground truth, as the tracker's
 * tests and benchmarks report them.
 */

import { assign } from './assignment.js';
import { iou } from './geometry.js';
import type { Box } from './pose.js';

/** An object in one frame: its identity and box. */
export interface MotObject {
  readonly id: number;
  readonly box: Box;
}

/** Accumulated MOT figures. */
export interface MotResult {
  readonly frames: number;
  /** Ground-truth objects over all frames. */
  readonly objects: number;
  readonly misses: number;
  readonly falsePositives: number;
  readonly idSwitches: number;
  /** 1 − (misses + false positives + ID switches) / objects. */
  readonly mota: number;
  /** Mean IoU of the matched pairs. */
  readonly motp: number;
}

/** Accumulates frames of ground truth and tracker output. */
export interface MotAccumulator {
  add(truth: readonly MotObject[], hypotheses: readonly MotObject[]): void;
  result(): MotResult;
}

/** Creates an accumulator; pairs overlapping less than `minIou` never match. */
export function createMotAccumulator(minIou = 0.5): MotAccumulator {
  const current = new Map<number, number>(); // truth id → hypothesis id matched last frame
  const lastMatched = new Map<number, number>(); // truth id → the last hypothesis it ever matched
  let frames = 0;
  let objects = 0;
  let misses = 0;
  let falsePositives = 0;
  let idSwitches = 0;
  let matches = 0;
  let iouSum = 0;
  return {
    add(truth, hypotheses) {
      frames++;
      objects += truth.length;
      const usedTruth = new Set<number>();
      const usedHyp = new Set<number>();
      const next = new Map<number, number>();
      const byId = new Map(hypotheses.map((h) => [h.id, h]));
      const match = (gt: MotObject, hyp: MotObject, overlap: number): void => {
        usedTruth.add(gt.id);
        usedHyp.add(hyp.id);
        next.set(gt.id, hyp.id);
        const before = lastMatched.get(gt.id);
        if (before !== undefined && before !== hyp.id) idSwitches++;
        lastMatched.set(gt.id, hyp.id);
        matches++;
        iouSum += overlap;
      };
      // Correspondences from the last frame are kept while they still overlap enough.
      for (const gt of truth) {
        const hypId = current.get(gt.id);
        const hyp = hypId === undefined ? undefined : byId.get(hypId);
        if (hyp && !usedHyp.has(hyp.id)) {
          const overlap = iou(gt.box, hyp.box);
          if (overlap >= minIou) match(gt, hyp, overlap);
        }
      }
      const gts = truth.filter((g) => !usedTruth.has(g.id));
      const hyps = hypotheses.filter((h) => !usedHyp.has(h.id));
      const matching = assign(
        gts.map((g) => hyps.map((h) => 1 - iou(g.box, h.box))),
        1 - minIou,
        hyps.length,
      );
      for (const [r, c] of matching.pairs) {
        const gt = gts[r] as MotObject;
        const hyp = hyps[c] as MotObject;
        match(gt, hyp, iou(gt.box, hyp.box));
      }
      misses += truth.length - usedTruth.size;
      falsePositives += hypotheses.length - usedHyp.size;
      current.clear();
      for (const [k, v] of next) current.set(k, v);
    },
    result() {
      return {
        frames,
        objects,
        misses,
        falsePositives,
        idSwitches,
        mota: objects === 0 ? 1 : 1 - (misses + falsePositives + idSwitches) / objects,
        motp: matches === 0 ? 0 : iouSum / matches,
      };
    },
  };
}
