import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { K } from '@vigie/vision';
import type { PersonPose } from '@vigie/vision';
import type { PoseModel, RgbFrame } from './model.js';
import { fromInput, letterbox } from './model.js';
import { createMoveNet } from './movenet.js';

const require = createRequire(import.meta.url);
const samples = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

/**
 * sample1.jpg (1920×1280): three women side by side. Nose positions labelled by hand, in the
 * original photograph's pixels, left to right.
 */
const NOSES: readonly (readonly [number, number])[] = [
  [510, 510],
  [945, 555],
  [1590, 360],
];

async function load(
  file: string,
  transform: (image: ReturnType<typeof sharp>) => ReturnType<typeof sharp> = (i) => i,
): Promise<RgbFrame> {
  const { data, info } = await transform(sharp(join(samples, file)))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function nose(person: PersonPose): readonly [number, number] {
  const kp = person.keypoints[K.nose];
  assert.ok(kp);
  return [kp[0], kp[1]];
}

describe('letterbox', () => {
  it('maps model coordinates back to the frame, for wide and tall frames', () => {
    for (const [w, h] of [
      [1920, 1080],
      [720, 1280],
      [256, 256],
    ] as const) {
      const box = letterbox(w, h, 256);
      const [x, y] = fromInput(box, box.padX + w * box.scale, box.padY + h * box.scale);
      assert.ok(Math.abs(x - w) < 1e-9 && Math.abs(y - h) < 1e-9);
      assert.deepEqual(fromInput(box, box.padX, box.padY), [0, 0]);
    }
  });
});

describe('MoveNet on real photographs', () => {
  let model: PoseModel;
  before(async () => {
    model = await createMoveNet();
  });
  after(() => {
    model.dispose();
  });

  it('finds each person, with the nose keypoint on the face and inside the box', async () => {
    const frame = await load('sample1.jpg');
    const persons = (await model.detect(frame)).filter((p) => p.score > 0.3);
    assert.equal(persons.length, NOSES.length);
    const sorted = [...persons].sort((a, b) => nose(a)[0] - nose(b)[0]);
    sorted.forEach((person, i) => {
      const [x, y] = nose(person);
      const [ex, ey] = NOSES[i] ?? [0, 0];
      // Within 4 % of the photograph's width of the hand-labelled nose.
      assert.ok(
        Math.hypot(x - ex, y - ey) < 0.04 * frame.width,
        `person ${String(i)}: (${x.toFixed(0)}, ${y.toFixed(0)})`,
      );
      const [x1, y1, x2, y2] = person.box;
      assert.ok(
        x1 <= x && x <= x2 && y1 <= y && y <= y2,
        `person ${String(i)}'s nose is in its box`,
      );
      // The shoulders are below the nose: the keypoints are not mirrored or transposed.
      const shoulder = person.keypoints[K.left_shoulder];
      assert.ok(shoulder && shoulder[1] > y);
    });
  });

  it('gives the same original-frame coordinates whatever the frame size and shape', async () => {
    const full = (await model.detect(await load('sample1.jpg'))).filter((p) => p.score > 0.3);
    // Half size: coordinates come back in the smaller frame's pixels.
    const half = (await model.detect(await load('sample1.jpg', (i) => i.resize(960)))).filter(
      (p) => p.score > 0.3,
    );
    // A tall crop of the right-hand person: letterboxed with side padding instead of top padding.
    const crop = (
      await model.detect(
        await load('sample1.jpg', (i) =>
          i.extract({ left: 1200, top: 0, width: 600, height: 1280 }),
        ),
      )
    ).filter((p) => p.score > 0.3);
    const xs = (ps: PersonPose[]): number[] => ps.map((p) => nose(p)[0]).sort((a, b) => a - b);
    assert.equal(half.length, full.length);
    xs(half).forEach((x, i) => {
      assert.ok(Math.abs(x * 2 - (xs(full)[i] ?? 0)) < 0.03 * 1920);
    });
    assert.ok(crop.length >= 1);
    const right = NOSES[2] ?? [0, 0];
    assert.ok(
      crop.some(
        (p) => Math.hypot(nose(p)[0] + 1200 - right[0], nose(p)[1] - right[1]) < 0.04 * 1920,
      ),
      'the cropped person is found at the same place',
    );
  });

  it('gives the same answer in a worker thread as in the calling thread', async () => {
    const frame = await load('sample1.jpg', (i) => i.resize(640));
    const inline = await createMoveNet({ threads: 0 });
    try {
      assert.deepEqual(await model.detect(frame), await inline.detect(frame));
    } finally {
      inline.dispose();
    }
  });

  it('finds no one in an empty frame', async () => {
    const blank: RgbFrame = {
      data: new Uint8Array(640 * 480 * 3).fill(40),
      width: 640,
      height: 480,
    };
    assert.deepEqual(
      (await model.detect(blank)).filter((p) => p.score > 0.3),
      [],
    );
  });
});
