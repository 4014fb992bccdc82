import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  AT_BODY_ABOVE_HIPS,
  AT_BODY_BELOW_HIPS,
  AT_BODY_MAX_ELBOW_DEGREES,
  AT_BODY_SIDE_MARGIN,
  MIN_KEYPOINT_SCORE,
  REACH_MIN_ELBOW_DEGREES,
  REACH_MIN_EXTENSION,
  REACH_MIN_LIFT_DEGREES,
  REACH_MIN_PIXELS,
  reachedZone,
  zonesPresent,
} from './body.js';
import type { PixelZone, Point } from './geometry.js';
import type { Keypoint, PersonPose } from './pose.js';
import { K } from './pose.js';
import {
  HOLD_GAP_SECONDS,
  PRESENCE_GAP_SECONDS,
  REACH_WINDOW_SECONDS,
  TAKE_MIN_OBSERVATIONS,
  TAKE_MIN_SECONDS,
  UNSEEN_GAP_SECONDS,
} from './rules.js';

interface Person {
  /** Between the ankles. */
  readonly foot: Point;
  /** Ankles to the top of the head, in pixels. */
  readonly height: number;
  /** The right wrist (on the image's left), and its elbow; the right elbow is hidden if absent. */
  readonly wrist?: Point;
  readonly elbow?: Point;
}

/**
 * A person seen from the front: shoulders at 0.8 of their height, hips at 0.5, so one torso
 * length is 0.3 of the height. The left arm hangs; the right one is where the test puts it.
 */
function person({ foot: [x, y], height: h, wrist, elbow }: Person): PersonPose {
  const points: (Point | undefined)[] = new Array<Point | undefined>(17).fill(undefined);
  points[K.nose] = [x, y - 0.93 * h];
  points[K.left_shoulder] = [x + 0.11 * h, y - 0.8 * h];
  points[K.right_shoulder] = [x - 0.11 * h, y - 0.8 * h];
  points[K.left_elbow] = [x + 0.14 * h, y - 0.62 * h];
  points[K.left_wrist] = [x + 0.15 * h, y - 0.43 * h];
  points[K.right_elbow] = elbow;
  points[K.right_wrist] = wrist ?? [x - 0.15 * h, y - 0.43 * h];
  points[K.left_hip] = [x + 0.07 * h, y - 0.5 * h];
  points[K.right_hip] = [x - 0.07 * h, y - 0.5 * h];
  points[K.left_knee] = [x + 0.065 * h, y - 0.25 * h];
  points[K.right_knee] = [x - 0.065 * h, y - 0.25 * h];
  points[K.left_ankle] = [x + 0.06 * h, y];
  points[K.right_ankle] = [x - 0.06 * h, y];
  const keypoints = points.map((p): Keypoint => (p ? [p[0], p[1], 0.9] : [x, y, 0.05]));
  return { box: [x - 0.2 * h, y - h, x + 0.2 * h, y], score: 0.9, keypoints };
}

const rect = (x1: number, y1: number, x2: number, y2: number): PixelZone['polygon'] => [
  [x1, y1],
  [x2, y1],
  [x2, y2],
  [x1, y2],
];

describe('zone presence', () => {
  // A high camera over a plaza: a zone drawn on the floor behind a person who walks in front of
  // it, so that their hips (y 160) lie over it and their feet (y 200) do not.
  const walker = person({ foot: [300, 200], height: 80 });
  const unset: PixelZone = {
    id: 'stock',
    name: 'Stock room',
    type: 'restricted',
    polygon: rect(250, 100, 350, 180),
  };
  const floor: PixelZone = { ...unset, surface: 'floor' };

  it('judges a floor zone by the feet: walking past in front of it is not being in it', () => {
    assert.deepEqual(zonesPresent(walker, [floor]), []);
    assert.deepEqual(zonesPresent(walker, [unset]), [], 'a zone with no surface is a floor zone');
    const inside = person({ foot: [300, 170], height: 80 });
    assert.deepEqual(
      zonesPresent(inside, [floor]).map((z) => z.id),
      ['stock'],
    );
  });

  it('judges a counter zone by the feet or the hips, since the counter hides the feet', () => {
    const counter: PixelZone = { ...floor, id: 'perfume', type: 'high-value', surface: 'counter' };
    assert.deepEqual(
      zonesPresent(walker, [counter]).map((z) => z.id),
      ['perfume'],
    );
    const away = person({ foot: [300, 300], height: 80 });
    assert.deepEqual(zonesPresent(away, [counter]), []);
  });
});

