import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMotionDetector } from './motion.js';

const W = 320;
const H = 240;

/** A grey frame with a dark 20 × 60 "person" at x, y (none when x is undefined). */
function frame(x?: number, y = 100): { data: Uint8Array; width: number; height: number } {
  const data = new Uint8Array(W * H * 3).fill(150);
  if (x !== undefined) {
    for (let r = y; r < y + 60; r++) {
      for (let c = x; c < x + 20; c++) data.fill(30, (r * W + c) * 3, (r * W + c) * 3 + 3);
    }
  }
  return { data, width: W, height: H };
}

describe('motion', () => {
  it('sees nothing in a still picture', () => {
    const motion = createMotionDetector();
    for (let i = 0; i < 5; i++) assert.deepEqual(motion.update(frame()).boxes, []);
  });

  it('boxes a person walking in, and marks the top of the shape where the head is', () => {
    const motion = createMotionDetector();
    motion.update(frame());
    const seen = motion.update(frame(100));
    assert.equal(seen.boxes.length, 1);
    const [x1, y1, x2, y2] = seen.boxes[0] ?? [0, 0, 0, 0];
    assert.ok(x1 <= 100 && x2 >= 120 && y1 <= 100 && y2 >= 160);
    assert.ok(seen.tops.length > 0);
    assert.ok(
      seen.tops.every((t) => t[1] <= 104 && t[3] >= 110),
      'the tops start at the head',
    );
  });

  it('keeps a tracked person who stops in view, instead of learning them as background', () => {
    const motion = createMotionDetector({ learningRate: 0.5 });
    motion.update(frame());
    const box = [96, 96, 124, 164] as const;
    for (let i = 0; i < 10; i++) motion.update(frame(100), [box]);
    assert.equal(motion.update(frame(100), [box]).boxes.length, 1);
    // Not held, the same still person fades into the background.
    const unheld = createMotionDetector({ learningRate: 0.5 });
    unheld.update(frame());
    for (let i = 0; i < 60; i++) unheld.update(frame(100));
    assert.equal(unheld.update(frame(100)).boxes.length, 0);
  });
});
