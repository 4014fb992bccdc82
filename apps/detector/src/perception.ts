/**
 * Perception: one frame in, the persons in it out. Motion and the tracks say where to look
 * (`planRegions`), the model runs on those regions, and what the regions found is merged. The
 * live camera and `vigie poses` both run this, one frame after another, so that a recording
 * holds exactly what the camera saw.
 */

import type { Box, CameraAnalyzer, FrameAnalysis, PersonPose } from '@vigie/vision';
import { iou, roundPose } from '@vigie/vision';
import type { Sightings } from './evidence.js';
import type { PoseModel, RgbFrame } from './models/model.js';
import type { Motion, MotionOptions } from './motion.js';
import { createMotionDetector } from './motion.js';
import type { Region, RegionSettings } from './regions.js';
import { planRegions } from './regions.js';

/** Options of {@link createPerception}. */
export interface PerceptionOptions {
  readonly model: PoseModel;
  readonly regions: RegionSettings;
  readonly motion?: MotionOptions;
  /**
   * A detection where nothing moved and nobody is tracked is kept only from this score up, or
   * with a whole body's keypoints ({@link STILL_KEYPOINTS}): things that never move (a coat on
   * the grass, a bag) do not become people, and a person who stands still from the start does.
   */
  readonly stillScore?: number;
}

/** What perception saw in one frame. */
export interface Perceived {
  readonly persons: readonly PersonPose[];
  /**
   * Where people were found in the last {@link REMEMBER_SECONDS}: a person who stands still
   * and drops out of the model's sight for a while is still hidden.
   */
  readonly remembered: readonly Box[];
  readonly motion: Motion;
  /** Where the model ran; none when nothing moved and nobody was tracked. */
  readonly regions: readonly Region[];
}

/** One camera's perception; frames must come in order. */
export interface Perception {
  /** Finds the persons in a frame, given the boxes of the people tracked so far. */
  perceive(frame: RgbFrame & { readonly t: number }, tracks: readonly Box[]): Promise<Perceived>;
}

function overlapShare(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.max(1, (a[2] - a[0]) * (a[3] - a[1]));
}

/**
 * Merges the persons found in overlapping regions: of two boxes that overlap (IoU over 0.5),
 * the better-scored one stays.
 */
export function mergeDetections(found: readonly PersonPose[]): PersonPose[] {
  const sorted = [...found].sort((a, b) => b.score - a.score);
  const kept: PersonPose[] = [];
  for (const p of sorted) if (!kept.some((k) => iou(k.box, p.box) > 0.5)) kept.push(p);
  return kept;
}

/**
 * How many confident keypoints (score ≥ 0.3) make a still detection a person whatever its score.
 * Measured on vtest.avi: nearly all real people show 9 to 17 of the 17 (a few far ones fewer), a coat lying on the grass at most 5.
 */
export const STILL_KEYPOINTS = 8;

function wholeBody(p: PersonPose): boolean {
  return p.keypoints.filter((k) => k[2] >= 0.3).length >= STILL_KEYPOINTS;
}

/** How long a place where someone was found stays hidden after the last sighting. */
export const REMEMBER_SECONDS = 15;

/** Creates the perception of one camera. */
export function createPerception(options: PerceptionOptions): Perception {
  const motionDetector = createMotionDetector(options.motion);
  const stillScore = options.stillScore ?? 0.35;
  let lastFull = -Infinity;
  let recent: { box: Box; until: number }[] = [];
  return {
    async perceive(frame, tracks) {
      recent = recent.filter((r) => r.until >= frame.t);
      const remembered = recent.map((r) => r.box);
      const motion = motionDetector.update(frame, tracks);
      // Recently seen places are hidden, not searched: searching them too spreads the budget
      // thinner and finds fewer people (measured on vtest.avi).
      const plan = planRegions({
        width: frame.width,
        height: frame.height,
        motion: motion.boxes,
        tracks,
        sinceFullFrame: frame.t - lastFull,
        settings: options.regions,
      });
      if (plan.fullFrame) lastFull = frame.t;
      const found: PersonPose[] = [];
      // One region after another: the model is one worker, and order keeps the output the same
      // on every run.
      for (const region of plan.regions) found.push(...(await options.model.detect(frame, region)));
      const persons = mergeDetections(found.map(roundPose)).filter(
        (p) =>
          p.score >= stillScore ||
          wholeBody(p) ||
          motion.boxes.some((m) => overlapShare(p.box, m) > 0.1) ||
          tracks.some((t) => iou(t, p.box) > 0.2),
      );
      for (const p of persons) {
        const known = recent.find((r) => iou(r.box, p.box) > 0.3);
        if (known) {
          known.box = p.box;
          known.until = frame.t + REMEMBER_SECONDS;
        } else recent.push({ box: p.box, until: frame.t + REMEMBER_SECONDS });
      }
      return { persons, remembered, motion, regions: plan.regions };
    },
  };
}

/** One frame through perception and the analyser, and what its kept copy must hide. */
export interface FrameResult {
  readonly perceived: Perceived;
  readonly analysis: FrameAnalysis;
  readonly sightings: Sightings;
}

/**
 * Runs one frame through a camera's perception and analyser, in that order: the tracks of the
 * frames before say where to look in this one. The live camera and `vigie poses` both call it.
 */
export async function analyseFrame(
  perception: Perception,
  analyzer: CameraAnalyzer,
  frame: RgbFrame & { readonly t: number },
): Promise<FrameResult> {
  const perceived = await perception.perceive(frame, analyzer.trackBoxes);
  const analysis = analyzer.analyze({
    t: frame.t,
    width: frame.width,
    height: frame.height,
    persons: perceived.persons,
  });
  return {
    perceived,
    analysis,
    sightings: {
      persons: perceived.persons,
      others: [...analyzer.trackBoxes, ...perceived.remembered, ...perceived.motion.boxes],
      tops: perceived.motion.tops,
    },
  };
}