describe('reach', () => {
  // A small person under a high camera: 80 px tall, one torso length is 24 px. The right
  // shoulder is at (91.2, 136), the hips at y 160. A shelf lies to their left, its edge at x 88.
  const foot: Point = [100, 200];
  const shelf: PixelZone = {
    id: 'shelf',
    name: 'Shelf',
    type: 'shelf',
    surface: 'counter',
    polygon: rect(0, 60, 88, 220),
  };
  const small = (wrist: Point, elbow?: Point) =>
    person({ foot, height: 80, wrist, ...(elbow ? { elbow } : {}) });

  it('is not a wrist a few pixels into a goods zone on a small person', () => {
    // 8 px into the shelf, and what used to count: the wrist 0.4 torso lengths above the hips,
    // or 0.45 torso lengths beyond the shoulder, which is 10 to 11 px on this person.
    for (const wrist of [
      [80, 148],
      [80, 152],
    ] as const) {
      assert.equal(reachedZone(small(wrist), 'right', [shelf]), undefined, String(wrist));
    }
    // Held straight out sideways, but only 10 px from the shoulder: under the 12 px floor.
    const tiny = person({ foot: [100, 100], height: 40, wrist: [85.6, 68] });
    assert.equal(
      reachedZone(tiny, 'right', [{ ...shelf, polygon: rect(0, 0, 90, 120) }]),
      undefined,
    );
  });

  it('is not a hand hanging at the side, or brought to the chest, over a goods zone', () => {
    const over: PixelZone = { ...shelf, polygon: rect(0, 60, 200, 220) };
    assert.equal(reachedZone(small([88, 165.6]), 'right', [over]), undefined, 'hanging');
    assert.equal(reachedZone(small([97, 142]), 'right', [over]), undefined, 'at the chest');
  });

  it('is an arm extended into the zone, in the person’s own scale', () => {
    // Up and to the left, 1.2 torso lengths (29 px) from the shoulder, elbow straight.
    const wrist: Point = [70.7, 115.5];
    const elbow: Point = [81, 125.8];
    assert.equal(reachedZone(small(wrist, elbow), 'right', [shelf])?.id, 'shelf');
    assert.equal(reachedZone(small(wrist), 'right', [shelf])?.id, 'shelf', 'elbow hidden');
    // The same wrist with the elbow folded back toward the face is not a reach.
    assert.equal(reachedZone(small(wrist, [95, 115]), 'right', [shelf]), undefined);
    // Nor is it a reach into a zone that holds no goods.
    assert.equal(
      reachedZone(small(wrist, elbow), 'right', [{ ...shelf, type: 'exit' }]),
      undefined,
    );
    // A big person near the camera reaching the same way, ten times the size, reaches too.
    const big = person({ foot: [1000, 2000], height: 800, wrist: [707, 1155], elbow: [810, 1258] });
    const wall: PixelZone = { ...shelf, polygon: rect(0, 600, 880, 2200) };
    assert.equal(reachedZone(big, 'right', [wall])?.id, 'shelf');
  });
});

describe('the config reference', () => {
  const reference = readFileSync(
    new URL('../../../docs/config-reference.md', import.meta.url),
    'utf8',
  );

  it('states the thresholds and durations the rules use', () => {
    for (const text of [
      `scored at least ${String(MIN_KEYPOINT_SCORE)}`,
      `less than ${String(PRESENCE_GAP_SECONDS)} s has not left it`,
      `at least ${String(REACH_MIN_EXTENSION)} torso lengths and at least ${String(REACH_MIN_PIXELS)} pixels`,
      `lifted at least ${String(REACH_MIN_LIFT_DEGREES)}° from hanging`,
      `open by at least ${String(REACH_MIN_ELBOW_DEGREES)}°`,
      `at least ${String(TAKE_MIN_OBSERVATIONS)} observations in a row, at least ${String(TAKE_MIN_SECONDS)} s apart`,
      `for up to ${String(UNSEEN_GAP_SECONDS)} s`,
      `plus ${String(AT_BODY_SIDE_MARGIN)} torso lengths`,
      `from ${String(AT_BODY_ABOVE_HIPS)} torso lengths above`,
      `to ${String(AT_BODY_BELOW_HIPS)} below`,
      `under ${String(AT_BODY_MAX_ELBOW_DEGREES)}°`,
      `within ${String(REACH_WINDOW_SECONDS)} s of coming back`,
      `away from the body for up to ${String(HOLD_GAP_SECONDS)} s`,
    ]) {
      assert.ok(reference.includes(text), `docs/config-reference.md should say "${text}"`);
    }
  });
});
