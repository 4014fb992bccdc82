import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RegionInput } from './regions.js';
import { planRegions, regionSettings } from './regions.js';

const settings = regionSettings({ inputPixels: 320 * 240, fullFrameSeconds: 10 });
const base: RegionInput = {
  width: 768,
  height: 576,
  motion: [],
  tracks: [],
  sinceFullFrame: 1,
  settings,
};
const pixels = (p: ReturnType<typeof planRegions>): number =>
  p.regions.reduce((s, r) => s + r.inputWidth * r.inputHeight, 0);

describe('where the model looks', () => {
  it('runs no inference on a camera where nothing moves and nobody is tracked', () => {
    assert.deepEqual(planRegions(base).regions, []);
  });

  it('searches the whole picture when it is due, even when nothing moves', () => {
    const plan = planRegions({ ...base, sinceFullFrame: 10 });
    assert.equal(plan.fullFrame, true);
    assert.deepEqual(plan.regions[0]?.box, [0, 0, 768, 576]);
    assert.ok(pixels(plan) <= settings.inputPixels * 1.1);
  });

  it('looks at a distant walker at a larger scale than the whole frame would get, for no more cost', () => {
    const walker = [600, 100, 630, 160] as const;
    const plan = planRegions({ ...base, motion: [walker] });
    assert.equal(plan.regions.length, 1);
    const [r] = plan.regions;
    assert.ok(r);
    const [x1, y1, x2, y2] = r.box;
    assert.ok(x1 <= 600 && y1 <= 100 && x2 >= 630 && y2 >= 160, 'the crop holds the walker');
    const scale = r.inputWidth / (x2 - x1);
    const wholeScale = Math.sqrt(settings.inputPixels / (768 * 576));
    assert.ok(scale > wholeScale * 1.5, `crop scale ${scale.toFixed(2)}`);
    assert.ok(scale <= 1.01, 'never magnified beyond full resolution');
    assert.ok(pixels(plan) <= settings.inputPixels);
  });

  it('keeps looking where a person is tracked, though they stand still', () => {
    const plan = planRegions({ ...base, tracks: [[100, 300, 140, 400]] });
    assert.equal(plan.regions.length, 1);
  });

  it('covers people in two corners with two crops, not the whole frame between them', () => {
    const plan = planRegions({
      ...base,
      motion: [
        [20, 20, 50, 90],
        [700, 480, 740, 560],
      ],
    });
    assert.equal(plan.regions.length, 2);
    assert.equal(plan.fullFrame, false);
  });

  it('covers every person when people are everywhere, within the budget', () => {
    const people = [
      [20, 20, 80, 140],
      [700, 20, 760, 140],
      [20, 440, 80, 570],
      [700, 440, 760, 570],
      [380, 250, 420, 330],
    ] as const;
    const plan = planRegions({ ...base, motion: people });
    assert.ok(plan.regions.length <= settings.maxRegions);
    for (const [x1, y1, x2, y2] of people) {
      assert.ok(
        plan.regions.some(
          (r) => r.box[0] <= x1 && r.box[1] <= y1 && r.box[2] >= x2 && r.box[3] >= y2,
        ),
        `a region holds the person at ${String(x1)},${String(y1)}`,
      );
    }
    assert.ok(pixels(plan) <= settings.inputPixels, `${String(pixels(plan))} input pixels`);
  });
});
